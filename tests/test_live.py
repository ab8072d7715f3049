"""The web UI's server side, end to end with a real server and PostgreSQL: sign-in with an API token
(cookie), the API through that cookie, and the live feed (NOTIFY → server → browser WebSocket)."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from ocpp.v16 import call

from conftest import wait_for
from ocpp_cs.webui import LIVE
from test_api import token
from test_station_flow import station


def browser() -> aiohttp.ClientSession:
    """A client that keeps cookies like a browser (aiohttp's jar skips IP hosts unless unsafe)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def base(server) -> str:
    return f"http://127.0.0.1:{server.port}"


async def sign_in(http: aiohttp.ClientSession, server, bearer: str) -> aiohttp.ClientResponse:
    async with http.post(base(server) + "/ui/session", json={"token": bearer}) as r:
        await r.read()
        return r


class Feed:
    """A browser's live socket: collects what the server sends."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.messages: list[dict] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            self.messages.append(json.loads(message.data))

    def frames(self) -> list[dict]:
        return [f for m in self.messages if m["type"] == "frames" for f in m["frames"]]

    def stations(self) -> set[str]:
        return {i for m in self.messages if m["type"] == "stations" for i in m["identities"]}


async def open_feed(http: aiohttp.ClientSession, server) -> Feed:
    ws = await http.ws_connect(base(server) + "/ui/live")
    await wait_for(lambda: _true(server.app[LIVE].listening.is_set()))
    return Feed(ws)


async def _true(value):
    return value


async def _equals(query, expected: str) -> bool:
    return await query == expected


async def test_sign_in_sets_a_cookie_the_api_accepts(server, db):
    bearer = token(db, "read")
    async with browser() as http:
        async with http.get(base(server) + "/ui/session") as r:
            assert r.status == 401
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        async with http.get(base(server) + "/api/v1/stations") as r:
            assert r.status == 401
        async with http.post(base(server) + "/ui/session", json={"token": "ocs_wrong"}) as r:
            assert r.status == 401
            assert (await r.json())["error"]["code"] == "Unauthorized"
        r = await sign_in(http, server, bearer)
        assert r.status == 200
        cookie = r.cookies["ocpp_cs_session"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        async with http.get(base(server) + "/ui/session") as r:
            assert await r.json() == {"auth": True, "role": "read", "demo": False}
        async with http.get(base(server) + "/api/v1/stations") as r:
            assert r.status == 200 and await r.json() == []
        # a read-only sign-in may look, not act
        async with http.post(base(server) + "/api/v1/ChargePoint/CP1/Reset", json={"type": "Soft"}) as r:
            assert r.status == 403
        async with http.delete(base(server) + "/ui/session") as r:
            assert r.status == 204
        async with http.get(base(server) + "/api/v1/stations") as r:
            assert r.status == 401


async def test_a_cookie_change_from_another_origin_is_refused(server, db):
    bearer = token(db, "operator")
    async with browser() as http:
        await sign_in(http, server, bearer)
        url = base(server) + "/api/v1/id-tags"
        async with http.post(url, json={"idTag": "EVIL"}, headers={"Origin": "http://evil.example"}) as r:
            assert r.status == 403
        async with http.post(url, json={"idTag": "GOOD"}, headers={"Origin": base(server)}) as r:
            assert r.status == 201
    assert await db.sql("select string_agg(id_tag, ',') from cs.id_tag where id_tag in ('EVIL', 'GOOD')") == "GOOD"


async def test_the_live_feed_needs_a_session(server):
    async with browser() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as e:
            await http.ws_connect(base(server) + "/ui/live")
        assert e.value.status == 401


async def test_frames_and_station_changes_reach_the_browser(server, db):
    bearer = token(db, "read")
    async with browser() as http:
        await sign_in(http, server, bearer)
        feed = await open_feed(http, server)
        async with station(server.url, "LIVE1") as cp:
            await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="M"))
            await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Charging"))

            def boot_frames():
                return [f for f in feed.frames() if f["action"] == "BootNotification"]
            await wait_for(lambda: _true(len(boot_frames()) == 2))
            request, reply = boot_frames()
            assert (request["direction"], request["messageType"]) == ("in", 2)
            assert request["payload"] == {"chargePointVendor": "Acme", "chargePointModel": "M"}
            assert (reply["direction"], reply["messageType"]) == ("out", 3)
            assert reply["payload"]["status"] == "Accepted"
            ids = [f["id"] for f in feed.frames()]
            assert ids == sorted(set(ids)), "frames arrive once each, in order"
            await wait_for(lambda: _true("LIVE1" in feed.stations()))
        await feed.ws.close()


async def test_a_browser_following_one_station_gets_only_its_frames(server, db):
    bearer = token(db, "read")
    async with browser() as http:
        await sign_in(http, server, bearer)
        feed = await open_feed(http, server)
        await feed.ws.send_json({"type": "subscribe", "identity": "ONLY"})
        await asyncio.sleep(0.1)  # the subscription is read before the frames come
        async with station(server.url, "OTHER") as other, station(server.url, "ONLY") as only:
            await other.call(call.Heartbeat())
            await only.call(call.Heartbeat())
            await other.call(call.Heartbeat())
            await wait_for(lambda: _true(any(f["action"] == "Heartbeat" for f in feed.frames())))
            await asyncio.sleep(0.3)  # the OTHER frames were written in the same or the next batch
            assert {f["identity"] for f in feed.frames()} == {"ONLY"}
        await feed.ws.close()


async def test_a_browser_that_connects_later_gets_news_not_history(server, db):
    bearer = token(db, "read")
    async with station(server.url, "OLD") as cp:
        await cp.call(call.Heartbeat())
    # all of OLD's rows, its Disconnect the last, are written before the browser comes
    await wait_for(lambda: _equals(db.sql(
        "select count(*) from cs.message_log where identity = 'OLD' and action = 'Disconnect'"), "1"))
    async with browser() as http:
        await sign_in(http, server, bearer)
        feed = await open_feed(http, server)
        async with station(server.url, "NEW") as cp:
            await cp.call(call.Heartbeat())
            await wait_for(lambda: _true(any(f["identity"] == "NEW" for f in feed.frames())))
        assert "OLD" not in {f["identity"] for f in feed.frames()}
        await feed.ws.close()


@pytest.mark.parametrize("demo", [True])
async def test_with_authentication_off_the_session_says_so(server_config, db, demo):
    from conftest import start_server
    server_config.api.demo = demo
    srv, runner = await start_server(db, server_config)
    try:
        async with browser() as http:
            async with http.get(base(srv) + "/ui/session") as r:
                assert await r.json() == {"auth": False, "role": "operator", "demo": True}
            feed = await open_feed(http, srv)
            await feed.ws.close()
    finally:
        await runner.cleanup()


async def test_a_browser_may_want_station_changes_without_frames(server, db):
    bearer = token(db, "read")
    async with browser() as http:
        await sign_in(http, server, bearer)
        feed = await open_feed(http, server)
        await feed.ws.send_json({"type": "subscribe", "frames": False})
        await asyncio.sleep(0.1)
        async with station(server.url, "QUIET") as cp:
            await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="M"))
            await wait_for(lambda: _true("QUIET" in feed.stations()))
            await wait_for(lambda: _equals(db.sql(
                "select count(*) from cs.message_log where identity = 'QUIET' and action = 'BootNotification'"),
                "2"))
            await asyncio.sleep(0.3)
            assert feed.frames() == []
        await feed.ws.close()
