"""Every bad input, sent raw over a real socket: the exact OCPP-J error comes back, a message-log row
is written, and the same connection still answers a Heartbeat afterwards. Tests whose rows are their
own (their own identity) share the module's server; those that change a rule or a setting for every
station, or count every connection or transaction, get a fresh one."""
from __future__ import annotations

import asyncio
import base64
import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from conftest import wait_for

HEARTBEAT = '[2,"hb","Heartbeat",{}]'


async def still_usable(ws) -> None:
    await ws.send(HEARTBEAT)
    reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert reply[0] == 3 and reply[1] == "hb" and reply[2]["currentTime"].endswith("Z")


async def exchange(url: str, frame: str | bytes, identity: str = "BAD1"):
    async with websockets.connect(f"{url}/{identity}", subprotocols=["ocpp1.6"],
                                  max_size=None) as ws:
        await ws.send(frame)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        await still_usable(ws)
        return reply


async def logged_error(db, code: str, identity: str) -> str:
    async def row():
        return await db.sql(f"select count(*) from cs.message_log where error_code = '{code}' "
                            f"and identity = '{identity}'") != "0"
    await wait_for(row)
    return code


@pytest.mark.parametrize("frame, code", [
    ('[2,"m1","Heartbeat",{}', "FormationViolation"),            # not JSON, id readable
    ('[2,"m2","Heartbeat"]', "FormationViolation"),              # JSON, not a valid CALL
    ('[2,"m3","Heartbeat",[1]]', "FormationViolation"),          # payload not an object
    ('[7,"m4","Heartbeat",{}]', "FormationViolation"),           # unknown message type
    ('[2,"m5","FlyToTheMoon",{}]', "NotImplemented"),            # unknown action
    ('[2,"m6","Reset",{"type":"Soft"}]', "NotSupported"),        # a CS-initiated action
    ('[2,"m7","Authorize",{"idTag":42}]', "TypeConstraintViolation"),
    ('[2,"m8","Authorize",{}]', "OccurenceConstraintViolation"),
    ('[2,"m9","Authorize",{"idTag":"123456789012345678901"}]', "PropertyConstraintViolation"),
    ('[2,"m10","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}]',
     "PropertyConstraintViolation"),
    ('[2,"m11","Authorize",{"idTag":"A","colour":"red"}]', "FormationViolation"),
    ('[2,"m12","StartTransaction",{"connectorId":1,"idTag":"A","meterStart":0,'
     '"timestamp":"2026-02-30T10:00:00Z"}]', "PropertyConstraintViolation"),
])
async def test_bad_frame_gets_its_exact_error(shared_server, shared_db, frame, code):
    identity = "BAD1-" + frame.split('"')[1]  # rows of its own per case
    reply = await exchange(shared_server.url, frame, identity)
    assert reply[0] == 4
    assert reply[1] == frame.split('"')[1]  # answered with the CALL's own id
    assert reply[2] == code
    assert isinstance(reply[3], str) and reply[3]
    assert isinstance(reply[4], dict)
    await logged_error(shared_db, code, identity)


async def test_frame_without_readable_id_is_logged_and_dropped(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/BAD2", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('{"not": "an array"}')
        await ws.send("garbage")
        await still_usable(ws)  # the first reply on the socket is the Heartbeat's
    async def rows():
        return await shared_db.sql("select count(*) from cs.message_log where identity = 'BAD2' "
                                   "and error_code = 'FormationViolation' and unique_id is null") == "2"
    await wait_for(rows)


async def test_binary_frame_is_logged_and_dropped(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/BAD3", subprotocols=["ocpp1.6"]) as ws:
        await ws.send(b"\x00\x01binary")
        await still_usable(ws)
    await logged_error(shared_db, "FormationViolation", "BAD3")


async def test_oversized_frame_gets_a_callerror_and_the_socket_stays(shared_server, shared_db):
    big = '[2,"big1","DataTransfer",{"vendorId":"V","data":"' + "x" * 70000 + '"}]'
    reply = await exchange(shared_server.url, big)
    assert reply[:3] == [4, "big1", "FormationViolation"]
    assert "exceeds" in reply[3]


async def test_frame_beyond_the_message_limit_closes_with_1009(shared_server):
    huge = '[2,"huge","DataTransfer",{"vendorId":"V","data":"' + "x" * 1_100_000 + '"}]'
    async with websockets.connect(f"{shared_server.url}/BAD4", subprotocols=["ocpp1.6"],
                                  max_size=None) as ws:
        await ws.send(huge)
        with pytest.raises(ConnectionClosed) as e:
            await asyncio.wait_for(ws.recv(), 5)
        assert e.value.rcvd.code == 1009
    # the server itself is fine
    reply = await exchange(shared_server.url, HEARTBEAT, "BAD5")
    assert reply[0] == 3


async def test_rule_failure_in_sql_gets_the_code_sql_chose(shared_server, shared_db):
    await shared_db.sql("select ocpp.add_station('REJ1', 'Rejected')")
    async with websockets.connect(f"{shared_server.url}/REJ1", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[2,"r1","Heartbeat",{}]')
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[:3] == [4, "r1", "SecurityError"]
        await ws.send('[2,"r2","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')
        boot = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert boot[0] == 3 and boot[2]["status"] == "Rejected"
    await logged_error(shared_db, "SecurityError", "REJ1")


async def test_sql_failure_is_an_internal_error_without_details(shared_server, shared_db):
    await shared_db.sql("""
        create function public.broken(identity text, payload jsonb) returns jsonb
        language plpgsql as $$ begin return 1 / 0; end $$;
        insert into cs.data_transfer_handler (vendor_id, message_id, handler)
        values ('Broken', null, 'public.broken(text, jsonb)');
    """)
    reply = await exchange(shared_server.url, '[2,"i1","DataTransfer",{"vendorId":"Broken"}]')
    assert reply[:3] == [4, "i1", "InternalError"]
    assert "division" not in json.dumps(reply)  # no internals on the wire
    async def row():
        return await shared_db.sql("select error_description from cs.message_log "
                                   "where unique_id = 'i1' and direction = 'out'")
    assert "division by zero" in await wait_for(row)


async def test_reply_breaking_its_schema_becomes_internal_error(server, db):
    # A DBA's edit gone wrong: the Heartbeat rule forgets the currentTime.
    await db.sql("""
        create or replace function cs.v16_heartbeat(st cs.station, payload jsonb) returns jsonb
        language sql as $$ select '{"time": "now"}'::jsonb $$;
    """)
    async with websockets.connect(f"{server.url}/SLOPPY", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[2,"s1","Heartbeat",{}]')
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[:3] == [4, "s1", "InternalError"]
        assert "time" not in json.dumps(reply[3:])  # the bad reply itself stays off the wire
    async def row():
        return await db.sql("select error_description from cs.message_log "
                            "where unique_id = 's1' and direction = 'out'")
    assert "HeartbeatResponse schema" in await wait_for(row)


async def test_internal_error_chosen_by_sql_keeps_its_details_off_the_wire(shared_server, shared_db):
    await shared_db.sql("""
        create function public.vague(identity text, payload jsonb) returns jsonb
        language sql as $$ select '{"status": "Maybe"}'::jsonb $$;
        insert into cs.data_transfer_handler (vendor_id, message_id, handler)
        values ('Vague', null, 'public.vague(text, jsonb)');
    """)
    reply = await exchange(shared_server.url, '[2,"v1","DataTransfer",{"vendorId":"Vague"}]')
    assert reply == [4, "v1", "InternalError", "internal error", {}]
    async def row():
        return await shared_db.sql("select error_description from cs.message_log "
                                   "where unique_id = 'v1' and direction = 'out'")
    assert "Maybe" in await wait_for(row)


async def test_repeated_call_id_gets_the_same_reply_without_reprocessing(server, db):
    await db.sql("select ocpp.set_setting('transaction.dedupe_start', 'false')")
    start = ('[2,"same","StartTransaction",{"connectorId":1,"idTag":"T","meterStart":0,'
             '"timestamp":"2026-01-01T10:00:00Z"}]')
    async with websockets.connect(f"{server.url}/RETRY1", subprotocols=["ocpp1.6"]) as ws:
        await ws.send(start)
        first = json.loads(await ws.recv())
        await ws.send(start)
        second = json.loads(await ws.recv())
    assert first == second and first[0] == 3
    assert await db.sql("select count(*) from cs.transaction") == "1"


async def test_unsupported_subprotocol_is_refused_at_the_handshake(shared_server, shared_db):
    with pytest.raises(InvalidStatus) as e:
        async with websockets.connect(f"{shared_server.url}/P1", subprotocols=["ocpp9.9"]):
            pass
    assert e.value.response.status_code == 400
    await logged_error(shared_db, "HTTP 400", "P1")


async def test_missing_subprotocol_is_served_as_the_default_version(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/P2") as ws:
        assert ws.subprotocol is None
        await still_usable(ws)
    assert await shared_db.sql("select version from cs.station where identity = 'P2'") == "1.6"


async def test_path_without_identity_is_404(shared_server):
    with pytest.raises(InvalidStatus) as e:
        async with websockets.connect(shared_server.url + "/", subprotocols=["ocpp1.6"]):
            pass
    assert e.value.response.status_code == 404


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def test_station_auth_security_profile_1(server, db):
    await db.sql("select ocpp.add_station('SEC1', 'Accepted', 'correct horse battery')")
    await db.sql("select ocpp.set_setting('station.auth_required', 'true')")
    for headers in ({}, basic("SEC1", "wrong"), basic("OTHER", "correct horse battery")):
        with pytest.raises(InvalidStatus) as e:
            async with websockets.connect(f"{server.url}/SEC1", subprotocols=["ocpp1.6"],
                                          additional_headers=headers):
                pass
        assert e.value.response.status_code == 401
        assert e.value.response.headers["WWW-Authenticate"].startswith("Basic")
    async with websockets.connect(f"{server.url}/SEC1", subprotocols=["ocpp1.6"],
                                  additional_headers=basic("SEC1", "correct horse battery")) as ws:
        await still_usable(ws)
    async def rows():
        return await db.sql("select count(*) from cs.message_log where identity = 'SEC1' "
                            "and error_code = 'HTTP 401'") == "3"
    await wait_for(rows)


async def test_second_connection_replaces_the_first(server, db):
    first = await websockets.connect(f"{server.url}/DUP1", subprotocols=["ocpp1.6"])
    await still_usable(first)
    async with websockets.connect(f"{server.url}/DUP1", subprotocols=["ocpp1.6"]) as second:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(first.recv(), 5)
        await still_usable(second)
        assert await db.sql("select count(*) from cs.connection") == "1"


@pytest.fixture
def idle_config(server_config):
    server_config.ocpp.idle_timeout = 0.5
    return server_config


async def test_idle_timeout_closes_the_socket(idle_config, server):
    async with websockets.connect(f"{server.url}/IDLE1", subprotocols=["ocpp1.6"]) as ws:
        await still_usable(ws)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)


@pytest.fixture
def ping_config(server_config):
    server_config.ocpp.ping_interval = 0.3
    server_config.ocpp.ping_timeout = 0.3
    return server_config


async def test_station_that_stops_answering_pings_is_disconnected(ping_config, server, db):
    import aiohttp
    async with aiohttp.ClientSession() as http:
        # autoping off: this client reads pings but never answers them, like a dead link
        async with http.ws_connect(f"{server.url}/PING1", protocols=["ocpp1.6"],
                                   autoping=False) as ws:
            first = await asyncio.wait_for(ws.receive(), 5)
            assert first.type == aiohttp.WSMsgType.PING
            while True:
                msg = await asyncio.wait_for(ws.receive(), 5)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.CLOSING):
                    break
    async def gone():
        return await db.sql("select count(*) from cs.connection") == "0"
    await wait_for(gone)
