"""REST resources the web UI's station and transactions pages read: configuration keys, the device
model, the operations and request schemas of each version, transactions by id tag."""
from __future__ import annotations

from ocpp.v16 import call

from conftest import wait_for
from test_api import answering, session
from test_api import api  # noqa: F401 - the fixture, shared with test_api.py


async def test_configuration_keys_of_a_station(api, server, db):
    from test_commands import final
    async with answering(server.url, "VIEW1"):
        cid = int(await db.sql("select ocpp.get_configuration('VIEW1')"))
        assert (await final(db, cid))["status"] == "answered"
    status, keys = await api.get("/api/v1/stations/VIEW1/configuration")
    assert status == 200
    assert keys, "GetConfiguration's answer is kept"
    stored = await db.sql("select string_agg(key, ',' order by key) from cs.configuration_key")
    assert [k["key"] for k in keys] == stored.split(",")
    assert set(keys[0]) == {"key", "value", "readonly", "unknown", "rebootRequired", "updatedAt"}
    assert (await api.get("/api/v1/stations/NOPE/configuration"))[0] == 404


async def test_device_model_of_a_station(api, server, db):
    await db.sql("select ocpp.add_station('VIEW201')")
    await db.sql("insert into cs.device_variable (station_id, component, variable, value, mutability) "
                 "select id, 'OCPPCommCtrlr', 'HeartbeatInterval', '300', 'ReadWrite' from cs.station "
                 "where identity = 'VIEW201'")
    status, rows = await api.get("/api/v1/stations/VIEW201/variables")
    assert status == 200
    assert [(r["component"], r["variable"], r["value"]) for r in rows] == \
        [("OCPPCommCtrlr", "HeartbeatInterval", "300")]
    assert (await api.get("/api/v1/stations/NOPE/variables"))[0] == 404


async def test_operations_and_their_request_schemas(api):
    status, ops = await api.get("/api/v1/schemas/1.6")
    assert status == 200 and ops["version"] == "1.6"
    assert "RemoteStartTransaction" in ops["operations"] and "RequestStartTransaction" not in ops["operations"]
    status, ops201 = await api.get("/api/v1/schemas/2.0.1")
    assert "RequestStartTransaction" in ops201["operations"]
    status, schema = await api.get("/api/v1/schemas/1.6/Reset")
    assert status == 200 and schema["properties"]["type"]["enum"] == ["Hard", "Soft"]
    status, schema = await api.get("/api/v1/schemas/2.0.1/Reset")
    assert status == 200 and schema["definitions"]["ResetEnumType"]["enum"] == ["Immediate", "OnIdle"]
    status, schema = await api.get("/api/v1/schemas/1.5/Reset")
    assert status == 200 and "type" in schema["properties"], "1.5 stations use the 1.6 schemas"
    assert (await api.get("/api/v1/schemas/1.5/SetChargingProfile"))[0] == 404, "1.5 has no smart charging"
    assert (await api.get("/api/v1/schemas/1.6/BootNotification"))[0] == 404, "a station's message, not ours"
    assert (await api.get("/api/v1/schemas/3.0"))[0] == 404
    assert (await api.get("/api/v1/schemas/3.0/Reset"))[0] == 404


async def test_every_operation_of_every_version_has_a_schema(api):
    for version in ("1.5", "1.6", "2.0.1", "2.1"):
        _, ops = await api.get(f"/api/v1/schemas/{version}")
        for operation in ops["operations"]:
            status, schema = await api.get(f"/api/v1/schemas/{version}/{operation}")
            assert status == 200 and schema["type"] == "object", (version, operation, status)


async def test_transactions_by_id_tag(api, server, db):
    await db.sql("select ocpp.set_id_tag('TAG1')")
    async with answering(server.url, "VIEW2") as cp:
        tx = await session(cp)
    status, rows = await api.get("/api/v1/transactions", params={"idTag": "TAG1"})
    assert status == 200 and [t["id"] for t in rows] == [tx]
    assert (await api.get("/api/v1/transactions", params={"idTag": "OTHER"})) == (200, [])
    status, rows = await api.post("/api/v1/CentralSystem/TransactionList", {"idTag": "TAG1"})
    assert status == 200 and [t["id"] for t in rows] == [tx]
    status, body = await api.post("/api/v1/CentralSystem/TransactionList", {"idTag": 5})
    assert status == 400 and body["error"]["field"] == "idTag"


async def test_list_filters_running_status_action_direction(api, server, db):
    await db.sql("select ocpp.set_id_tag('TAG1')")
    async with answering(server.url, "VIEW3") as cp:
        tx = await session(cp)
    assert [t["id"] for t in (await api.get("/api/v1/transactions", params={"running": "false"}))[1]] == [tx]
    assert (await api.get("/api/v1/transactions", params={"running": "true"})) == (200, [])
    status, body = await api.get("/api/v1/transactions", params={"running": "maybe"})
    assert status == 400
    status, rows = await api.post("/api/v1/CentralSystem/TransactionList", {"running": False})
    assert status == 200 and [t["id"] for t in rows] == [tx]
    status, body = await api.post("/api/v1/CentralSystem/TransactionList", {"running": "no"})
    assert status == 400 and body["error"]["field"] == "running"
    assert (await api.get("/api/v1/reservations", params={"status": "Cancelled"})) == (200, [])
    async def stop_replies():  # the message log is written in batches
        status, rows = await api.get("/api/v1/message-log", params={
            "identity": "VIEW3", "action": "StopTransaction", "direction": "out"})
        assert status == 200
        return rows
    rows = await wait_for(stop_replies)
    assert [(r["action"], r["direction"], r["messageType"]) for r in rows] == [("StopTransaction", "out", 3)]
    assert (await api.get("/api/v1/message-log", params={"direction": "sideways"}))[0] == 400


async def test_answers_match_the_response_schemas_of_the_spec(api, server, db):
    """The spec's response schemas are what the handlers really send (OpenAPI 3.0 rules: nullable)."""
    from openapi_schema_validator import OAS30Validator
    from ocpp_cs.api.openapi import openapi_spec
    from test_commands import final

    spec = openapi_spec()

    def check(schema_name: str, body) -> None:
        schema = {**spec["components"]["schemas"][schema_name], "components": spec["components"]}
        errors = list(OAS30Validator(schema).iter_errors(body))
        assert not errors, f"{schema_name}: {errors[0].message} at {list(errors[0].absolute_path)}"

    await db.sql("select ocpp.set_id_tag('TAG1')")
    async with answering(server.url, "VIEW4") as cp:
        await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
        tx = await session(cp)
        cid = int(await db.sql("select ocpp.reserve_now('VIEW4', 1, 'TAG1', now() + interval '1 hour')"))
        assert (await final(db, cid))["status"] == "answered"
        check("StationList", (await api.get("/api/v1/stations"))[1])
        check("Station", (await api.get("/api/v1/stations/VIEW4"))[1])
    check("TransactionList", (await api.get("/api/v1/transactions"))[1])
    check("Transaction", (await api.get(f"/api/v1/transactions/{tx}"))[1])
    reservations = (await api.get("/api/v1/reservations"))[1]
    assert reservations, "the reservation is listed"
    check("ReservationList", reservations)
    check("CommandList", (await api.get("/api/v1/commands"))[1])
    check("Command", (await api.get(f"/api/v1/commands/{cid}"))[1])
    rows = await wait_for(lambda: _rows(api))
    check("MessageLogList", rows)


async def _rows(api):
    return (await api.get("/api/v1/message-log"))[1]
