"""The REST API's operations of issue 18 end to end: force-closing a transaction a station will not
stop (POST /transactions/{id}/close), one command to several stations (POST /commands/bulk) and the
dashboard's figures (GET /today), against the real server, database and `ocpp` package stations."""
from __future__ import annotations

import json

from ocpp.v16 import call

from test_api import Api, api, token  # noqa: F401 - the fixture
from test_commands import answering
from test_station_flow import now


async def test_force_close_frees_the_tag_and_is_recorded_as_an_operator_stop(api, server, db):
    await db.sql("select ocpp.set_id_tag('LOST1')")
    async with answering(server.url, "OPS1") as cp:
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="LOST1", meter_start=1000,
                                                    timestamp=now()))
        assert start.id_tag_info["status"] == "Accepted"
        # the station restarts and forgets it: the tag stays in a running transaction
        assert (await cp.call(call.Authorize(id_tag="LOST1"))).id_tag_info["status"] == "ConcurrentTx"
        status, rows = await api.get("/api/v1/transactions", params={"identity": "OPS1", "running": "true"})
        assert status == 200 and len(rows) == 1
        tx = rows[0]["id"]

        reader = Api(server, token(db, "read", "reader"))
        assert (await reader.post(f"/api/v1/transactions/{tx}/close", {"reason": "Other"}))[0] == 403
        status, closed = await api.post(f"/api/v1/transactions/{tx}/close", {"reason": "PowerLoss"})
        assert status == 200, closed
        assert closed["running"] is False and closed["stopReason"] == "PowerLoss"
        assert closed["meterStop"] == 1000 and closed["energy"] == 0
        assert await db.sql(f"select closed_by from cs.transaction where id = {tx}") == "operator"

        assert (await cp.call(call.Authorize(id_tag="LOST1"))).id_tag_info["status"] == "Accepted"
        again = await cp.call(call.StartTransaction(connector_id=1, id_tag="LOST1", meter_start=1000,
                                                    timestamp=now()))
        assert again.id_tag_info["status"] == "Accepted" and again.transaction_id != start.transaction_id

        status, body = await api.post(f"/api/v1/transactions/{tx}/close", {"reason": "Other"})
        assert status == 400 and body["error"]["description"] == "transaction already stopped"
    status, body = await api.post(f"/api/v1/transactions/{again.transaction_id}/close", {"reason": "Tired"})
    assert status == 400 and body["error"]["description"] == "invalid reason"
    status, body = await api.post(f"/api/v1/transactions/{again.transaction_id}/close", {"meterStop": "lots"})
    assert status == 400 and body["error"]["field"] == "meterStop"
    status, body = await api.post("/api/v1/transactions/999999/close", {})
    assert status == 404 and body["error"]["description"] == "unknown transaction"
    # no reason given: Other
    status, closed = await api.post(f"/api/v1/transactions/{again.transaction_id}/close", {"meterStop": 1500})
    assert status == 200 and closed["stopReason"] == "Other" and closed["energy"] == 500


async def test_bulk_reset_answers_per_station_and_names_the_sender(api, server, db):
    async with answering(server.url, "BULK1") as one, answering(server.url, "BULK2") as two:
        status, body = await api.post("/api/v1/commands/bulk", {
            "identities": ["BULK1", "BULK2", "NOPE", "BULK1"], "action": "Reset", "payload": {"type": "Soft"}})
        assert status == 200, body
        assert body["action"] == "Reset"
        results = {r["identity"]: r for r in body["results"]}
        assert [r["identity"] for r in body["results"]] == ["BULK1", "BULK2", "NOPE"]
        for identity, cp in (("BULK1", one), ("BULK2", two)):
            assert results[identity]["status"] == "answered"
            assert results[identity]["response"] == {"status": "Accepted"}
            assert cp.received == [("Reset", {"type": "Soft"})]
            created_by = json.loads(await db.sql(f"select ocpp.command({results[identity]['commandId']})"))["createdBy"]
            assert created_by == "operator"
        assert results["NOPE"]["commandId"] is None and results["NOPE"]["status"] == "refused"
        assert results["NOPE"]["error"]["description"] == "unknown station"
        assert results["NOPE"]["error"]["httpStatus"] == 404

        # without waiting: the commands as queued, answered later
        status, body = await api.post("/api/v1/commands/bulk", {
            "identities": ["BULK1", "BULK2"], "action": "ClearCache", "wait": False})
        assert status == 200 and all(isinstance(r["commandId"], int) for r in body["results"])
        assert all(r["status"] in ("queued", "sent", "answered") for r in body["results"])


async def test_bulk_refuses_bad_bodies_and_read_tokens(api, server, db):
    for bad, field in (({"action": "Reset"}, "identities"), ({"identities": [], "action": "Reset"}, "identities"),
                       ({"identities": ["A", 3], "action": "Reset"}, "identities"),
                       ({"identities": [f"S{i}" for i in range(101)], "action": "Reset"}, "identities"),
                       ({"identities": ["A"]}, "action"),
                       ({"identities": ["A"], "action": "Reset", "payload": [1]}, "payload"),
                       ({"identities": ["A"], "action": "Reset", "wait": "yes"}, "wait")):
        status, body = await api.post("/api/v1/commands/bulk", bad)
        assert status == 400 and body["error"]["field"] == field, (bad, body)
    status, body = await api.post("/api/v1/commands/bulk", {"identities": [f"S{i}" for i in range(101)],
                                                            "action": "Reset"})
    assert body["error"]["description"] == "at most 100 stations at once, not 101"
    reader = Api(server, token(db, "read", "reader"))
    assert (await reader.post("/api/v1/commands/bulk", {"identities": ["A"], "action": "Reset"}))[0] == 403


async def test_today_counts_sessions_energy_and_faulted_stations(api, server, db):
    await db.sql("select ocpp.set_id_tag('DAY1')")
    status, before = await api.get("/api/v1/today")
    assert status == 200 and before["sessions"] == 0 and before["energyWh"] == 0 and before["faulted"] == 0
    async with answering(server.url, "DAY1") as cp:
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="DAY1", meter_start=1000,
                                                    timestamp=now()))
        await cp.call(call.StopTransaction(meter_stop=3500, timestamp=now(),
                                           transaction_id=start.transaction_id))
        await cp.call(call.StatusNotification(connector_id=1, error_code="GroundFailure", status="Faulted",
                                              timestamp=now()))
        status, day = await api.get("/api/v1/today")
        assert status == 200
        assert (day["sessions"], day["energyWh"], day["running"]) == (1, 2500, 0)
        assert (day["stations"], day["faulted"], day["offline"]) == (1, 1, 0)
    status, later = await api.get("/api/v1/today", params={"since": "2999-01-01T00:00:00Z"})
    assert status == 200 and (later["sessions"], later["energyWh"]) == (0, 0)
    status, body = await api.get("/api/v1/today", params={"since": "the dawn"})
    assert status == 400
