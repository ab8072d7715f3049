"""An aborted /ui/live handshake (a browser that leaves, or restarts its socket, before the server's
101 is out) is normal use: a debug line, never a traceback in the server's log."""
from __future__ import annotations

import asyncio
import base64
import logging
import os

from test_api import token


async def test_an_aborted_live_handshake_is_a_debug_line(server, db, caplog):
    bearer = token(db, "read")
    request = (f"GET /ui/live HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
               f"Authorization: Bearer {bearer}\r\n\r\n").encode()
    caplog.set_level(logging.DEBUG)
    for _ in range(20):  # the peer goes while the server checks the token, or just after
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request)
        await writer.drain()
        writer.transport.abort()
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == [], [(r.name, r.getMessage(), r.exc_info) for r in noisy]
    assert any("live feed: the browser left during the handshake" in r.getMessage()
               for r in caplog.records if r.levelno == logging.DEBUG)
