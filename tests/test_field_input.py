"""Issue 13, "Hold up in the field": inputs real stations (and real scanners) send, each over a real
socket to a real server. The exact answer comes back (CALLERROR code and description, HTTP status,
SOAP Fault), a message-log row is written, the socket stays up and no ERROR reaches the server log.
Tests whose rows are their own (an identity or message id of their own) share the module's server;
those that count every station, connection or transaction, or change settings, get a fresh one."""
from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest
import pytest_asyncio
import websockets
from websockets.exceptions import InvalidStatus

from conftest import start_server, wait_for

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
PROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}


@pytest.fixture(autouse=True)
def no_errors_logged(caplog):
    """No station input may put an ERROR line (or a traceback) in the server's log."""
    caplog.set_level(logging.INFO)
    yield
    # every phase: a shared server's input arrives during the call, not in its own teardown
    records = caplog.get_records("setup") + caplog.get_records("call") + caplog.records
    bad = [r for r in records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest_asyncio.fixture(scope="module")
async def shared_server(shared_db, shared_server_config):
    """conftest's shared_server, whose own shutdown (after the module's last test) is checked as
    each fresh server's is: no ERROR line."""
    srv, runner = await start_server(shared_db, shared_server_config)
    yield srv
    root, shutdown = logging.getLogger(), _Records()
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(shutdown)
    try:
        await runner.cleanup()
    finally:
        root.removeHandler(shutdown)
        root.setLevel(level)
    bad = [r for r in shutdown.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


async def still_usable(ws) -> None:
    await ws.send(HEARTBEAT)
    reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert reply[0] == 3 and reply[1] == "hb" and reply[2]["currentTime"].endswith("Z")


async def exchange(url: str, frame: str, identity: str, version: str = "1.6") -> list:
    async with websockets.connect(f"{url}/{identity}", subprotocols=[PROTOCOL[version]],
                                  max_size=None) as ws:
        await ws.send(frame)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        await still_usable(ws)
        return reply


async def log_rows(db, where: str, count: int = 1) -> None:
    async def rows():
        return int(await db.sql(f"select count(*) from cs.message_log where {where}")) >= count
    await wait_for(rows)


def q(text: str) -> str:
    return text.replace("'", "''")


# ---------------------------------------------------------------- 3. type confusions in the frame
FRAMEWORK = {"1.6": "FormationViolation", "2.0.1": "RpcFrameworkError"}
KINDS = ["{}", "[]", "null", "true", '"2"', "2.5"]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
@pytest.mark.parametrize("kind", KINDS)
async def test_message_type_that_is_no_integer_gets_the_framework_error(shared_server, shared_db, version, kind):
    identity = f"MT{version.replace('.', '')}-{KINDS.index(kind)}"  # a row of its own per case
    reply = await exchange(shared_server.url, f'[{kind},"mt1","Heartbeat",{{}}]', identity, version)
    assert reply == [4, "mt1", FRAMEWORK[version],
                     f"MessageTypeId must be an integer, not {kind}", {}]
    await log_rows(shared_db, f"identity = '{identity}' and direction = 'in' and unique_id = 'mt1' "
                       f"and error_code = '{FRAMEWORK[version]}'")
    await log_rows(shared_db, f"identity = '{identity}' and direction = 'out' and unique_id = 'mt1'")


async def test_message_type_as_an_object_without_a_readable_id_is_logged(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/MT3", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[{},{},"Heartbeat",{}]')
        await still_usable(ws)  # nothing was addressed to a missing id: the first reply is this
    await log_rows(shared_db, "identity = 'MT3' and unique_id is null and error_code = 'FormationViolation'"
                       " and error_description like 'MessageTypeId must be an integer%'")


@pytest.mark.parametrize("frame, reply", [
    ('[2.0,"f1","Heartbeat",{}]', None),  # an integral double: read as 2 ([ocpp] integral_floats)
    ('[2,17,"Heartbeat",{}]', [4, "17", "FormationViolation", "uniqueId must be a string", {}]),
    ('[2,"f3",{"a":1},{}]',
     [4, "f3", "FormationViolation", "CALL action must be a non-empty string", {}]),
    ('[2,"f4","Heartbeat","{}"]',
     [4, "f4", "FormationViolation", "CALL payload must be a JSON object", {}]),
    ('[2,"' + "u" * 37 + '","Heartbeat",{}]',
     [4, "u" * 37, "FormationViolation", "uniqueId longer than 36 characters", {}]),
])
async def test_other_type_confusions_in_a_call(shared_server, shared_db, frame, reply):
    got = await exchange(shared_server.url, frame, "TC1")
    if reply is None:
        assert got[:2] == [3, "f1"] and got[2]["currentTime"].endswith("Z")
    else:
        assert got == reply
        await log_rows(shared_db, f"identity = 'TC1' and direction = 'out' and unique_id = '{reply[1]}' "
                           "and error_code = 'FormationViolation'")


# ----------------------------------------------------------------- 4. plain HTTP on a station path
async def test_plain_get_on_a_station_path_creates_no_phantom_station(server, db):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{server.port}/ocpp/PHANTOM1") as r:
            assert r.status == 426
            assert r.headers["Upgrade"] == "websocket"
            assert "WebSocket upgrade" in await r.text()
        # an Upgrade header without the rest of the handshake (no Sec-WebSocket-Key)
        async with http.get(f"http://127.0.0.1:{server.port}/ocpp/PHANTOM1",
                            headers={"Upgrade": "websocket", "Connection": "Upgrade"}) as r:
            assert r.status == 400
    await log_rows(db, "identity = 'PHANTOM1' and action = 'Handshake' and error_code = 'HTTP 426'")
    await log_rows(db, "identity = 'PHANTOM1' and action = 'Handshake' and error_code = 'HTTP 400'")
    assert await db.sql("select count(*) from cs.station where identity = 'PHANTOM1'") == "0"
    assert await db.sql("select count(*) from cs.connection") == "0"


# ------------------------------------------------------------------ 5. valid-looking numbers, NUL, depth
STATUS201 = {"timestamp": "2026-01-01T10:00:00Z", "connectorStatus": "Available",
             "evseId": 1, "connectorId": 1}


def status201(**fields) -> str:
    payload = json.dumps({**STATUS201, **fields})
    for k, v in fields.items():  # json.dumps writes 1.0; keep the raw text the test asks for
        if isinstance(v, str) and v.startswith("#"):
            payload = payload.replace(f'"{v}"', v[1:])
    return payload


async def test_integral_floats_in_integer_fields_are_accepted(shared_server, shared_db):
    frame = f'[2,"n1","StatusNotification",{status201(evseId="#1.0", connectorId="#1e0")}]'
    reply = await exchange(shared_server.url, frame, "NUM1", "2.0.1")
    assert reply == [3, "n1", {}]
    assert await shared_db.sql("select evse_id || '/' || connector_id from cs.connector c join cs.station s "
                               "on s.id = c.station_id where s.identity = 'NUM1'") == "1/1"
    # the message log keeps what the station sent
    await log_rows(shared_db, "identity = 'NUM1' and unique_id = 'n1' and direction = 'in' "
                       "and payload->>'evseId' = '1.0'")


@pytest.fixture
def strict_numbers(server_config):
    server_config.ocpp.integral_floats = False
    return server_config


async def test_integral_floats_refused_when_not_tolerated(strict_numbers, server, db):
    frame = f'[2,"n2","StatusNotification",{status201(evseId="#1.0")}]'
    reply = await exchange(server.url, frame, "NUM2", "2.0.1")
    assert reply == [4, "n2", "TypeConstraintViolation", "evseId: must be integer, not 1.0",
                     {"field": "evseId", "rule": "type"}]
    await log_rows(db, "identity = 'NUM2' and error_code = 'TypeConstraintViolation'")


@pytest.mark.parametrize("version, frame, reply", [
    ("1.6", '[2,"b1","StatusNotification",{"connectorId":2147483648,"errorCode":"NoError",'
            '"status":"Available"}]',
     [4, "b1", "PropertyConstraintViolation", "value \"2147483648\" is out of range for type integer",
      {}]),
    ("2.0.1", f'[2,"b2","StatusNotification",{status201(evseId=10**12)}]',
     [4, "b2", "PropertyConstraintViolation", "value \"1000000000000\" is out of range for type "
      "integer", {}]),
    ("1.6", '[2,"b3","StatusNotification",{"connectorId":18446744073709551616,'
            '"errorCode":"NoError","status":"Available"}]',
     [4, "b3", "PropertyConstraintViolation", "connectorId: 18446744073709551616 is out of range",
      {"field": "connectorId", "rule": "maximum"}]),
    ("1.6", '[2,"b4","StatusNotification",{"connectorId":-1,"errorCode":"NoError",'
            '"status":"Available"}]',
     [4, "b4", "PropertyConstraintViolation", "connectorId: must be bigger than or equal to 0",
      {"field": "connectorId", "rule": "minimum"}]),
])
async def test_numbers_beyond_what_sql_takes_get_a_validation_error(shared_server, shared_db, version, frame,
                                                                    reply):
    got = await exchange(shared_server.url, frame, "BIG" + reply[1], version)
    assert got == reply
    await log_rows(shared_db, f"unique_id = '{reply[1]}' and direction = 'out' "
                       f"and error_code = '{reply[2]}'")


@pytest.mark.parametrize("version, code", [("1.6", "PropertyConstraintViolation"),
                                           ("2.0.1", "PropertyConstraintViolation")])
async def test_nul_in_a_string_is_refused_before_sql(shared_server, shared_db, version, code):
    identity = f"NUL{version.replace('.', '')}"
    frame = '[2,"z1","Authorize",{"idTag":"AB\\u0000CD"}]' if version == "1.6" else \
        '[2,"z1","Authorize",{"idToken":{"idToken":"AB\\u0000CD","type":"ISO14443"}}]'
    reply = await exchange(shared_server.url, frame, identity, version)
    assert reply == [4, "z1", code, "NUL character not allowed in a string", {}]
    await log_rows(shared_db, f"identity = '{identity}' and direction = 'in' and unique_id = 'z1' "
                       f"and error_code = '{code}'")
    await log_rows(shared_db, f"identity = '{identity}' and direction = 'out' and unique_id = 'z1'")


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize("version, code", [("1.6", "FormationViolation"),
                                           ("2.0.1", "FormatViolation")])
async def test_deeply_nested_custom_data_is_refused_before_sql(shared_server, shared_db, version, code):
    identity = f"DEEP{version.replace('.', '')}"
    frame = ('[2,"d1","DataTransfer",{"vendorId":"V","data":' + nested(300) + '}]'
             if version == "1.6" else
             '[2,"d1","Heartbeat",{"customData":{"vendorId":"V","x":' + nested(300) + '}}]')
    reply = await exchange(shared_server.url, frame, identity, version)
    assert reply == [4, "d1", code, "JSON nested deeper than the limit of 64 levels", {}]
    await log_rows(shared_db, f"identity = '{identity}' and direction = 'in' and unique_id = 'd1' "
                       f"and error_code = '{code}'")


async def test_nesting_within_the_limit_is_taken(shared_server, shared_db):
    frame = '[2,"d2","DataTransfer",{"vendorId":"V","data":' + nested(60) + '}]'
    reply = await exchange(shared_server.url, frame, "DEEP3", "2.0.1")
    assert reply[:2] == [3, "d2"], reply
    await log_rows(shared_db, "identity = 'DEEP3' and unique_id = 'd2' and direction = 'in'")


# -------------------------------------------------------------------- 6. identities
@pytest.mark.parametrize("path, reason", [
    ("/ocpp/A%00B", "a station identity must not contain control characters"),
    ("/ocpp/ACC%00/AB", "a station identity must not contain control characters"),
    ("/ocpp/" + "L" * 49, "a station identity of 49 characters exceeds the limit of 48"),
    ("/ocpp/" + "L" * 7000, "a station identity of 7000 characters exceeds the limit of 48"),
])
async def test_unusable_identity_is_refused_with_400(server, db, path, reason):
    with pytest.raises(InvalidStatus) as e:
        async with websockets.connect(f"ws://127.0.0.1:{server.port}{path}",
                                      subprotocols=["ocpp1.6"]):
            pass
    assert e.value.response.status_code == 400
    assert e.value.response.body.decode().strip() == reason
    await log_rows(db, f"action = 'Handshake' and error_code = 'HTTP 400' "
                       f"and error_description = '{reason}'")
    assert await db.sql("select count(*) from cs.station") == "0"
    async with websockets.connect(f"{server.url}/" + "L" * 48, subprotocols=["ocpp1.6"]) as ws:
        await still_usable(ws)  # 48 is fine, and the server is


SOAP_ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
            xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:cs="urn://Ocpp/Cs/2015/10/">
  <s:Header><cs:chargeBoxIdentity>{identity}</cs:chargeBoxIdentity>
    <a:MessageID>urn:uuid:m1</a:MessageID><a:Action>/Heartbeat</a:Action></s:Header>
  <s:Body><cs:heartbeatRequest/></s:Body>
</s:Envelope>"""


@pytest.mark.parametrize("length", [49, 9000])
async def test_soap_identity_over_the_limit_gets_a_fault(server, db, length):
    body = SOAP_ENVELOPE.format(identity="S" * length).encode()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{server.port}/Ocpp", data=body,
                             headers={"Content-Type": "application/soap+xml"}) as r:
            assert r.status == 400
            text = await r.text()
    assert "<s:Value>s:Sender</s:Value>" in text
    assert "<s:Value>cs:PropertyConstraintViolation</s:Value>" in text
    reason = (f"chargeBoxIdentity: a station identity of {length} characters exceeds the limit "
              "of 48")
    assert f">{reason}</s:Text>" in text
    await log_rows(db, f"direction = 'out' and error_code = 'PropertyConstraintViolation' "
                       f"and error_description = '{reason}'")
    assert await db.sql("select count(*) from cs.station") == "0"


# ------------------------------------------------------------- 10. timestamps without offset
START = ('[2,"t1","StartTransaction",{"connectorId":1,"idTag":"T","meterStart":0,'
         '"timestamp":"2026-01-01T10:00:00"}]')


async def test_timestamp_without_offset_reads_as_utc_by_default(server, db):
    reply = await exchange(server.url, START, "TS1")
    assert reply[:2] == [3, "t1"] and reply[2]["transactionId"] > 0
    assert await db.sql("select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
                        "from cs.transaction") == "2026-01-01 10:00:00"
    await log_rows(db, "identity = 'TS1' and unique_id = 't1' and direction = 'in' "
                       "and payload->>'timestamp' = '2026-01-01T10:00:00'")


@pytest.fixture
def refuse_naive(server_config):
    server_config.ocpp.timestamps_without_offset = "refuse"
    return server_config


async def test_timestamp_without_offset_refused_when_configured(refuse_naive, server, db):
    reply = await exchange(server.url, START, "TS2")
    assert reply == [4, "t1", "PropertyConstraintViolation", "timestamp: must be date-time",
                     {"field": "timestamp", "rule": "format"}]
    assert await db.sql("select count(*) from cs.transaction") == "0"


# ------------------------------------------------------------- 12. error names of 2.x commands
async def test_command_breaking_its_schema_is_recorded_in_the_stations_spelling(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/CMD201", subprotocols=["ocpp2.0.1"]) as ws:
        await still_usable(ws)
        cid = int(await shared_db.sql("select ocpp.send('CMD201', 'Reset', '{\"evseId\": 1}')"))

        async def final():
            c = json.loads(await shared_db.sql(f"select ocpp.command({cid})"))
            return c if c["status"] not in ("queued", "sent") else None
        c = await wait_for(final)
        assert c["status"] == "refused"
        assert c["error"]["code"] == "OccurrenceConstraintViolation"
        assert c["error"]["description"] == "(payload): must contain ['type'] properties"
        await still_usable(ws)
