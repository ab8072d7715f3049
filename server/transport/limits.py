"""Bounds on station WebSockets: how many may be open (in all and per IP address), and how much a
station that does not read may cost (its write buffer and how long a send may wait).

Counting starts when the handshake arrives, before ocpp.connect: a refused handshake costs no
database work. Behind a NAT, a carrier's gateway or a proxy many stations share one address, so the
per-IP cap is off by default (0); set it above the largest group you expect from one address.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter

from aiohttp import WSCloseCode, WSMessage, WSMsgType, web

log = logging.getLogger("ocpp_cs.transport")

RETRY_AFTER = "30"  # seconds a refused station is asked to wait (Retry-After of the 503)


class ConnectionLimits:
    def __init__(self, max_total: int, max_per_ip: int = 0):
        self.max_total = max_total
        self.max_per_ip = max_per_ip
        self.total = 0
        self.by_ip: Counter[str] = Counter()

    def admit(self, ip: str) -> str | None:
        """Counts a new connection from ip; or returns why it is refused (then nothing is counted)."""
        if self.max_total and self.total >= self.max_total:
            return f"server busy: {self.total} station connections, the limit is {self.max_total}"
        if self.max_per_ip and self.by_ip[ip] >= self.max_per_ip:
            return (f"too many connections from {ip}: {self.by_ip[ip]}, "
                    f"the limit per address is {self.max_per_ip}")
        self.total += 1
        self.by_ip[ip] += 1
        return None

    def release(self, ip: str) -> None:
        self.total -= 1
        self.by_ip[ip] -= 1
        if self.by_ip[ip] <= 0:
            del self.by_ip[ip]


class BoundedWebSocketResponse(web.WebSocketResponse):
    """A WebSocketResponse whose sends to a peer that does not read end: the socket's write buffer
    pauses at write_buffer_size bytes, and aiohttp's writer looks at that pause (awaits drain) after
    every write_buffer_size bytes (its own default is every 256 KiB), so a socket buffers at most
    about twice write_buffer_size plus one frame. A send that waits longer than send_timeout closes
    the socket with 1008 (logged once, at info); the frame is lost with the socket, and the next
    receive() sees it closed."""

    def __init__(self, *args, name: str = "", send_timeout: float = 10.0,
                 write_buffer_size: int = 65536, **kwargs):
        if write_buffer_size:
            kwargs.setdefault("writer_limit", write_buffer_size)
        super().__init__(*args, **kwargs)
        self.name = name
        self.send_timeout = send_timeout
        self.write_buffer_size = write_buffer_size
        self._transport: asyncio.Transport | None = None

    async def prepare(self, request: web.BaseRequest):
        writer = await super().prepare(request)
        self._transport = request.transport
        if self._transport is not None and self.write_buffer_size:
            self._transport.set_write_buffer_limits(high=self.write_buffer_size)
        return writer

    async def send_str(self, data: str, compress: int | None = None) -> None:
        transport = self._transport
        if (transport is not None and self.write_buffer_size
                and transport.get_write_buffer_size() + len(data) + 16 < self.write_buffer_size):
            # Room for the whole frame (and its header): the write cannot pause the transport, so
            # the send cannot wait, and needs no timer (wait_for costs a task per frame).
            try:
                await super().send_str(data, compress)
            except ConnectionError:
                self._end(None)
            return
        try:
            if self.send_timeout:
                await asyncio.wait_for(super().send_str(data, compress), self.send_timeout)
            else:
                await super().send_str(data, compress)
        except asyncio.TimeoutError:
            self.abandon(f"the peer has not read for {self.send_timeout:g} s")
        except ConnectionError:
            # The peer went while we sent (aiohttp: "Connection lost" from drain): the socket is
            # gone, as after a close, not a server error with a traceback.
            self._end(None)

    def abandon(self, reason: str) -> None:
        """Close without a closing handshake (the close frame could not be sent either): as
        aiohttp does when a pong does not come, with 1008 as the code."""
        if self.closed:
            return
        transport = self._transport
        unsent = transport.get_write_buffer_size() if transport is not None else 0
        log.info("%s: socket closed with 1008: %s (%d bytes unsent)", self.name, reason, unsent)
        if transport is not None:
            transport.abort()  # close() would wait for the buffer to drain, which it never will
        self._end(WSCloseCode.POLICY_VIOLATION)

    def _end(self, code: int | None) -> None:
        if self.closed:
            return
        self._set_closed()
        if code is not None:
            self._close_code = code
        if self._waiting and not self._closing and self._reader is not None:
            # the station's receive loop ends as after a close, without logging it a second time
            self._reader.feed_data(WSMessage(WSMsgType.CLOSED, None, None), 0)
