"""Webhook mode end to end: a small webhook server started by the test answers station messages
the way apostoldevel/ocpp-cs's webhook examples do; the same 1.6 session as test_station_flow.py
runs through the `ocpp` package's ChargePoint and must get the webhook's answers; the message log
keeps every frame. A webhook that is down, slow or answers garbage gives the station an
InternalError before its own timeout, leaves the reason in the log and the socket usable."""
from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio
import websockets
from aiohttp import web
from ocpp.exceptions import GenericError, InternalError, SecurityError
from ocpp.v16 import ChargePoint, call

from conftest import free_port, wait_for
from ocpp_cs.config import ConfigError, load
from ocpp_cs.webhook.client import WebhookError, WebhookRefused, payload_of

INTERVAL = 777        # the webhook's heartbeat interval: the SQL rules would say 300
TRANSACTION_ID = 424242


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def answer(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    accepted = {"idTagInfo": {"status": "Accepted"}}
    return {
        "BootNotification": {"status": "Accepted", "interval": INTERVAL, "currentTime": now()},
        "Heartbeat": {"currentTime": now()},
        "StatusNotification": {},
        "MeterValues": {},
        "Authorize": accepted,
        "StartTransaction": {"transactionId": TRANSACTION_ID, **accepted},
        "StopTransaction": accepted,
    }[action]


@dataclass
class Webhook:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    # "ok", or how to misbehave: "slow", "garbage", "no-payload", "bad-payload", "http-500",
    # "refuse", "refuse-numeric"
    mode: str = "ok"


@pytest_asyncio.fixture
async def webhook() -> AsyncIterator[Webhook]:
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/api/v1/ocpp/parse")

    async def parse(request: web.Request) -> web.Response:
        body = await request.json()
        hook.requests.append(body)
        hook.authorizations.append(request.headers.get("Authorization"))
        if hook.mode == "slow":
            await asyncio.sleep(30)
        if hook.mode == "garbage":
            return web.Response(text="<html>502 Bad Gateway</html>")
        if hook.mode == "no-payload":
            return web.json_response({"identity": body["identity"]})
        if hook.mode == "bad-payload":
            return web.json_response({**body, "payload": {"status": "Maybe"}})
        if hook.mode == "http-500":
            return web.Response(status=500, text="oops")
        if hook.mode == "refuse":
            return web.json_response({"error": {"code": "SecurityError",
                                                 "message": "station not in our fleet",
                                                 "details": {"fleet": "none"}}})
        if hook.mode == "refuse-numeric":  # apostol's own error shape: an HTTP-like code
            return web.json_response({"error": {"code": 403, "message": "forbidden"}},
                                     status=403)
        return web.json_response({"identity": body["identity"], "uniqueId": body["uniqueId"],
                                  "action": body["action"],
                                  "payload": answer(body["action"], body["payload"])})

    app = web.Application()
    app.router.add_post("/api/v1/ocpp/parse", parse)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield hook
    await runner.cleanup()


@pytest.fixture
def hooked(server_config, webhook):
    """server_config in webhook mode (no auth); tests change auth before `server` starts."""
    server_config.webhook.url = webhook.url
    server_config.webhook.timeout = 0.5
    return server_config


@contextlib.asynccontextmanager
async def station(url: str, identity: str):
    async with websockets.connect(f"{url}/{identity}", subprotocols=["ocpp1.6"]) as ws:
        # The station's own timeout: the InternalError must come before it.
        cp = ChargePoint(identity, ws, response_timeout=5)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_session_gets_the_webhooks_answers(hooked, webhook, server, db):
    async with station(server.url, "ACME/WH1") as cp:
        boot = await cp.call(call.BootNotification(charge_point_vendor="Acme",
                                                   charge_point_model="Fast-22"))
        assert boot.status == "Accepted" and boot.interval == INTERVAL
        for connector in (0, 1):
            await cp.call(call.StatusNotification(connector_id=connector, error_code="NoError",
                                                  status="Available", timestamp=now()))
        await cp.call(call.StatusNotification(connector_id=1, error_code="NoError",
                                              status="Preparing", timestamp=now()))
        auth = await cp.call(call.Authorize(id_tag="TAG-1"))
        assert auth.id_tag_info["status"] == "Accepted"
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="TAG-1",
                                                    meter_start=1000, timestamp=now()))
        assert start.transaction_id == TRANSACTION_ID
        await cp.call(call.MeterValues(connector_id=1, transaction_id=TRANSACTION_ID, meter_value=[{
            "timestamp": now(),
            "sampledValue": [{"value": "1500", "measurand": "Energy.Active.Import.Register",
                              "unit": "Wh"}]}]))
        stop = await cp.call(call.StopTransaction(transaction_id=TRANSACTION_ID, meter_stop=2500,
                                                  timestamp=now(), id_tag="TAG-1", reason="Local"))
        assert stop.id_tag_info["status"] == "Accepted"
        hb = await cp.call(call.Heartbeat())
        assert hb.current_time.endswith("Z")

    assert [r["action"] for r in webhook.requests] == [
        "BootNotification", "StatusNotification", "StatusNotification", "StatusNotification",
        "Authorize", "StartTransaction", "MeterValues", "StopTransaction", "Heartbeat"]
    first = webhook.requests[0]
    assert set(first) == {"identity", "uniqueId", "action", "payload", "account"}
    assert (first["identity"], first["account"]) == ("WH1", "ACME")
    assert first["payload"] == {"chargePointVendor": "Acme", "chargePointModel": "Fast-22"}
    assert webhook.requests[5]["payload"]["meterStart"] == 1000
    assert webhook.authorizations == [None] * 9

    # ocpp.parse was not asked: no transaction in SQL, yet every frame is in the log.
    assert await db.sql("select count(*) from cs.transaction") == "0"

    async def logged():
        n = await db.sql("select count(*) from cs.message_log where identity = 'WH1'")
        return n == "20" and n
    await wait_for(logged)
    assert await db.sql("select payload->>'transactionId' from cs.message_log where identity = 'WH1' "
                        "and direction = 'out' and action = 'StartTransaction'") == str(TRANSACTION_ID)


@pytest.mark.parametrize("auth, expected", [
    ("basic", "Basic " + base64.b64encode(b"ocpp:s3cret").decode()),
    ("bearer", "Bearer tok-123"),
])
async def test_auth_header_arrives(hooked, webhook, auth, expected, server_config, db):
    from conftest import start_server
    server_config.webhook.auth = auth
    server_config.webhook.username, server_config.webhook.password = "ocpp", "s3cret"
    server_config.webhook.token = "tok-123"
    srv, runner = await start_server(db, server_config)
    try:
        async with station(srv.url, "WH2") as cp:
            await cp.call(call.Heartbeat())
    finally:
        await runner.cleanup()
    assert webhook.authorizations == [expected]


@pytest.mark.parametrize("mode, reason", [
    ("slow", "gave no answer within 0.5 s"),
    ("garbage", "not a JSON object"),
    ("no-payload", "no payload object"),
    ("bad-payload", "webhook reply breaks the HeartbeatResponse schema"),
    ("http-500", "HTTP 500"),
])
async def test_misbehaving_webhook_is_an_internal_error(hooked, webhook, server, db, mode, reason):
    webhook.mode = mode
    async with station(server.url, f"BAD-{mode}") as cp:
        with pytest.raises(InternalError) as caught:
            await cp.call(call.Heartbeat(), suppress=False)
        assert reason not in str(caught.value)  # internals stay off the wire

        async def row():
            return await db.sql("select error_code || ': ' || error_description from cs.message_log "
                                f"where identity = 'BAD-{mode}' and direction = 'out' "
                                "and action = 'Heartbeat'")
        assert reason in await wait_for(row)
        assert (await wait_for(row)).startswith("InternalError")

        webhook.mode = "ok"  # the webhook recovers: the same connection is served again
        boot = await cp.call(call.BootNotification(charge_point_vendor="V",
                                                   charge_point_model="M"))
        assert boot.interval == INTERVAL


async def test_webhook_down_is_an_internal_error(server_config, db):
    from conftest import start_server
    server_config.webhook.url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    server_config.webhook.timeout = 0.5
    srv, runner = await start_server(db, server_config)
    try:
        async with station(srv.url, "DOWN1") as cp:
            with pytest.raises(InternalError):
                await cp.call(call.Heartbeat(), suppress=False)
            with pytest.raises(InternalError):  # still connected, still answered
                await cp.call(call.Heartbeat(), suppress=False)

        async def rows():
            return await db.sql("select error_description from cs.message_log where identity = 'DOWN1' "
                                "and direction = 'out' and action = 'Heartbeat'")
        assert "unreachable" in await wait_for(rows)
    finally:
        await runner.cleanup()


async def test_webhook_error_answer_is_the_stations_callerror(hooked, webhook, server, db):
    webhook.mode = "refuse"
    async with station(server.url, "REF1") as cp:
        with pytest.raises(SecurityError) as caught:
            await cp.call(call.Heartbeat(), suppress=False)
        assert caught.value.description == "station not in our fleet"
        assert caught.value.details == {"fleet": "none"}
        webhook.mode = "refuse-numeric"
        with pytest.raises(GenericError) as caught:
            await cp.call(call.Authorize(id_tag="T"), suppress=False)
        assert caught.value.description == "forbidden"


def test_answer_parsing():
    assert json.loads(payload_of(b'{"payload": {"currentTime": "x"}}')) == {"currentTime": "x"}
    for body, status, text in [(b"not json", 200, "not a JSON object"),
                               (b"[1]", 200, "not a JSON object"),
                               (b'{"payload": "x"}', 200, "no payload object"),
                               (b'{"payload": {}}', 502, "HTTP 502"),
                               (b'{"error": 5}', 200, "neither an object nor a string")]:
        with pytest.raises(WebhookError, match=text):
            payload_of(body, status)
    with pytest.raises(WebhookRefused) as refused:
        payload_of(b'{"error": {"code": "OccurrenceConstraintViolation", "description": "d"}}')
    assert (refused.value.code, refused.value.description) == ("OccurenceConstraintViolation", "d")
    with pytest.raises(WebhookRefused) as refused:
        payload_of(b'{"error": "no"}', 400)
    assert (refused.value.code, refused.value.description) == ("GenericError", "no")


def test_config_from_apostol_environment_names(tmp_path):
    c = load(None, env={"WEBHOOK_URL": "http://hook/parse", "WEBHOOK_AUTH": "Basic",
                        "WEBHOOK_USERNAME": "u", "WEBHOOK_PASSWORD": "p", "WEBHOOK_TOKEN": "t"})
    w = c.webhook
    assert (w.url, w.auth, w.username, w.password, w.token, w.timeout) == (
        "http://hook/parse", "basic", "u", "p", "t", 10.0)
    # the ocpp-cs names win over apostol's, and both over the file
    f = tmp_path / "c.toml"
    f.write_text('[webhook]\nurl = "http://file"\nauth = "bearer"\ntimeout = 3\n')
    c = load(str(f), env={"WEBHOOK_URL": "http://a", "OCPP_CS_WEBHOOK_URL": "http://b"})
    assert (c.webhook.url, c.webhook.auth, c.webhook.timeout) == ("http://b", "bearer", 3.0)
    assert load(None, env={}).webhook.url == ""  # off by default
    with pytest.raises(ConfigError, match="webhook.auth"):
        load(None, env={"WEBHOOK_AUTH": "digest"})
