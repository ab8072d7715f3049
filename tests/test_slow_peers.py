"""Slow peers against a real server: connections that never finish their handshake are closed after
[server] handshake_timeout (plain HTTP and TLS), and a station that never reads what it is sent is
closed with 1008 after [ocpp] send_timeout instead of holding its replies (and a task) forever."""
from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
import struct

import pytest
from ocpp.v16 import call

from conftest import wait_for
from test_station_flow import station

HANDSHAKE_TIMEOUT = 0.5
WAIT = 5.0  # seconds we give the server to close (ten handshake timeouts), never asserted as a time


@pytest.fixture
def quick(server_config):
    """[server] handshake_timeout of half a second; first in a test's arguments, before a server."""
    server_config.server.handshake_timeout = HANDSHAKE_TIMEOUT
    return server_config


async def closed_by_server(port: int, send: bytes) -> bool:
    """Connects, sends `send` (maybe nothing) and waits: True when the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        if send:
            writer.write(send)
            await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(), WAIT) == b""
        except asyncio.TimeoutError:
            return False
        except ConnectionResetError:
            return True
    finally:
        writer.close()


async def test_an_unfinished_handshake_is_closed_after_the_timeout(quick, server):
    assert await closed_by_server(server.port, b"")
    assert await closed_by_server(server.port, b"GET /ocpp/SLOW HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    # a station that finished its handshake stays well past the timeout
    async with station(server.url, "PATIENT") as cp:
        await asyncio.sleep(3 * HANDSHAKE_TIMEOUT)
        await cp.call(call.Heartbeat())


async def test_a_silent_tls_connection_is_closed_after_the_timeout(quick, tls_server):
    assert await closed_by_server(tls_server.tls_port, b"")
    # half a ClientHello: the TLS handshake has started and does not finish
    assert await closed_by_server(tls_server.tls_port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")


def masked_text_frame(text: str) -> bytes:
    """A client → server WebSocket text frame (RFC 6455: clients mask)."""
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                            bytes([0x80 | 126]) + struct.pack("!H", n) if n < 65536 else
                            bytes([0x80 | 127]) + struct.pack("!Q", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


@pytest.fixture
def impatient(server_config):
    server_config.ocpp.send_timeout = 1.0
    server_config.ocpp.write_buffer_size = 16384
    return server_config


async def test_a_station_that_never_reads_is_closed_with_1008(impatient, server, db, caplog):
    caplog.set_level(logging.INFO, logger="ocpp_cs.transport")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel's buffer fills soon
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET /ocpp/DEAF HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                 f"Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n".encode())
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
    # each CALL of an unknown 8 KB action gets an 8 KB CALLERROR back, which this station never reads
    action = "X" * 8000
    for n in range(400):
        writer.write(masked_text_frame(f'[2,"u{n}","{action}",{{}}]'))
    try:
        await wait_for(lambda: db.sql(
            "select payload->>'closeCode' from cs.message_log where identity = 'DEAF' "
            "and action = 'Disconnect'"), timeout=15)
        assert await db.sql("select payload->>'closeCode' from cs.message_log where identity = 'DEAF' "
                            "and action = 'Disconnect'") == "1008"
        lines = [r.getMessage() for r in caplog.records if "DEAF" in r.getMessage()]
        assert len(lines) == 1 and lines[0].startswith(
            "DEAF: socket closed with 1008: the peer has not read for 1 s ("), lines
        assert [r.levelname for r in caplog.records if "DEAF" in r.getMessage()] == ["INFO"]
        assert await db.sql("select s->>'connected' from jsonb_array_elements(ocpp.chargepointlist()) s "
                            "where s->>'identity' = 'DEAF'") == "false"
    finally:
        writer.transport.abort()
    async with station(server.url, "HEARING") as cp:  # the server serves others as before
        await cp.call(call.Heartbeat())
