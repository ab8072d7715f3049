"""Commands from SQL to stations.

SQL queues a row in cs.command and NOTIFYs its id; the dispatcher wakes (or finds it at the next scan,
so a lost notification only delays it), claims the queued commands of the stations whose sockets this
node holds — one outstanding CALL per station, claimed atomically in SQL — sends each CALL, waits for
the answer and records it through SQL, where PL/pgSQL applies its effect. Commands of SOAP stations,
which have no socket, are claimed by any node and POSTed by soap.SoapDelivery.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, Protocol

import orjson

from ..database import Gateway, NotifyListener, is_connection_error
from ..protocol import CallError, error_name
from ..transport.stations import Stations
from ..validation import ValidationError, schemas_for
from . import secrets
from .secrets import Secrets, with_secret
from .soap import SoapDelivery

log = logging.getLogger("ocpp_cs.dispatcher")

CHANNEL = "ocpp_command"


class CallingSession(Protocol):
    identity: str
    version: str

    async def call(self, unique_id: str, action: str, payload: dict[str, Any],
                   timeout: float, logged: dict[str, Any] | None = None
                   ) -> dict[str, Any] | CallError: ...


class Dispatcher:
    def __init__(self, gateway: Gateway, stations: Stations, *, call_timeout: float,
                 scan_interval: float, soap: SoapDelivery | None = None):
        self.gateway = gateway
        self.soap = soap
        self._soap_failing = False
        self.stations = stations
        self.call_timeout = call_timeout
        self.scan_interval = scan_interval
        self._wake = asyncio.Event()
        self._calls: set[asyncio.Task] = set()
        self.secrets = Secrets()
        # {(action, outcome): count} of the CALLs sent, read by the node's metrics (outcome:
        # answered, callerror, bad_answer, timeout, interrupted)
        self.sent: Counter[tuple[str, str]] = Counter()

    def wake(self, *_: Any) -> None:
        self._wake.set()

    def subscribe(self, listener: NotifyListener) -> None:
        """Woken by NOTIFY ocpp_command, and each time the LISTEN is (again) in place: a command
        queued meanwhile is found at once, not at the next scan. New passwords come by ocpp_secret."""
        listener.subscribe(CHANNEL, self.wake, on_listen=self.wake)
        listener.subscribe(secrets.CHANNEL, self.secrets.on_notify)

    async def run(self) -> None:
        """Claim and send until cancelled."""
        await self.gateway.commands_interrupted()  # sent before our last stop: outcome unknown
        try:
            while True:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.scan_interval)
                except asyncio.TimeoutError:
                    pass
                self._wake.clear()
                try:
                    await self.dispatch()
                except Exception as e:  # noqa: BLE001 - PostgreSQL away: the next scan retries
                    if is_connection_error(e):
                        self.gateway.outage.failed("command dispatch", e)
                    else:
                        log.warning("dispatch failed: %s", e)
        finally:
            for task in self._calls:
                task.cancel()
            await asyncio.gather(*self._calls, return_exceptions=True)
            if self.soap is not None:
                await self.soap.close()
            try:  # what we sent and will never hear about: say so now, not at the next start
                await self.gateway.commands_interrupted()
            except Exception as e:  # noqa: BLE001 - the next start marks them
                log.warning("could not mark the commands in flight as interrupted: %s", e)

    async def dispatch(self) -> None:
        for command in await self.gateway.command_claim():
            self._spawn(self._deliver(command))
        if self.soap is not None:
            try:
                commands = await self.gateway.command_claim_soap()
                self._soap_failing = False
            except Exception as e:  # noqa: BLE001 - the WebSocket stations must not wait for it
                if not self._soap_failing:
                    log.warning("claiming the commands of SOAP stations failed: %s", e)
                self._soap_failing = True
                return
            for command in commands:
                self._spawn(self._deliver_soap(command))

    def _spawn(self, delivery: Any) -> None:
        task = asyncio.create_task(delivery)
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    async def _deliver_soap(self, command: dict[str, Any]) -> None:
        assert self.soap is not None
        try:
            await self.soap.deliver(command)
        except Exception as e:  # noqa: BLE001 - one command's failure must not stop the others
            log.error("command %s %s to %s over SOAP: %s", command.get("id"),
                      command.get("action"), command.get("identity"), e)
        finally:
            self.wake()  # this station may have its next command waiting

    async def _deliver(self, command: dict[str, Any]) -> None:
        cid, identity, action = command["id"], command["identity"], command["action"]
        payload, unique_id = command["payload"], command["uniqueId"]
        session: CallingSession | None = self.stations.get(identity)  # type: ignore[assignment]
        try:
            if session is None:
                # Its socket closed after the claim (the connection row goes a moment later):
                # nothing was sent, so the command waits in the queue again, not refused.
                await self.gateway.command_unclaim(cid)
                return
            logged = payload  # what the message log keeps: a new password stays masked there
            if command.get("secretPath"):
                secret = await self.secrets.take(cid)
                if secret is None:
                    await self.gateway.command_refused(
                        cid, "SecurityError", "the new password never reached this node (it comes "
                        "only by NOTIFY ocpp_secret and is never stored): queue the change again", {})
                    return
                payload = with_secret(payload, command["secretPath"], secret)
            schemas = schemas_for(session.version)
            try:
                schemas.check_request(action, payload)
            except ValidationError as e:
                # recorded as the station's version spells it, like every code it sees or sends
                await self.gateway.command_refused(cid, error_name(e.code, session.version),
                                                   e.description, e.details)
                return
            try:
                answer = await session.call(unique_id, action, payload, self.call_timeout, logged)
            except asyncio.TimeoutError:
                self.sent[action, "timeout"] += 1
                await self.gateway.command_timeout(cid)
                return
            except ConnectionError:
                self.sent[action, "interrupted"] += 1
                await self.gateway.commands_interrupted(identity)
                return
            if isinstance(answer, CallError):
                self.sent[action, "callerror"] += 1
                await self.gateway.command_error(cid, answer.code, answer.description,
                                                 answer.details)
                return
            try:
                schemas.check_response(action, answer)
            except ValidationError as e:
                self.sent[action, "bad_answer"] += 1
                await self.gateway.command_error(
                    cid, error_name(e.code, session.version),
                    f"the station's answer breaks the schema: {e.description}",
                    {**e.details, "response": answer})
                return
            self.sent[action, "answered"] += 1
            await self.gateway.command_result(cid, orjson.dumps(answer).decode())
        except Exception as e:  # noqa: BLE001 - one command's failure must not stop the others
            log.error("command %s %s to %s: %s", cid, action, identity, e)
        finally:
            self.wake()  # this station may have its next command waiting
