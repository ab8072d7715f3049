"""The provisioning routes of the REST API (docs/provisioning.md): EVSEs, device-model values and
auth_required declared over HTTP before a station connects, with the SQL API's errors as HTTP statuses."""
from __future__ import annotations

import pytest

from test_api import Api, token


@pytest.fixture
def api(server, db) -> Api:
    db.psql("select ocpp.add_station('PV-1')")
    return Api(server, token(db))


async def test_declare_evse(api):
    status, _, _ = await api.request("PUT", "/api/v1/stations/PV-1/evses/1", json={"connectors": 2})
    assert status == 200
    status, evses = await api.get("/api/v1/stations/PV-1/evses")
    assert status == 200
    assert sorted(c["connectorId"] for e in evses for c in e["connectors"]) == [1, 2]

    status, body, _ = await api.request("PUT", "/api/v1/stations/PV-1/evses/1", json={"connectors": 65})
    assert status == 400 and body["error"]["field"] == "connectors"
    status, body, _ = await api.request("PUT", "/api/v1/stations/PV-1/evses/0", json={"connectors": 1})
    assert status == 400  # OC007 invalid connectors: EVSE 0 has none
    status, _, _ = await api.request("PUT", "/api/v1/stations/NOBODY/evses/1", json={})
    assert status == 404


async def test_seed_variable(api, db):
    status, variables, _ = await api.request("PUT", "/api/v1/stations/PV-1/variables", json={
        "component": "DeviceDataCtrlr", "variable": "ItemsPerMessage", "variableInstance": "GetVariables",
        "value": "3"})
    assert status == 200
    assert [(v["variable"], v["variableInstance"], v["value"]) for v in variables] == [
        ("ItemsPerMessage", "GetVariables", "3")]
    assert db.psql("select cs.device_limit(cs.station_id('PV-1'), 'DeviceDataCtrlr', 'ItemsPerMessage', "
                   "'GetVariables')") == "3"

    status, body, _ = await api.request("PUT", "/api/v1/stations/PV-1/variables", json={"variable": "V"})
    assert status == 400 and body["error"]["field"] == "component"
    status, body, _ = await api.request("PUT", "/api/v1/stations/PV-1/variables", json={
        "component": "C", "variable": "V", "attributeType": "Bogus"})
    assert status == 400
    status, _, _ = await api.request("PUT", "/api/v1/stations/NOBODY/variables", json={
        "component": "C", "variable": "V"})
    assert status == 404


async def test_set_station_auth_required(api, db):
    for required, stored in ((True, "t"), (None, ""), (False, "f")):
        status, _, _ = await api.request("PUT", "/api/v1/stations/PV-1/auth-required", json={"required": required})
        assert status == 200
        assert db.psql("select auth_required from cs.station where identity = 'PV-1'") == stored
    status, body, _ = await api.request("PUT", "/api/v1/stations/PV-1/auth-required", json={"required": "yes"})
    assert status == 400 and body["error"]["field"] == "required"
    status, _, _ = await api.request("PUT", "/api/v1/stations/NOBODY/auth-required", json={"required": True})
    assert status == 404
