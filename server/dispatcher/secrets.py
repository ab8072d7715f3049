"""New station passwords on their way to a station.

A command that sets a station's Basic-auth password is stored with the password masked (ocpp.send);
the clear value reaches the dispatchers only by NOTIFY ocpp_secret, at the commit that queued the
command, and is kept here, in memory, until that command is sent or its time is up. A node that missed
the notification (restarted, its LISTEN connection down) refuses the command: the password is
nowhere else.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import orjson

log = logging.getLogger("ocpp_cs.dispatcher")

CHANNEL = "ocpp_secret"
MAX_HELD = 10_000  # bounded: a flood of password changes cannot grow memory without limit
WAIT_FOR_NOTIFY = 1.0  # seconds a claimed command waits for a notification still in flight


class Secrets:
    def __init__(self, max_held: int = MAX_HELD):
        self.max_held = max_held
        self._held: dict[int, tuple[str, dt.datetime]] = {}
        self._arrived = asyncio.Event()

    def on_notify(self, payload: str) -> None:
        try:
            message = orjson.loads(payload)
            command, value = int(message["command"]), str(message["value"])
            until = dt.datetime.fromisoformat(message["until"].replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("ignored a malformed %s notification", CHANNEL)
            return
        self._expire()
        self._held[command] = (value, until)
        while len(self._held) > self.max_held:
            oldest = min(self._held, key=lambda k: self._held[k][1])
            del self._held[oldest]
            log.warning("more than %d new station passwords waiting: dropped the one of command %s "
                        "(it will be refused)", self.max_held, oldest)
        self._arrived.set()

    async def take(self, command: int) -> str | None:
        """The clear value for command, forgotten once taken; None when it never arrived here."""
        deadline = asyncio.get_running_loop().time() + WAIT_FOR_NOTIFY
        while command not in self._held:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                return None
        return self._held.pop(command)[0]

    def _expire(self) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        for command in [c for c, (_, until) in self._held.items() if until < now]:
            del self._held[command]


def with_secret(payload: dict[str, Any], path: list[str], value: str) -> dict[str, Any]:
    """A copy of payload with value at path (keys, and list indexes as digits)."""
    copy = orjson.loads(orjson.dumps(payload))
    node: Any = copy
    for step in path[:-1]:
        node = node[int(step)] if isinstance(node, list) else node[step]
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return copy
