"""OCPP-J over WebSocket: /ocpp/[ACCOUNT/]IDENTITY.

The handshake picks the version from Sec-WebSocket-Protocol and asks PostgreSQL (ocpp.connect) whether
the station may connect; then each frame goes protocol session (framing, answers to our calls,
replays, directions) → validation → gateway and the reply goes back. This module only moves frames
and logs them: what they mean is decided in protocol/session.py. Frames of one station are handled
in order, one at a time, as OCPP-J requires.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from datetime import datetime, timezone
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol
from urllib.parse import unquote

import orjson
from aiohttp import WSMsgType, web

from .. import protocol as rpc
from ..config import OcppConfig
from ..database import Gateway, is_connection_error, to_ocpp_error
from ..messagelog import MessageLog
from ..messagelog.writer import IN, OUT
from ..protocol.actions import CENTRAL_SYSTEM
from ..protocol.session import (AnswerReceived, CallRefused, FrameRefused, Replayed, Reply,
                                SendReceived, UnexpectedAnswer)
from ..protocol.session import Session as ProtocolSession
from ..validation import ValidationError, schemas_for
from .identity import identity_problem, loggable
from .limits import RETRY_AFTER, BoundedWebSocketResponse, ConnectionLimits
from .proxy import TrustedProxies
from .stations import Stations
from .tls import direct_security

log = logging.getLogger("ocpp_cs.transport")

SUBPROTOCOL_PREFIX = "ocpp"

# Gateway.parse's signature: (identity, unique id, action, payload JSON, account, version) → reply
# payload JSON. The webhook client (webhook mode) has one too.
Parse = Callable[[str, str, str, str, "str | None", str], Awaitable[str]]


class Observer(Protocol):
    """What the station path tells the node's metrics (metrics.StationMetrics); called once per
    frame, so each must be cheap."""

    def call_received(self, version: str, action: str) -> None: ...

    def error_sent(self, code: str) -> None: ...

    def answered(self, seconds: float) -> None: ...


class Unobserved:
    """No metrics ([metrics] enabled = false, or a session built by a test)."""

    def call_received(self, version: str, action: str) -> None:
        pass

    def error_sent(self, code: str) -> None:
        pass

    def answered(self, seconds: float) -> None:
        pass


@dataclass(slots=True)
class StationPath:
    identity: str
    account: str | None


def station_path(raw_path: str) -> StationPath | None:
    """`/ocpp/[ACCOUNT/]IDENTITY`: the identity is the last segment, the account the one before it."""
    parts = [unquote(p) for p in raw_path.split("?", 1)[0].split("/")[2:] if p]
    if not parts or not parts[-1]:
        return None
    return StationPath(parts[-1], parts[-2] if len(parts) > 1 else None)


def offered_versions(header: str | None) -> list[str]:
    if not header:
        return []
    return [p.strip()[len(SUBPROTOCOL_PREFIX):] for p in header.split(",")
            if p.strip().lower().startswith(SUBPROTOCOL_PREFIX)] or ["?"]


def basic_auth(header: str | None) -> tuple[str, bytes] | None:
    """(user, password) of an Authorization: Basic header. The password is bytes: a 1.6
    AuthorizationKey may be any 20 bytes (OCPP-J 1.6), not UTF-8 text."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, colon, password = base64.b64decode(header[6:].strip(), validate=True).partition(b":")
        if not colon:
            return None
        return user.decode(), password
    except (binascii.Error, UnicodeDecodeError):
        return None


class Session:
    """One connected station: the socket, moved to and from its protocol session
    (protocol/session.py: pending calls, replays, directions), the gateway and the message log."""

    def __init__(self, ws: web.WebSocketResponse, identity: str, account: str | None, version: str,
                 gateway: Gateway, messages: MessageLog, config: OcppConfig,
                 parse: Parse | None = None, parse_name: str = "ocpp.parse",
                 observer: Observer | None = None):
        self.ws = ws
        self.identity = identity
        self.account = account
        self.version = version
        self.gateway = gateway
        # Who answers station-initiated messages: ocpp.parse, or the webhook in webhook mode.
        self.parse = parse or gateway.parse
        # ocpp.parse_logged writes an answered CALL's rows itself (not the webhook)
        self.logs_calls_in_sql = parse is None and gateway.logs_calls
        self.parse_name = parse_name
        self.messages = messages
        self.config = config
        self.observer = observer or Unobserved()
        self.schemas = schemas_for(version)
        self.protocol = ProtocolSession(
            CENTRAL_SYSTEM, version, replay=config.replay_repeated_call,
            max_depth=config.max_json_depth, integral_floats=config.integral_floats,
            max_frame_size=config.max_frame_size)
        # Our own CALLs awaiting the station's answer, by unique id (at most one: OCPP-J).
        self._answers: dict[str, asyncio.Future] = {}

    async def call(self, unique_id: str, action: str, payload: dict[str, Any],
                   timeout: float, logged: dict[str, Any] | None = None
                   ) -> dict[str, Any] | rpc.CallError:
        """Send a CALL and wait for its CALLRESULT payload or CALLERROR; the message log keeps
        `logged` (the payload with secrets masked) when given. Raises asyncio.TimeoutError, or
        ConnectionError when the socket closes first."""
        if self.ws.closed:
            raise ConnectionError("socket closed")
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        frame = self.protocol.call(unique_id, action, payload)
        self._answers[unique_id] = answer
        try:
            await self.ws.send_str(frame)
            self.messages.record(self.identity, self.account, OUT, rpc.CALL, action, unique_id,
                                 payload if logged is None else logged)
            return await asyncio.wait_for(answer, timeout)
        finally:
            self.protocol.forget(unique_id)
            self._answers.pop(unique_id, None)

    def fail_pending(self) -> None:
        """The socket closed: CALLs of ours still waiting will get no answer."""
        self.protocol.close()
        for answer in self._answers.values():
            if not answer.done():
                answer.set_exception(ConnectionError("socket closed before the answer"))

    async def close(self, code: int, reason: str) -> None:
        await self.ws.close(code=code, message=reason.encode())

    async def run(self) -> None:
        while True:
            msg = await self.ws.receive()
            if msg.type == WSMsgType.TEXT:
                await self.on_text(msg.data)
            elif msg.type == WSMsgType.BINARY:
                # OCPP-J is text only; without a readable id no CALLERROR can be addressed.
                self.messages.record(self.identity, self.account, IN, None, None, None,
                                     {"binaryLength": len(msg.data)}, "FormationViolation",
                                     "binary frame dropped: OCPP-J uses text frames")
            elif msg.type == WSMsgType.ERROR:
                log.info("%s: socket error: %s", self.identity, self.ws.exception())
                return
            else:  # CLOSE, CLOSING, CLOSED
                return

    async def on_text(self, text: str) -> None:
        started = time.perf_counter()
        event = self.protocol.receive(text)
        if isinstance(event, FrameRefused):
            await self._refuse(event, started)
        elif isinstance(event, (AnswerReceived, UnexpectedAnswer)):
            self.on_answer(event)
        elif isinstance(event, SendReceived):
            await self.on_send(event)
        else:
            self.observer.call_received(self.version, event.call.action)
            if isinstance(event, Replayed):
                self._record_call(event.call)
                await self._send(event.reply, started, "replayed reply to a repeated CALL")
            elif isinstance(event, CallRefused):
                self._record_call(event.call)
                await self._send(event.reply, started)
            else:
                await self.on_call(event.call, started)

    def _record_call(self, call: rpc.Call, at: datetime | None = None) -> None:
        self.messages.record(self.identity, self.account, IN, rpc.CALL, call.action,
                             call.unique_id, call.payload, at=at)

    def on_answer(self, event: AnswerReceived | UnexpectedAnswer) -> None:
        answer = event.answer
        if isinstance(answer, rpc.CallResult):
            kind, payload, code, note = rpc.CALLRESULT, answer.payload, None, None
        else:
            kind, payload, code, note = rpc.CALLERROR, answer.details, answer.code, answer.description
        if isinstance(event, UnexpectedAnswer):
            self.messages.record(self.identity, self.account, IN, kind, None, answer.unique_id,
                                 payload, code or "ProtocolError",
                                 "no CALL of ours awaits this answer")
            return
        self.messages.record(self.identity, self.account, IN, kind, event.action, answer.unique_id,
                             payload, code, note)
        future = self._answers.get(answer.unique_id)
        if future is not None and not future.done():
            future.set_result(answer.payload if isinstance(answer, rpc.CallResult) else answer)

    async def on_call(self, call: rpc.Call, started: float) -> None:
        """A CALL the station may send: validation, then SQL (or the webhook) answers it. With
        durable calls (gateway.logs_calls) ocpp.parse_logged writes the CALL and its CALLRESULT
        into the message log in the transaction that stores the message, before the answer; a
        CALL that gets a CALLERROR, or any CALL without durable calls, is logged here."""
        by_sql = self.logs_calls_in_sql
        received = datetime.now(timezone.utc)
        if not by_sql:
            self._record_call(call, received)
        logged = False  # the CALL's rows are committed with its data
        try:
            # The message log has the payload as it came; validation and SQL read it normalised.
            payload = self._normalise(call.action, call.payload)
            self.schemas.check_request(call.action, payload)
            payload_json = orjson.dumps(payload).decode()
            if by_sql:
                # normalising copies only what it rewrites: the same object is the same payload
                raw = None if payload is call.payload else orjson.dumps(call.payload).decode()
                reply_json = await self.parse(self.identity, call.unique_id, call.action,
                                              payload_json, self.account, self.version,
                                              raw_json=raw, received=received)
                logged = True
            else:
                reply_json = await self.parse(self.identity, call.unique_id, call.action,
                                              payload_json, self.account, self.version)
            reply = orjson.loads(reply_json)
            try:
                self.schemas.check_response(call.action, reply)
            except ValidationError as e:
                raise RuntimeError(f"{self.parse_name} reply breaks the {call.action}Response schema: "
                                   f"{e.description}: {reply_json}") from None
            answer = self.protocol.result(call, reply, reply_json)
        except ValidationError as e:
            if by_sql:
                self._record_call(call, received)
            answer = self.protocol.error(call, e.code, e.description, e.details)
        except Exception as e:  # noqa: BLE001 - every failure becomes a CALLERROR, never a crash
            if by_sql and not logged:
                self._record_call(call, received)
            logged = False  # SQL logged a CALLRESULT (a reply that broke its schema): log the error
            err = to_ocpp_error(e)
            if err.internal:
                # Transient or a bug: logged with its cause (PostgreSQL away: once per outage, by
                # the gateway), and not kept for replays.
                if not is_connection_error(e):
                    log.error("%s %s %s: %s", self.identity, call.action, call.unique_id,
                              err.internal)
                answer = self.protocol.error(call, err.code, err.description, err.details,
                                             remember=False)
                await self._send(answer, started, err.internal)
                return
            answer = self.protocol.error(call, err.code, err.description, err.details)
        await self._send(answer, started, logged=logged)

    async def on_send(self, event: SendReceived) -> None:
        """2.1's SEND: processed like a CALL, but nothing goes back, not even an error."""
        message = event.call
        self.observer.call_received(self.version, message.action)
        error: tuple[str | None, str | None] = (None, None)
        try:
            if event.error is not None:
                raise ValidationError(event.error.code, event.error.description)
            payload = self._normalise(message.action, message.payload)
            self.schemas.check_request(message.action, payload)
            await self.parse(self.identity, message.unique_id, message.action,
                             orjson.dumps(payload).decode(), self.account, self.version)
        except ValidationError as e:
            error = (rpc.error_name(e.code, self.version), e.description)
        except Exception as e:  # noqa: BLE001 - logged; a SEND has no way back
            err = to_ocpp_error(e)
            error = (rpc.error_name(err.code, self.version), err.internal or err.description)
        self.messages.record(self.identity, self.account, IN, rpc.SEND, message.action,
                             message.unique_id, message.payload, *error)

    def _normalise(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.schemas.normalise_request(
            action, payload, integral_floats=self.config.integral_floats,
            utc_without_offset=self.config.timestamps_without_offset == "utc")

    async def _send(self, reply: Reply, started: float, note: str | None = None,
                    logged: bool = False) -> None:
        """Send a reply and log it (unless SQL has: logged)."""
        await self.ws.send_str(reply.frame)
        seconds = time.perf_counter() - started
        latency = seconds * 1000
        self.observer.answered(seconds)
        call, sent = reply.call, reply.result
        if logged:
            self.messages.written_elsewhere(2)  # the CALL and its CALLRESULT, by ocpp.parse_logged
            return
        if isinstance(sent, rpc.CallError):
            self.observer.error_sent(sent.code)
            self.messages.record(self.identity, self.account, OUT, rpc.CALLERROR, call.action,
                                 call.unique_id, sent.details, sent.code, note or sent.description,
                                 latency)
        else:
            self.messages.record(self.identity, self.account, OUT, rpc.CALLRESULT, call.action,
                                 call.unique_id, sent, None, note, latency)

    async def _refuse(self, event: FrameRefused, started: float) -> None:
        """A frame we cannot process: log it, and answer with a CALLERROR when it has an id."""
        # jsonb refuses NUL, which text that is not JSON may hold raw
        self.messages.record(self.identity, self.account, IN, None, None, event.unique_id,
                             event.excerpt.replace("\x00", "\\u0000"), event.code,
                             event.description)
        if event.frame is None:
            log.info("%s: dropped a frame without a readable id: %s", self.identity,
                     event.description)
            return
        await self.ws.send_str(event.frame)
        seconds = time.perf_counter() - started
        self.observer.answered(seconds)
        self.observer.error_sent(event.code)
        self.messages.record(self.identity, self.account, OUT, rpc.CALLERROR, None,
                             event.unique_id, {}, event.code, event.description, seconds * 1000)


class WebSocketEndpoint:
    def __init__(self, gateway: Gateway, messages: MessageLog, stations: Stations,
                 config: OcppConfig, on_connect: Callable[[], None] = lambda: None,
                 parse: Parse | None = None, parse_name: str = "ocpp.parse",
                 proxies: TrustedProxies | None = None, observer: Observer | None = None):
        self.gateway = gateway
        self.observer = observer or Unobserved()
        self.proxies = proxies or TrustedProxies()
        self.parse = parse
        self.parse_name = parse_name
        self.on_connect = on_connect
        self.messages = messages
        self.stations = stations
        self.config = config
        self.limits = ConnectionLimits(config.max_connections, config.max_connections_per_ip)
        for version in config.versions:
            schemas_for(version)  # compile every schema at start-up, not on a station's first frame

    def _refuse(self, where: StationPath | None, status: int, reason: str,
                headers: dict[str, str] | None = None) -> web.Response:
        self.messages.record(loggable(where.identity) if where else "",
                             loggable(where.account) if where and where.account else None,
                             IN, None, "Handshake", None, None, f"HTTP {status}", reason)
        return web.Response(status=status, text=reason + "\n", headers=headers)

    def choose_version(self, offered: list[str]) -> str | None:
        if not offered:
            return self.config.default_version
        return next((v for v in self.config.versions if v in offered), None)

    def security(self, request: web.Request) -> tuple[bool, dict[str, Any] | None]:
        """(tls, verified client certificate) for ocpp.connect: as a trusted proxy forwarded them,
        else the connection's own."""
        return self.proxies.forwarded(request) or direct_security(request)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """handle, within the connection caps ([ocpp] max_connections, max_connections_per_ip),
        checked before anything else: a refused handshake costs no database work."""
        ip = request.remote or ""
        refusal = self.limits.admit(ip)
        if refusal is not None:
            return self._refuse(station_path(request.raw_path), 503, refusal,
                                {"Retry-After": RETRY_AFTER})
        try:
            return await self.handle(request)
        finally:
            self.limits.release(ip)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        where = station_path(request.raw_path)
        if where is None:
            return self._refuse(None, 404, "no station identity in the path: use /ocpp/IDENTITY")
        for name in (where.identity, where.account or ""):
            problem = identity_problem(name, self.config.max_identity_length)
            if problem is not None:
                return self._refuse(where, 400, problem)
        # Nothing may reach SQL (ocpp.connect creates the station and its connection row) before
        # the request is known to be a WebSocket upgrade: a plain GET must not leave a phantom.
        if "websocket" not in request.headers.get("Upgrade", "").lower():
            return self._refuse(where, 426, "OCPP-J needs a WebSocket upgrade (Upgrade: websocket)",
                                {"Upgrade": "websocket", "Connection": "Upgrade"})
        offered = offered_versions(request.headers.get("Sec-WebSocket-Protocol"))
        version = self.choose_version(offered)
        if version is None:
            return self._refuse(where, 400, "none of the offered subprotocols "
                                f"{request.headers.get('Sec-WebSocket-Protocol')!r} is supported; "
                                "supported: " + ", ".join("ocpp" + v for v in self.config.versions))
        ws = BoundedWebSocketResponse(
            name=where.identity, send_timeout=self.config.send_timeout,
            write_buffer_size=self.config.write_buffer_size,
            protocols=[SUBPROTOCOL_PREFIX + version] if offered else [],
            heartbeat=self.config.ping_interval or None,
            receive_timeout=self.config.idle_timeout or None,
            max_msg_size=self.config.max_message_size,
            compress=False,  # permessage-deflate costs ~300 KB per socket; OCPP frames are small
        )
        if not ws.can_prepare(request).ok:
            return self._refuse(where, 400, "invalid WebSocket handshake (RFC 6455 4.2.1: "
                                "Connection: Upgrade, Sec-WebSocket-Version 13, Sec-WebSocket-Key)")
        credentials = basic_auth(request.headers.get("Authorization"))
        if credentials is not None and credentials[0] != where.identity:
            return self._refuse(where, 401, "Basic auth user must be the station identity",
                                {"WWW-Authenticate": 'Basic realm="OCPP"'})
        # With a client certificate a station needs no Authorization header (profile 3): SQL
        # decides, so a missing password is passed on as None, not refused here.
        tls, certificate = self.security(request)
        try:
            decision = await self.gateway.connect(where.identity, where.account, version,
                                                  credentials[1] if credentials else None,
                                                  request.remote, tls=tls, certificate=certificate)
        except Exception as e:  # noqa: BLE001 - a handshake is answered, never a 500 and a traceback
            if is_connection_error(e):
                self.gateway.outage.failed("station handshakes", e)
                return self._refuse(where, 503, "the central system cannot reach its database; "
                                    "connect again later", {"Retry-After": "10"})
            err = to_ocpp_error(e)
            if err.internal:
                log.error("%s: handshake: %s", where.identity, err.internal)
                return self._refuse(where, 503, "internal error")
            return self._refuse(where, 400, err.description)
        if not decision.get("accepted"):
            return self._refuse(where, 401, decision.get("reason") or "not authorized",
                                {"WWW-Authenticate": 'Basic realm="OCPP"'})

        if self.config.ping_interval:
            ws._pong_heartbeat = self.config.ping_timeout  # aiohttp fixes it at heartbeat / 2
        await ws.prepare(request)
        session = Session(ws, where.identity, where.account, version, self.gateway,
                          self.messages, self.config, self.parse, self.parse_name,
                          self.observer)
        previous = self.stations.add(session)
        if previous is not None:
            await previous.close(1000, "replaced by a new connection")
        self.messages.record(where.identity, where.account, IN, None, "Connect", None,
                             {"version": version, "remote": request.remote, "tls": tls,
                              "certificate": certificate})
        self.on_connect()
        try:
            await session.run()
        except asyncio.TimeoutError:
            await session.close(1000, "idle timeout")
        finally:
            session.fail_pending()
            if self.stations.remove(session):
                try:
                    await self.gateway.disconnect(where.identity, decision.get("connectedAt"))
                except Exception as e:  # noqa: BLE001 - the node_start at the next start cleans up
                    log.warning("%s: could not record the disconnect: %s", where.identity, e)
            self.messages.record(where.identity, where.account, IN, None, "Disconnect", None,
                                 {"closeCode": ws.close_code})
        return ws
