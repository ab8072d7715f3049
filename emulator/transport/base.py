"""What every transport is to connection.py: a link that moves OCPP-J frames as text.

    start(deliver)   once, before the first open: incoming frames go to `deliver`
    open(url, pw)    a link to the central system's base URL; False when it failed (try later),
                     Refused when the central system does not speak the station's version
    run()            until the link closes: the close reason the server gave
    send(frame)      one frame out
    close(why)       the station closes the link: "stop", "drop" or "reboot"
    release()        after each link: closed and counted
    finish()         once, at the end
"""
from __future__ import annotations

from typing import Awaitable, Callable, Protocol

Deliver = Callable[[str], Awaitable[None]]


class Refused(Exception):
    """The central system does not speak this station's OCPP version: trying again is useless."""


class Transport(Protocol):
    @property
    def is_open(self) -> bool: ...       # our CALLs can go now
    async def start(self, deliver: Deliver) -> None: ...
    async def open(self, base_url: str, password: str | None) -> bool: ...
    async def run(self) -> str | None: ...
    async def send(self, frame: str) -> None: ...
    async def close(self, why: str) -> None: ...
    async def release(self) -> None: ...
    async def finish(self) -> None: ...
