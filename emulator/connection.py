"""A station's connection: the OCPP-J peer of one emulated station, over any transport.

The one place where the emulator matches calls, on the server's own sans-I/O OCPP-J session
(ocpp_cs.protocol.session, role station): it sends the station's CALLs one at a time (as OCPP-J
asks) and waits for their answers, hands the central system's CALLs to the station's behaviour and
sends its answers back, refuses what a central system may not send (protocol/actions.py) and
frames that are not OCPP-J with a CALLERROR in the version's words, checks payloads against the
version's schemas, and keeps the station connected: open, serve, and after a loss open again with
exponential backoff and jitter (straight back after a drop, after reboot_delay after a reboot).
A station does not replay answers to a repeated CALL: it handles every CALL it gets.

    behaviour (station16 / station201) ──call──▶ Connection ──frames──▶ transport (websocket / soap)
                                        ◀─answer─            ◀─frames──

The behaviour gives the connection what it needs to know of the station (`identity`,
`central_system()`, `password()`), what it does while connected (`live()`), how it answers
(`answer(call)`: a payload or a CallError, and what follows once the answer is sent) and hears when
the connection is gone (`lost()`). A transport moves OCPP-J frames as text (the SOAP transport
translates envelopes to and from them) and says when its link closed.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from typing import Any, Awaitable, Callable, Protocol

from ocpp_cs.protocol import Call, CallError, actions
from ocpp_cs.protocol.session import (AnswerReceived, CallReceived, CallRefused, FrameRefused,
                                      Replayed, Session)
from ocpp_cs.validation import ValidationError
from .options import StationOptions
from .stats import Stats
from .transport.base import Refused, Transport

log = logging.getLogger("ocpp_emulator")

FollowUp = Callable[[], Awaitable[None]]


class CallErrorReceived(Exception):
    """The central system answered one of our CALLs with a CALLERROR (or a SOAP fault)."""

    def __init__(self, action: str, error: CallError):
        super().__init__(f"{action}: {error.code} {error.description}")
        self.error = error


# What a lost connection or a refused CALL looks like to the code waiting on it: expected, counted
# where it happened, not worth a traceback.
EXPECTED = (ConnectionError, CallErrorReceived, asyncio.TimeoutError, ValidationError, KeyError)


class Behaviour(Protocol):
    identity: str

    def central_system(self) -> str: ...
    def password(self) -> str | None: ...
    def answer(self, call: Call) -> tuple[dict[str, Any] | CallError, FollowUp | None]: ...
    async def live(self) -> None: ...
    def lost(self) -> None: ...


class Connection:
    def __init__(self, behaviour: Behaviour, transport: Transport, *, version: str, schemas: Any,
                 stats: Stats, options: StationOptions):
        self.behaviour = behaviour
        self.transport = transport
        self.version = version
        self.schemas = schemas
        self.stats = stats
        self.options = options
        self.identity = behaviour.identity
        self.refused = asyncio.Event()      # the central system does not speak our version
        self.session = self._new_session()
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()         # one CALL of ours at a time
        self._answers: dict[str, asyncio.Future] = {}   # our pending CALL's answer, by unique id
        self._wake = asyncio.Event()        # a stop ends a backoff sleep at once
        self._stopping = False
        self._restart: str | None = None    # "reboot" or "drop": why we closed the link ourselves
        self._tasks: set[asyncio.Task] = set()
        self._attempt = 0

    @property
    def stopping(self) -> bool:
        return self._stopping

    def _new_session(self) -> Session:
        return Session(actions.STATION, self.version, replay=False)

    # ---------------------------------------------------------------- life
    def start(self) -> asyncio.Task:
        return asyncio.create_task(self.run(), name=f"station-{self.identity}")

    async def run(self) -> None:
        """Connect, serve until stop(); reconnect with exponential backoff and jitter."""
        await self.transport.start(self.receive)
        try:
            while not self._stopping:
                self._restart = None
                try:
                    opened = await self.transport.open(self.behaviour.central_system(),
                                                       self.behaviour.password())
                except Refused as e:
                    log.warning("%s: %s; station skipped", self.identity, e)
                    self._stopping = True
                    self.refused.set()
                    break
                if not opened:
                    await self._sleep(self._backoff())
                    continue
                self.session = self._new_session()
                reason = await self._serve()
                if self._stopping:
                    break
                if self._restart == "drop":
                    continue                       # a reconnect storm: straight back
                if self._restart == "reboot":
                    await self._sleep(self.options.reboot_delay)
                    continue
                if reason and "replaced" in reason:
                    log.warning("%s: the central system replaced this connection by another with "
                                "the same identity (another emulator?); waiting %.0f s",
                                self.identity, self.options.backoff_max)
                    await self._sleep(self.options.backoff_max)
                    continue
                await self._sleep(self._backoff())
        finally:
            await self.transport.finish()

    def reset_backoff(self) -> None:
        """The station is up (booted): the next loss starts the backoff from the beginning."""
        self._attempt = 0

    def _backoff(self) -> float:
        delay = min(self.options.backoff_max, self.options.backoff_min * (2 ** self._attempt))
        self._attempt = min(self._attempt + 1, 30)
        return delay * random.uniform(0.5, 1.5)   # jitter: a fleet must not reconnect in step

    async def _sleep(self, seconds: float) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while not self._stopping:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), min(left, 1.0))
            except asyncio.TimeoutError:
                pass

    async def _serve(self) -> str | None:
        """One connection: until the link closes. Returns the close reason the server gave."""
        reader = asyncio.create_task(self.transport.run())
        life = asyncio.create_task(self.behaviour.live())
        try:
            await asyncio.wait({reader, life}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (reader, life):
                t.cancel()
            await asyncio.gather(reader, life, return_exceptions=True)
            if life.done() and not life.cancelled() and life.exception() is not None:
                e = life.exception()
                if isinstance(e, EXPECTED):
                    log.info("%s: %s; connecting again", self.identity, e)
                else:
                    log.error("%s: %r", self.identity, e)
            for uid in self.session.close():      # no answer will come on a closed link
                answer = self._answers.pop(uid, None)
                if answer is not None and not answer.done():
                    answer.set_exception(ConnectionError("socket closed"))
            await self.transport.release()
            self.behaviour.lost()
        if reader.done() and not reader.cancelled() and reader.exception() is None:
            return reader.result()
        return None

    async def stop(self) -> None:
        """Stop for good (a WebSocket closes with 1001, going away)."""
        self._stopping = True
        self._wake.set()
        for t in list(self._tasks):
            t.cancel()
        await self.transport.close("stop")

    async def drop(self) -> None:
        """Lose the connection now and reconnect at once (a reconnect storm)."""
        self._restart = "drop"
        await self.transport.close("drop")

    async def reboot(self) -> None:
        """Close the connection and come back after reboot_delay (the behaviour boots again)."""
        self._restart = "reboot"
        await self.transport.close("reboot")

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run what follows an answer (or any station task a stop must cancel)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            e = task.exception()
            if not isinstance(e, (ConnectionError, CallErrorReceived, asyncio.TimeoutError)):
                log.error("%s: %r", self.identity, e, exc_info=e)

    # ---------------------------------------------------------------- frames in
    async def receive(self, text: str) -> None:
        """One frame from the central system: an answer to our CALL, or a CALL to answer."""
        event = self.session.receive(text)
        if isinstance(event, AnswerReceived):
            answer = self._answers.pop(event.answer.unique_id, None)
            if answer is not None and not answer.done():
                answer.set_result(event.answer)
            return
        if isinstance(event, FrameRefused):
            if event.frame is not None:
                await self.transport.send(event.frame)
            return
        if isinstance(event, (CallRefused, Replayed)):
            await self.transport.send(event.reply.frame)
            self.stats.answered += 1
            return
        if not isinstance(event, CallReceived):
            return       # an answer nobody waits for any more; a 2.1 SEND
        call = event.call
        answer, follow = self.behaviour.answer(call)
        if self.options.validate and not isinstance(answer, CallError):
            try:
                self.schemas.check_response(call.action, answer)
            except ValidationError as e:
                self.stats.error(self.identity, f"our answer to {call.action} breaks the "
                                                f"schema: {e.code} {e.description}")
                answer, follow = CallError(call.unique_id, "InternalError", e.description), None
        if isinstance(answer, CallError):
            reply = self.session.error(call, answer.code, answer.description, answer.details)
        else:
            reply = self.session.result(call, answer)
        await self.transport.send(reply.frame)
        self.stats.answered += 1
        if follow is not None:
            self.spawn(follow())

    # ---------------------------------------------------------------- calls out
    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one CALL and wait for its answer; one at a time."""
        if self.options.validate:
            try:
                self.schemas.check_request(action, payload)
            except ValidationError as e:
                self.stats.error(self.identity, f"{action} would break the schema: "
                                                f"{e.code} {e.description}")
                raise
        async with self._lock:
            if not self.transport.is_open:
                raise ConnectionError(f"{self.identity} is not connected")
            uid = str(next(self._ids))
            future = asyncio.get_running_loop().create_future()
            self._answers[uid] = future
            try:
                await self.transport.send(self.session.call(uid, action, payload))
                self.stats.calls += 1
                answer = await asyncio.wait_for(future, self.options.call_timeout)
            except asyncio.TimeoutError:
                self.stats.error(self.identity, f"{action}: no answer within "
                                                f"{self.options.call_timeout:g} s")
                raise
            finally:
                self._answers.pop(uid, None)
                self.session.forget(uid)
        if isinstance(answer, CallError):
            self.stats.error(self.identity, f"{action}: {answer.code} {answer.description}")
            raise CallErrorReceived(action, answer)
        if self.stats.acked is not None:
            self.stats.acked.append((self.identity, uid, time.monotonic()))
        if self.options.validate:
            try:
                self.schemas.check_response(action, answer.payload)
            except ValidationError as e:
                self.stats.error(self.identity, f"{action} answer: {e.code} {e.description}")
                raise
        return answer.payload
