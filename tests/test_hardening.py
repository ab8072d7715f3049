"""Web and API hardening against a real server: security headers on every answer, the live feed's
Origin check, bounded request bodies, and the caps on station connections."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from ocpp.v16 import call

from conftest import wait_for
from ocpp_cs.app import ENDPOINT
from test_api import token
from test_live import base, browser, sign_in
from test_soap import SOAP_TYPE, envelope, fault_of, post
from test_station_flow import station

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COMMON = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
          "Referrer-Policy": "no-referrer"}


async def raw_http(port: int, head: bytes, body: bytes = b"", timeout: float = 5.0
                   ) -> tuple[int, dict[str, str], bytes]:
    """Sends a request as bytes (the body may be cut short or absent) and reads one answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        lines = raw.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        length = int(headers.get("content-length", "0"))
        content = await asyncio.wait_for(reader.readexactly(length), timeout) if length else b""
        return int(lines[0].split()[1]), headers, content
    finally:
        writer.close()


# --- headers

async def test_every_answer_carries_the_security_headers(server, db):
    async with aiohttp.ClientSession() as http:
        for path, status, policy in [("/", 200, PAGE_POLICY), ("/ui/app.js", 200, PAGE_POLICY),
                                     ("/ui/session", 401, PAGE_POLICY),
                                     ("/api/v1/ping", 200, PAGE_POLICY),
                                     ("/api/v1/stations", 401, PAGE_POLICY),
                                     ("/api/v1/openapi.json", 200, PAGE_POLICY),
                                     ("/no/such/page", 404, PAGE_POLICY), ("/ping", 200, PAGE_POLICY),
                                     ("/docs/", 200, DOCS_POLICY),
                                     ("/docs/swagger-init.js", 200, DOCS_POLICY)]:
            async with http.get(base(server) + path, allow_redirects=False) as r:
                assert r.status == status, path
                assert r.headers.get("Content-Security-Policy") == policy, path
                assert {k: r.headers.get(k) for k in COMMON} == COMMON, path


# --- the live feed's Origin

async def test_the_live_feed_refuses_a_page_of_another_origin(server, db):
    bearer = token(db, "read")
    async with browser() as http:
        await sign_in(http, server, bearer)
        with pytest.raises(aiohttp.WSServerHandshakeError) as e:
            await http.ws_connect(base(server) + "/ui/live", headers={"Origin": "http://evil.example"})
        assert e.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError) as e:  # same host, another port
            await http.ws_connect(base(server) + "/ui/live",
                                  headers={"Origin": f"http://127.0.0.1:{server.port + 1}"})
        assert e.value.status == 403
        async with http.get(base(server) + "/ui/live", headers={
                "Origin": "http://evil.example", "Connection": "Upgrade", "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}) as r:
            assert r.status == 403
            assert await r.json() == {"error": {
                "code": "Forbidden",
                "description": "the live feed is for this server's own pages, not for http://evil.example"}}
        # the server's own page, and a tool that sends no Origin, are served
        ws = await http.ws_connect(base(server) + "/ui/live", headers={"Origin": base(server)})
        await ws.close()
    async with aiohttp.ClientSession() as tool:
        ws = await tool.ws_connect(base(server) + "/ui/live",
                                   headers={"Authorization": f"Bearer {bearer}"})
        await ws.close()


# --- request bodies

async def test_a_declared_oversized_body_is_refused_unread(server, db):
    bearer = token(db)  # [api] max_body_size is 1 MiB by default
    expected = {"error": {"code": "PayloadTooLarge",
                          "description": "the body of 104857600 bytes exceeds the limit of 1048576 bytes"}}
    for auth in (b"", f"Authorization: Bearer {bearer}\r\n".encode()):
        # only the head is sent: an answer proves that nothing waited for the 100 MiB
        head = (b"POST /api/v1/id-tags HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 104857600\r\n" + auth + b"\r\n")
        status, headers, body = await raw_http(server.port, head, b'{"idTag": "')
        assert status == 413, body
        assert headers["connection"] == "close"
        assert json.loads(body) == expected
    assert await db.sql("select count(*) from cs.id_tag") == "0"


@pytest.mark.parametrize("limit", [1000])
async def test_a_chunked_body_is_cut_at_the_limit_and_soap_keeps_its_own(server_config, limit, db):
    from conftest import start_server
    server_config.api.max_body_size = limit
    srv, runner = await start_server(db, server_config)
    try:
        bearer = token(db)
        url = base(srv) + "/api/v1/id-tags"
        headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}

        async def chunked(text: str):  # no Content-Length: aiohttp sends it chunked
            for i in range(0, len(text), 100):
                yield text[i:i + 100].encode()
        async with aiohttp.ClientSession() as http:
            big = json.dumps({"idTag": "BIG", "pad": "x" * limit})
            async with http.post(url, data=chunked(big), headers=headers) as r:
                assert r.status == 413
                assert await r.json() == {"error": {
                    "code": "PayloadTooLarge", "description": "the body exceeds the limit of 1000 bytes"}}
            async with http.post(url, data=chunked(json.dumps({"idTag": "SMALL"})), headers=headers) as r:
                assert r.status == 201, await r.text()
            # the sign-in form is held to the same limit
            async with http.post(base(srv) + "/ui/session", data="x" * (limit + 1)) as r:
                assert r.status == 413
        assert await db.sql("select string_agg(id_tag, ',') from cs.id_tag") == "SMALL"
        # SOAP has [soap] max_body_size: a body above the API's limit is still read and parsed
        data = envelope("<cs:heartbeatRequest/>" + " " * (2 * limit))
        status, content_type, body = await post(srv, data)
        assert (status, content_type) == (200, SOAP_TYPE), body
        data = envelope("<cs:heartbeatRequest/>" + " " * (srv.config.soap.max_body_size + 1))
        status, content_type, body = await post(srv, data)
        assert (status, content_type) == (413, SOAP_TYPE)
        assert fault_of(body)[:2] == ("Sender", "FormationViolation")
    finally:
        await runner.cleanup()


# --- station connection caps

async def refused(server, identity: str) -> tuple[int, str, str | None]:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as e:
            await http.ws_connect(f"{server.url}/{identity}", protocols=["ocpp1.6"])
    async with aiohttp.ClientSession() as http:  # the same handshake, to read the answer's body
        async with http.get(f"{server.url}/{identity}", headers={
                "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "ocpp1.6"}) as r:
            return e.value.status, await r.text(), r.headers.get("Retry-After")


async def handshake_rows(db, identity: str) -> str:
    return await db.sql("select string_agg(error_code || ': ' || error_description, ' | ' order by id) "
                        f"from cs.message_log where identity = '{identity}' and action = 'Handshake'")


@pytest.mark.parametrize("cap", [2])
async def test_station_connections_over_the_global_cap_get_503_before_sql(server_config, cap, db):
    from conftest import start_server
    server_config.ocpp.max_connections = cap
    srv, runner = await start_server(db, server_config)
    try:
        async with station(srv.url, "CAP1") as one, station(srv.url, "CAP2"):
            await one.call(call.Heartbeat())
            reason = "server busy: 2 station connections, the limit is 2"
            assert await refused(srv, "CAP3") == (503, reason + "\n", "30")
            # refused() tries twice; the two log rows may land in two batches
            expected = f"HTTP 503: {reason} | HTTP 503: {reason}"

            async def both_rows() -> bool:
                return await handshake_rows(db, "CAP3") == expected
            await wait_for(both_rows)
            # refused before ocpp.connect: the open registration did not make the station
            assert await db.sql("select count(*) from cs.station where identity = 'CAP3'") == "0"
        # the places are given back when the sockets close
        await wait_for(lambda: asyncio.sleep(0, srv.app[ENDPOINT].limits.total == 0))
        async with station(srv.url, "CAP3") as three:
            await three.call(call.Heartbeat())
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("per_ip", [1])
async def test_station_connections_over_the_per_ip_cap_get_503(server_config, per_ip, db):
    from conftest import start_server
    server_config.ocpp.max_connections_per_ip = per_ip
    srv, runner = await start_server(db, server_config)
    try:
        async with station(srv.url, "IP1") as one:
            await one.call(call.Heartbeat())
            reason = "too many connections from 127.0.0.1: 1, the limit per address is 1"
            assert await refused(srv, "IP2") == (503, reason + "\n", "30")
            await wait_for(lambda: handshake_rows(db, "IP2"))
            assert await db.sql("select count(*) from cs.station where identity = 'IP2'") == "0"
            await one.call(call.Heartbeat())  # the first one is untouched
    finally:
        await runner.cleanup()
