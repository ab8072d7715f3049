"""The REST API end to end: a real server and database, aiohttp as the client, and the `ocpp`
package's station (test_commands.AnsweringStation) answering the commands sent through it."""
from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import aiohttp
import pytest
from ocpp.exceptions import NotSupportedError
from ocpp.v16 import call

from conftest import wait_for
from ocpp_cs.api import ROUTES, openapi_spec
from ocpp_cs.api.routes import OPERATIONS, PREFIX, V16_OPERATIONS, V201_OPERATIONS
from ocpp_cs.cli import main as cli_main
from test_commands import REQUESTS, answering
from test_station_flow import now


def token(db, role: str = "operator", name: str | None = None) -> str:
    return db.psql(f"select ocpp.api_token_create('{name or role}', '{role}')")


class Api:
    """A client of one server with one token (or none)."""

    def __init__(self, server, bearer: str | None):
        self.base = f"http://127.0.0.1:{server.port}"
        self.headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}

    async def request(self, method: str, path: str, json: Any = None, data: Any = None,
                      params: dict | None = None, headers: dict | None = None) -> tuple[int, Any, Any]:
        async with aiohttp.ClientSession() as s:
            async with s.request(method, self.base + path, json=json, data=data, params=params,
                                 headers={**self.headers, **(headers or {})}) as r:
                if r.content_type == "application/json":
                    body = await r.json()
                elif r.content_type.startswith("text/") or r.content_type.endswith("javascript"):
                    body = await r.text()
                else:
                    body = await r.read()
                return r.status, body, r.headers

    async def get(self, path: str, **kw) -> tuple[int, Any]:
        status, body, _ = await self.request("GET", path, **kw)
        return status, body

    async def post(self, path: str, json: Any = None, **kw) -> tuple[int, Any]:
        status, body, _ = await self.request("POST", path, json=json, **kw)
        return status, body


@pytest.fixture
def api(server, db) -> Api:
    return Api(server, token(db))


# --- the spec and the routes ---

def test_every_route_is_in_the_spec_and_every_spec_path_is_a_route(server):
    routes = {(r.method, r.resource.canonical) for r in server.app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith(PREFIX) and r.method != "HEAD"}
    spec = {(method.upper(), path) for path, item in openapi_spec()["paths"].items() for method in item}
    assert routes == spec
    assert len(routes) == len(ROUTES)


async def test_each_operation_has_its_own_path_before_the_catch_all(server):
    from aiohttp.test_utils import make_mocked_request
    spec = openapi_spec()
    for operation in OPERATIONS:
        path = f"{PREFIX}/ChargePoint/{{identity}}/{operation}"
        item = spec["paths"][path]["post"]
        assert item["operationId"] == f"charge_point_operation_{operation}"
        assert ("1.6" in item["x-ocpp-versions"]) == (operation in V16_OPERATIONS)
        assert ("2.0.1" in item["x-ocpp-versions"]) == (operation in V201_OPERATIONS)
        match = await server.app.router.resolve(
            make_mocked_request("POST", path.replace("{identity}", "CP1"), app=server.app))
        assert match.route.resource.canonical == path, operation
    match = await server.app.router.resolve(
        make_mocked_request("POST", f"{PREFIX}/ChargePoint/CP1/SetDERControl", app=server.app))
    assert match["operation"] == "SetDERControl"
    assert f"{PREFIX}/ChargePoint/{{identity}}/{{operation}}" in spec["paths"]


def test_the_spec_is_valid_openapi_30():
    from openapi_spec_validator import OpenAPIV30SpecValidator, validate
    validate(openapi_spec(), cls=OpenAPIV30SpecValidator)


def body_validator(path: str, part: str = "request"):
    """A jsonschema validator of the request (or 200) body of POST path: its schema beside the spec's
    components, so that its #/components/schemas/... refs resolve."""
    import jsonschema
    spec = openapi_spec()
    post = spec["paths"][PREFIX + path]["post"]
    schema = (post["requestBody"] if part == "request" else post["responses"]["200"])["content"][
        "application/json"]["schema"]
    return jsonschema.Draft4Validator({**schema, "components": spec["components"]})


def test_operation_bodies_are_the_ocpp_schemas_with_their_constraints():
    spec = openapi_spec()
    components = spec["components"]["schemas"]
    assert {"v16.ResetRequest", "v16.ResetResponse", "v201.ResetRequest", "v201.ResetResponse",
            "v201.ResetEnumType", "v201.CustomDataType"} <= set(components)
    assert all(re.fullmatch(r"[a-zA-Z0-9._-]+", name) for name in components)
    reset = body_validator("/ChargePoint/{identity}/Reset")
    assert reset.is_valid({"type": "Hard"}) and reset.is_valid({"type": "Immediate", "evseId": 1})
    assert not reset.is_valid({"type": "Bogus"}) and not reset.is_valid({})
    assert not reset.is_valid({"type": "Soft", "extra": 1})  # additionalProperties: false
    # 1.6 and 2.0.1 both take {"reservationId": 1}: anyOf, not oneOf
    assert body_validator("/ChargePoint/{identity}/CancelReservation").is_valid({"reservationId": 1})
    assert not body_validator("/ChargePoint/{identity}/DataTransfer").is_valid({"vendorId": "x" * 256})
    start = body_validator("/ChargePoint/{identity}/RemoteStartTransaction", "response")
    assert start.is_valid({"status": "Accepted"})  # 1.6's, or 2.0.1's RequestStartTransaction's
    assert start.is_valid({"status": "Accepted", "transactionId": "t1"})  # only 2.0.1's
    # properties named like keywords are data, kept
    assert "format" in components["v201.MessageContentType"]["properties"]
    assert "id" in components["v201.ChargingScheduleType"]["properties"]
    profile = components["v16.SetChargingProfileRequest"]["properties"]["csChargingProfiles"]
    assert profile["properties"]["chargingSchedule"]["properties"]["chargingSchedulePeriod"]["items"][
        "properties"]["limit"]["multipleOf"] == 0.1
    assert components["v201.ChargingProfileType"]["properties"]["validFrom"]["format"] == "date-time"
    text = json.dumps(spec)
    assert "#/definitions/" not in text and "javaType" not in text and "$schema" not in text


def test_translated_operations_are_the_ones_sql_translates(db):
    from ocpp_cs.api.openapi import TRANSLATED
    db.psql("select ocpp.add_station('T201')")
    db.psql("update cs.station set version = '2.0.1' where identity = 'T201'")
    payloads = {**REQUESTS, "TriggerMessage": {"requestedMessage": "StatusNotification", "connectorId": 1}}
    assert set(payloads) == set(V16_OPERATIONS)
    values = ", ".join(f"('{a}', $j${json.dumps(p)}$j$)" for a, p in payloads.items())
    rows = db.psql("select string_agg(a || '=' || coalesce(cs.v201_translate(s.id, a, p::jsonb)->>'action', "
                   f"''), ',' order by a) from (values {values}) as v(a, p), cs.station as s "
                   "where s.identity = 'T201'")
    assert dict(r.split("=") for r in rows.split(",")) == {a: TRANSLATED.get(a, "") for a in payloads}


def test_operations_are_the_ones_sql_sends(db):
    assert db.psql("select array_to_string(cs.command_actions('1.6'), ',')").split(",") == V16_OPERATIONS
    assert db.psql("select array_to_string(cs.command_actions('2.0.1'), ',')").split(",") == V201_OPERATIONS


async def test_open_paths_need_no_token(server):
    anon = Api(server, None)
    assert await anon.get("/api/v1/ping") == (200, {})
    status, body = await anon.get("/api/v1/time")
    assert status == 200 and isinstance(body["serverTime"], int)
    status, spec = await anon.get("/api/v1/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.") and spec == openapi_spec()
    status, page = await anon.get("/docs/")
    assert status == 200 and "/api/v1/openapi.json" in (await anon.get("/docs/swagger-init.js"))[1]
    assert "swagger-ui-bundle.js" in page and "http" not in page.split("<body>")[1]  # no CDN
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css",
                  "favicon-32x32.png"):
        status, _, headers = await anon.request("GET", f"/docs/{asset}")
        assert status == 200, asset


# --- tokens and roles ---

async def test_missing_or_wrong_token_is_401_with_www_authenticate(server, db):
    for bearer in (None, "wrong", token(db, "read") + "x"):
        status, body, headers = await Api(server, bearer).request("GET", "/api/v1/stations")
        assert status == 401, bearer
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert body["error"]["code"] == "Unauthorized"
    status, _, headers = await Api(server, None).request("GET", "/api/v1/stations",
                                                        headers={"Authorization": "Basic dTpw"})
    assert status == 401 and "Bearer" in headers["WWW-Authenticate"]


async def test_unknown_paths_and_methods_need_a_token_too(server, db):
    # the API is a sub-app; a path or method under /api/v1 that no route takes is checked the same
    for method, path in (("GET", "/api/v1/no-such-thing"), ("DELETE", "/api/v1/stations")):
        status, _, headers = await Api(server, None).request(method, path)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer"), (method, path)
    operator = Api(server, token(db))
    assert (await operator.get("/api/v1/no-such-thing"))[0] == 404
    assert (await operator.request("DELETE", "/api/v1/stations"))[0] == 405
    status, body, _ = await Api(server, token(db, "read")).request("DELETE", "/api/v1/stations")
    assert status == 403 and body["error"]["code"] == "Forbidden"


async def test_read_token_reads_but_may_not_send_or_change(server, db):
    reader = Api(server, token(db, "read"))
    assert (await reader.get("/api/v1/stations"))[0] == 200
    status, body = await reader.post("/api/v1/ChargePoint/CP1/Reset", {"type": "Soft"})
    assert status == 403 and body["error"]["code"] == "Forbidden"
    assert (await reader.post("/api/v1/id-tags", {"idTag": "R1"}))[0] == 403
    assert (await reader.request("DELETE", "/api/v1/id-tags/R1"))[0] == 403
    assert await db.sql("select count(*) from cs.command") == "0"
    assert await db.sql("select last_used_at is not null from cs.api_token where name = 'read'") == "t"


async def test_revoked_token_is_refused(server, db):
    bearer = token(db, "operator", "ci")
    assert (await Api(server, bearer).get("/api/v1/stations"))[0] == 200
    await db.sql("select ocpp.api_token_revoke('ci')")
    assert (await Api(server, bearer).get("/api/v1/stations"))[0] == 401


@pytest.fixture
def demo_config(server_config):
    server_config.api.demo = True
    return server_config


async def test_demo_mode_needs_no_token_and_says_so(demo_config, db, caplog):
    from conftest import start_server
    with caplog.at_level(logging.WARNING, logger="ocpp_cs.api"):
        srv, runner = await start_server(db, demo_config)
    try:
        assert any("demo" in r.getMessage() and "OPEN" in r.getMessage() for r in caplog.records)
        assert (await Api(srv, None).get("/api/v1/stations"))[0] == 200
        assert (await Api(srv, None).post("/api/v1/id-tags", {"idTag": "D1"}))[0] == 201
    finally:
        await runner.cleanup()


def test_token_subcommand_creates_and_revokes(db, capsys):
    assert cli_main(["token", "create", "backend", "--role", "operator", "--database-url", db.dsn]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("ocs_") and len(printed) == 68
    assert db.psql(f"select ocpp.api_token_check('{printed}')") == "operator"
    assert cli_main(["token", "revoke", "backend", "--database-url", db.dsn]) == 0
    assert db.psql(f"select ocpp.api_token_check('{printed}') is null") == "t"
    assert cli_main(["token", "revoke", "backend", "--database-url", db.dsn]) == 1
    assert "unknown api token" in capsys.readouterr().err


# --- commands to stations ---

async def test_reset_to_a_connected_station_returns_its_answer(api, server, db):
    async with answering(server.url, "API1") as cp:
        assert await api.post("/api/v1/ChargePoint/API1/Reset", {"type": "Soft"}) == (200, {"status": "Accepted"})
        assert cp.received == [("Reset", {"type": "Soft"})]
        status, body = await api.post("/api/v1/ChargePoint/API1/GetConfiguration", {})
        assert status == 200 and body["unknownKey"] == ["Foo"]


async def test_every_16_operation_goes_through_the_api(api, server, db):
    async with answering(server.url, "API2") as cp:
        for action, payload in REQUESTS.items():
            status, body = await api.post(f"/api/v1/ChargePoint/API2/{action}", payload)
            assert status == 200, (action, body)
        assert [a for a, _ in cp.received] == list(REQUESTS)


async def test_unknown_station_is_404(api):
    status, body = await api.post("/api/v1/ChargePoint/NOPE/Reset", {"type": "Soft"})
    assert status == 404
    assert body["error"]["description"] == "unknown station"


async def test_offline_station_is_503(api, db):
    await db.sql("select ocpp.add_station('APIOFF')")
    status, body = await api.post("/api/v1/ChargePoint/APIOFF/Reset", {"type": "Hard"})
    assert status == 503 and body["error"]["code"] == "Offline"
    assert await db.sql(f"select status from cs.command where id = {body['error']['commandId']}") == "offline"


async def test_schema_error_is_400_naming_the_field(api, server):
    async with answering(server.url, "API3") as cp:
        status, body = await api.post("/api/v1/ChargePoint/API3/ChangeAvailability",
                                      {"connectorId": 1, "type": "Sideways"})
        assert status == 400
        assert body["error"]["field"] == "type"
        assert cp.received == []


async def test_station_callerror_is_502_with_its_error(api, server):
    async with answering(server.url, "API4") as cp:
        cp.answers["Reset"] = NotSupportedError("no resets here")
        status, body = await api.post("/api/v1/ChargePoint/API4/Reset", {"type": "Hard"})
    assert status == 502
    assert body["error"]["code"] == "NotSupported"
    assert body["error"]["description"] == "no resets here"
    assert "details" in body["error"]


@pytest.fixture
def short_timeout(server_config):
    server_config.api.command_timeout = 0.5
    return server_config


async def test_no_answer_within_the_timeout_is_503(short_timeout, api, server):
    async with answering(server.url, "API5") as cp:
        cp.answers["Reset"] = ("sleep", 2)
        status, body = await api.post("/api/v1/ChargePoint/API5/Reset", {"type": "Soft"})
    assert status == 503 and body["error"]["code"] == "Timeout"


async def test_bad_operation_and_body_are_400(api, server, db):
    await db.sql("select ocpp.add_station('API6')")
    status, body = await api.post("/api/v1/ChargePoint/API6/BootNotification", {})
    assert status == 400 and body["error"]["description"] == "action not implemented"
    status, body, _ = await api.request("POST", "/api/v1/ChargePoint/API6/Reset", data=b"{nope",
                                        headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in body["error"]["description"]
    assert (await api.post("/api/v1/ChargePoint/API6/Reset", [1, 2]))[0] == 400


# --- resources ---

async def session(cp) -> int:
    start = await cp.call(call.StartTransaction(connector_id=1, id_tag="TAG1", meter_start=100,
                                                timestamp=now()))
    await cp.call(call.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=[
        {"timestamp": now(), "sampledValue": [{"value": "150", "measurand": "Energy.Active.Import.Register",
                                               "unit": "Wh"}]}]))
    await cp.call(call.StopTransaction(meter_stop=200, timestamp=now(), transaction_id=start.transaction_id))
    return start.transaction_id


async def test_stations_and_charge_point_list(api, server):
    async with answering(server.url, "API7"):
        status, stations = await api.get("/api/v1/stations")
        assert status == 200 and [s["identity"] for s in stations] == ["API7"]
        assert stations[0]["connected"] is True
        assert (await api.get("/api/v1/CentralSystem/ChargePointList")) == (200, stations)
        status, one = await api.get("/api/v1/stations/API7")
        assert status == 200 and one["identity"] == "API7" and "evses" in one
    status, body = await api.get("/api/v1/stations/NOPE")
    assert status == 404 and body["error"]["description"] == "unknown station"


async def test_evses_and_charging_profiles_of_a_station(api, server, db):
    from test_commands import PROFILE, final
    async with answering(server.url, "API8") as cp:
        await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
        status, evses = await api.get("/api/v1/stations/API8/evses")
        assert status == 200 and [e["evseId"] for e in evses] == [1]
        cid = int(await db.sql("select ocpp.send('API8', 'SetChargingProfile', $j$" + __import__("json")
                          .dumps({"connectorId": 1, "csChargingProfiles": PROFILE}) + "$j$::jsonb)"))
        assert (await final(db, cid))["status"] == "answered"
    status, profiles = await api.get("/api/v1/stations/API8/charging-profiles")
    assert status == 200
    assert [(p["id"], p["connectorId"], p["purpose"], p["status"]) for p in profiles] == \
        [(5, 1, "TxDefaultProfile", "Installed")]
    assert (await api.get("/api/v1/stations/NOPE/evses"))[0] == 404
    assert (await api.get("/api/v1/stations/NOPE/charging-profiles"))[0] == 404


async def test_transactions_with_meter_values_and_filters(api, server, db):
    await db.sql("select ocpp.set_id_tag('TAG1')")
    async with answering(server.url, "API8") as cp:
        tx = await session(cp)
    status, rows = await api.get("/api/v1/transactions", params={"identity": "API8"})
    assert status == 200 and [t["transactionId"] for t in rows] == [tx]
    assert rows[0]["energy"] == 100
    status, one = await api.get(f"/api/v1/transactions/{tx}")
    assert status == 200 and one["meterValues"][0]["value"] == "150"
    assert (await api.get("/api/v1/transactions", params={"from": "2999-01-01T00:00:00Z"})) == (200, [])
    assert (await api.get("/api/v1/transactions", params={"limit": "0"})) == (200, [])
    status, listed = await api.post("/api/v1/CentralSystem/TransactionList",
                                    {"identity": "API8", "dateFrom": "2000-01-01T00:00:00Z",
                                     "dateTo": "2999-01-01T00:00:00Z"})
    assert status == 200 and listed == rows
    assert (await api.post("/api/v1/CentralSystem/TransactionList", {"identity": "NOPE"})) == (200, [])
    # errors
    status, body = await api.get("/api/v1/transactions", params={"from": "yesterday-ish"})
    assert status == 400
    status, body = await api.post("/api/v1/CentralSystem/TransactionList",
                                  {"dateFrom": "2030-01-01T00:00:00Z", "dateTo": "2020-01-01T00:00:00Z"})
    assert status == 400 and body["error"]["description"] == "invalid dateFrom"
    assert (await api.get("/api/v1/transactions", params={"limit": "many"}))[0] == 400
    assert (await api.get("/api/v1/transactions", params={"offset": "-1"}))[0] == 400
    assert (await api.get("/api/v1/transactions/999999"))[0] == 404
    assert (await api.get("/api/v1/transactions/abc"))[0] == 404


async def test_reservations(api, server):
    async with answering(server.url, "API9"):
        status, _ = await api.post("/api/v1/ChargePoint/API9/ReserveNow", {
            "connectorId": 1, "expiryDate": "2036-01-01T00:00:00Z", "idTag": "T1", "reservationId": 77})
        assert status == 200
    status, rows = await api.get("/api/v1/reservations", params={"identity": "API9"})
    assert status == 200 and [r["reservationId"] for r in rows] == [77]
    status, listed = await api.post("/api/v1/CentralSystem/ReservationList", {"identity": "API9"})
    assert status == 200 and listed == rows
    assert (await api.post("/api/v1/CentralSystem/ReservationList", {"dateTo": "2000-01-01T00:00:00Z"})) == (200, [])
    assert (await api.post("/api/v1/CentralSystem/ReservationList", {"identity": 5}))[0] == 400


async def test_id_tags_create_read_update_block_delete(api):
    status, tag = await api.post("/api/v1/id-tags", {"idTag": "RFID1", "expiryDate": "2030-01-01T00:00:00Z"})
    assert status == 201 and tag["status"] == "Accepted" and tag["expiryDate"].startswith("2030-01-01")
    assert (await api.get("/api/v1/id-tags/RFID1")) == (200, tag)
    status, changed, _ = await api.request("PUT", "/api/v1/id-tags/RFID1", json={"status": "Expired"})
    assert status == 200 and changed["status"] == "Expired" and changed["expiryDate"] is None
    status, blocked = await api.post("/api/v1/id-tags/RFID1/block")
    assert status == 200 and blocked["status"] == "Blocked"
    status, tags = await api.get("/api/v1/id-tags")
    assert status == 200 and [t["idTag"] for t in tags] == ["RFID1"]
    assert (await api.request("DELETE", "/api/v1/id-tags/RFID1"))[0] == 204
    # errors
    assert (await api.get("/api/v1/id-tags/RFID1"))[0] == 404
    assert (await api.request("DELETE", "/api/v1/id-tags/RFID1"))[0] == 404
    assert (await api.post("/api/v1/id-tags/RFID1/block"))[0] == 404
    assert (await api.request("PUT", "/api/v1/id-tags/RFID1", json={}))[0] == 404
    status, body = await api.post("/api/v1/id-tags", {"idTag": "X", "status": "Maybe"})
    assert status == 400 and body["error"]["description"] == "invalid id tag status"
    status, body = await api.post("/api/v1/id-tags", {"idTag": "Y" * 37})
    assert status == 400 and body["error"]["description"] == "invalid id tag"
    status, body = await api.post("/api/v1/id-tags", {})
    assert status == 400 and body["error"]["field"] == "idTag"


async def test_commands_and_message_log(api, server, db):
    async with answering(server.url, "API10"):
        await api.post("/api/v1/ChargePoint/API10/Reset", {"type": "Soft"})
    status, rows = await api.get("/api/v1/commands", params={"identity": "API10", "status": "answered"})
    assert status == 200 and [c["action"] for c in rows] == ["Reset"]
    status, one = await api.get(f"/api/v1/commands/{rows[0]['id']}")
    assert status == 200 and one["response"] == {"status": "Accepted"}
    assert (await api.get("/api/v1/commands", params={"status": "queued"})) == (200, [])
    status, body = await api.get("/api/v1/commands", params={"status": "lost"})
    assert status == 400 and body["error"]["description"] == "invalid status"
    assert (await api.get("/api/v1/commands/424242"))[0] == 404

    async def logged():
        status, rows = await api.get("/api/v1/message-log", params={"identity": "API10"})
        return rows if status == 200 and any(r["action"] == "Reset" for r in rows) else None
    rows = await wait_for(logged)
    assert {r["direction"] for r in rows} == {"in", "out"}
    assert (await api.get("/api/v1/message-log", params={"to": "2000-01-01T00:00:00Z"})) == (200, [])
    assert (await api.get("/api/v1/message-log", params={"from": "not a date"}))[0] == 400
    assert (await api.get("/api/v1/message-log", params={"limit": "5000"}))[0] == 400


@pytest.fixture
def quick_commands(server_config):
    server_config.api.command_timeout = 1
    return server_config


async def test_property_based_run_against_the_spec_finds_no_server_error(quick_commands, server, db,
                                                                         tmp_path):
    """schemathesis generates requests for every operation of /api/v1/openapi.json, valid and
    not; no answer may be a 5xx other than the documented 502/503 of the command paths. The ~70
    command paths (one per OCPP operation) get 5 examples each, the others 25."""
    import shutil
    import sys
    bearer = token(db)
    st = shutil.which("schemathesis") or shutil.which("st")
    assert st, "schemathesis is a test dependency: pip install -e '.[test]'"
    config = tmp_path / "schemathesis.toml"
    config.write_text('generation.max-examples = 25\n\n'
                      '[[operations]]\ninclude-path-regex = "/ChargePoint/"\ngeneration.max-examples = 5\n')
    proc = await asyncio.create_subprocess_exec(
        st, "--config-file", str(config), "run", f"http://127.0.0.1:{server.port}{PREFIX}/openapi.json",
        "--checks", "not_a_server_error", "--request-timeout", "10",
        "--header", f"Authorization: Bearer {bearer}", "--phases", "examples,fuzzing",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 100)
    text = out.decode()
    sys.stdout.write(text[-3000:])
    assert proc.returncode == 0, text[-3000:]
