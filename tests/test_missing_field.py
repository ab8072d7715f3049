"""A command whose payload lacks a required property: the REST API (and so the web UI's form, which
marks error.field) names that property, not the object that lacks it."""
from __future__ import annotations

from test_api import Api, token
from test_commands import answering


async def test_the_api_names_the_missing_field(server, db):
    api = Api(server, token(db, "operator"))
    async with answering(server.url, "MISS1") as cp:
        status, body = await api.post("/api/v1/ChargePoint/MISS1/Reset", {})
        assert status == 400, body
        assert body["error"]["field"] == "type"
        assert body["error"]["code"] == "OccurenceConstraintViolation"
        assert body["error"]["details"]["missing"] == ["type"]
        status, body = await api.post("/api/v1/ChargePoint/MISS1/RemoteStartTransaction",
                                      {"idTag": "T", "chargingProfile": {
                                          "chargingProfileId": 1, "stackLevel": 0,
                                          "chargingProfilePurpose": "TxProfile",
                                          "chargingSchedule": {"chargingRateUnit": "A",
                                                               "chargingSchedulePeriod": []}}})
        assert status == 400, body
        assert body["error"]["field"] == "chargingProfile.chargingProfileKind"
        assert cp.received == []  # refused before the station saw it
