"""One LISTEN connection per node, shared by everyone who waits for a NOTIFY.

A LISTEN needs a connection of its own (a pooled one drops it on release), and one is enough: the
dispatcher (ocpp_command, ocpp_secret), the signer (ocpp_csr), the pki worker (ocpp_pki) and the live
feed (ocpp_log, ocpp_station) subscribe to their channels here before the listener runs, and each notification is
handed to the callbacks of its channel (in the event loop; a callback only notes it and wakes its
owner). Like procrastinate's listen_notify, the connection LISTENs on every channel at once, and
again after each reconnect.

NOTIFY is a wake-up, never the only way: every subscriber also polls now and then, so a notification
lost while the connection was down delays work but loses none. To make that delay short, each
subscriber is told every time the LISTENs are (again) in place, and polls then.

When PostgreSQL goes away the listener tries again with a growing delay and jitter (so the nodes of
a cluster do not all come back in step), and reports to the gateway's Outage: one ERROR per outage.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import random
from typing import Any, Awaitable, Callable

import asyncpg

from .connection import Login, connect
from .errors import is_connection_error
from .gateway import load_queries
from .outage import Outage

log = logging.getLogger("ocpp_cs.database")

OnNotify = Callable[[str], None]                       # the payload of one notification
OnListen = Callable[[], "Awaitable[None] | None"]     # the LISTENs are in place (again)
OnLost = Callable[[], None]                            # the connection is gone

RETRY_MIN = 0.5      # seconds before the first new attempt; doubled each failure...
RETRY_MAX = 15.0     # ...up to this; each delay is drawn between half of it and all of it
CHECK_EVERY = 10.0   # seconds between checks that PostgreSQL still answers on the connection
CHECK_TIMEOUT = 5.0  # seconds an answer to that check may take


class NotifyListener:
    def __init__(self, login: Login, outage: Outage, *, retry_min: float = RETRY_MIN,
                 retry_max: float = RETRY_MAX, check_every: float = CHECK_EVERY):
        self.login = login
        self.outage = outage
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.check_every = check_every
        self._channels: dict[str, list[OnNotify]] = {}
        self._on_listen: list[OnListen] = []
        self._on_lost: list[OnLost] = []
        self._running = False
        self._alive = load_queries()["alive"]
        self.listening = asyncio.Event()  # set while the LISTENs are in place

    def subscribe(self, channel: str, on_notify: OnNotify, *, on_listen: OnListen | None = None,
                  on_lost: OnLost | None = None) -> None:
        """on_notify(payload) for each NOTIFY on channel; on_listen() each time the LISTENs are in
        place (the first time, and after a reconnect: poll then, something may have been missed);
        on_lost() when the connection went. Only before run()."""
        if self._running:
            raise RuntimeError(f"subscribe to {channel} before the listener runs")
        self._channels.setdefault(channel, []).append(on_notify)
        if on_listen is not None and on_listen not in self._on_listen:
            self._on_listen.append(on_listen)
        if on_lost is not None and on_lost not in self._on_lost:
            self._on_lost.append(on_lost)

    def channels(self) -> list[str]:
        return list(self._channels)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting whenever the connection is lost."""
        self._running = True
        failures = 0
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await connect(self.login, "listen")
                closed = asyncio.Event()
                conn.add_termination_listener(lambda _conn: closed.set())
                for channel in self._channels:
                    await conn.add_listener(channel, self._notify)
                self.outage.recovered()
                self.listening.set()
                await self._tell_listening()
                failures = 0
                await self._watch(conn, closed)
                log.warning("the LISTEN connection was lost; listening again")
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - polling goes on meanwhile
                failures += 1
                if is_connection_error(e):
                    self.outage.failed("LISTEN " + ", ".join(self._channels), e)
                else:
                    log.warning("LISTEN %s failed (%s: %s); trying again",
                                ", ".join(self._channels), type(e).__name__, e)
            finally:
                was_listening = self.listening.is_set()
                self.listening.clear()
                if conn is not None:
                    await _close(conn)
                if was_listening:
                    self._tell_lost()
            await asyncio.sleep(self._delay(failures))

    def _delay(self, failures: int) -> float:
        delay = min(self.retry_max, self.retry_min * 2 ** max(failures - 1, 0))
        return random.uniform(delay / 2, delay)

    async def _watch(self, conn: asyncpg.Connection, closed: asyncio.Event) -> None:
        """Returns when the connection is gone: closed by PostgreSQL, or no longer answering (a
        peer that vanished without closing, which a termination listener never hears of)."""
        while not conn.is_closed():
            try:
                await asyncio.wait_for(closed.wait(), self.check_every)
                return
            except asyncio.TimeoutError:
                pass
            await conn.fetchval(self._alive, timeout=CHECK_TIMEOUT)

    def _notify(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        for on_notify in self._channels.get(channel, ()):
            try:
                on_notify(payload)
            except Exception:  # noqa: BLE001 - one subscriber's bug must not silence the others
                log.exception("a subscriber of %s failed on a notification", channel)

    async def _tell_listening(self) -> None:
        for on_listen in self._on_listen:
            result = on_listen()
            if inspect.isawaitable(result):
                await result

    def _tell_lost(self) -> None:
        for on_lost in self._on_lost:
            try:
                on_lost()
            except Exception:  # noqa: BLE001
                log.exception("a subscriber failed on the loss of the LISTEN connection")


async def _close(conn: asyncpg.Connection) -> None:
    if conn.is_closed():
        return
    try:
        await conn.close(timeout=5)
    except Exception:  # noqa: BLE001 - gone anyway
        conn.terminate()
