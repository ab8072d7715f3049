"""OCPP-J over WebSocket (aiohttp client): one socket per station, the version's subprotocol.

A 1.6 station takes a server that names no subprotocol; a 2.0.1 station (`strict`) offers only
its own, so a server that refuses it (HTTP 400) or agrees to none raises Refused: the station is
skipped rather than retried for ever.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

import aiohttp

from .base import Deliver, Refused
from ..stats import Stats

log = logging.getLogger("ocpp_emulator")

# Why the station closes its socket, and how it says so.
CLOSES = {"stop": (aiohttp.WSCloseCode.GOING_AWAY, b"station going down"),
          "drop": (aiohttp.WSCloseCode.GOING_AWAY, b"connection lost"),
          "reboot": (aiohttp.WSCloseCode.SERVICE_RESTART, b"rebooting")}
MAX_FRAME = 1 << 20


class WebSocketTransport:
    def __init__(self, session: aiohttp.ClientSession, *, identity: str, version: str,
                 station_url: Callable[[str], str], stats: Stats, strict: bool = False):
        self.session = session
        self.identity = identity
        self.version = version
        self.subprotocol = f"ocpp{version}"
        self.station_url = station_url   # the central system's base URL → this station's URL
        self.stats = stats
        self.strict = strict
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._deliver: Deliver | None = None

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def open(self, base_url: str, password: str | None) -> bool:
        url = self.station_url(base_url)
        auth = aiohttp.BasicAuth(self.identity, password) if password else None
        try:
            ws = await self.session.ws_connect(
                url, protocols=(self.subprotocol,), heartbeat=None, autoping=True, auth=auth,
                max_msg_size=MAX_FRAME, timeout=aiohttp.ClientWSTimeout(ws_close=5.0))
        except aiohttp.WSServerHandshakeError as e:
            if self.strict and e.status == 400:
                # The server names the subprotocols it speaks; ours is not among them.
                raise Refused(f"the central system refuses OCPP {self.version} "
                              f"(HTTP {e.status})") from None
            self.stats.connect_failures += 1
            if self.strict:
                log.info("%s: cannot connect to %s: HTTP %s", self.identity, url, e.status)
            else:
                log.info("%s: cannot connect to %s: %s", self.identity, url, e)
            return False
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as e:
            self.stats.connect_failures += 1
            log.info("%s: cannot connect to %s: %s", self.identity, url, e)
            return False
        if self.strict and ws.protocol != self.subprotocol:
            await ws.close()
            raise Refused(f"the central system did not agree to OCPP {self.version}")
        if ws.protocol not in (self.subprotocol, None):
            self.stats.connect_failures += 1
            log.warning("%s: central system chose subprotocol %s", self.identity, ws.protocol)
            await ws.close()
            return False
        self.stats.connects += 1
        self.stats.connected += 1
        self.ws = ws
        return True

    async def run(self) -> str | None:
        """Read frames until the socket closes; the close reason the server gave."""
        ws = self.ws
        assert ws is not None and self._deliver is not None
        while True:
            msg = await ws.receive()
            if msg.type == aiohttp.WSMsgType.TEXT:
                await self._deliver(msg.data)
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                              aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return msg.extra if isinstance(msg.extra, str) else None

    async def send(self, frame: str) -> None:
        ws = self.ws
        if ws is None:
            raise ConnectionError(f"{self.identity} is not connected")
        await ws.send_str(frame)

    async def close(self, why: str) -> None:
        ws = self.ws
        if ws is not None and not ws.closed:
            code, message = CLOSES[why]
            await ws.close(code=code, message=message)

    async def release(self) -> None:
        """After a connection: the socket is closed and counted."""
        ws, self.ws = self.ws, None
        if ws is not None:
            if not ws.closed:
                await ws.close()
            self.stats.connected -= 1
            self.stats.disconnects += 1

    async def finish(self) -> None:
        pass
