"""One OCPP-J peer's call/answer state machine, without I/O (like websockets' protocol.py).

The same class serves both ends of an OCPP-J connection: the central system (transport/websocket.py)
and the emulator's station. It holds what the wire protocol needs remembered between frames, and
nothing else: no socket, no asyncio, no database, no clock.

Contract
--------
    session = Session(role, version, replay=True)      role: actions.CENTRAL_SYSTEM or actions.STATION

Sending a CALL:
    frame = session.call(unique_id, action, payload)   registers (unique_id → action) as pending and
                                                        returns the text to send. ValueError when
                                                        unique_id is already pending.
    session.forget(unique_id)                           the caller gave up (timeout, send failed):
                                                        an answer arriving later matches nothing.
    session.close()                                     the socket closed: returns the pending ids,
                                                        which will get no answer, and forgets them.
    frame = session.send(unique_id, action, payload)    2.1's SEND [6, ...]: nothing is pending.
Timeouts stay with the caller: the session has no clock.

Receiving a frame: `event = session.receive(text)` returns exactly one of
    CallReceived(call)          a CALL the peer may send us: handle it, then answer with
                                session.result(call, payload) or session.error(call, code, ...),
                                each returning a Reply whose .frame goes on the wire.
    SendReceived(call, error)   a 2.1 SEND: handle it when error is None; nothing ever goes back.
                                error (a CallError) says why it is refused otherwise.
    Replayed(call, reply)       the same CALL (unique id and action) as the last one (replay on):
                                send reply.frame again; do not handle the CALL a second time.
    CallRefused(call, reply)    a CALL the peer may not send (actions.refusal: NotImplemented,
                                NotSupported, ProtocolError): send reply.frame, the CALLERROR. It is
                                remembered for replays like any other reply.
    AnswerReceived(answer, action)  a CALLRESULT or CALLERROR (2.1: CALLRESULTERROR too) to our
                                pending CALL of that action; the CALL is no longer pending.
    UnexpectedAnswer(answer)    an answer no pending CALL of ours awaits (late, unknown id).
    FrameRefused(unique_id, code, description, frame, excerpt)
                                not a valid OCPP-J message of this version, or longer than
                                max_frame_size: frame is the CALLERROR to send back, None when no
                                id could be read (then nothing can be sent); excerpt is the start of
                                the text, as much of it as is worth logging.

Replies and replay: session.result() and session.error() remember the reply to the last CALL
(remember=False for an internal failure that a repeat may not get), and a CALL repeating it is
answered with the same frame (a station that got no answer may send its CALL again with the same
id, and must not have it applied twice). Only the last CALL is remembered; replay=False turns it off.

Error codes are taken and given in the 1.6 spelling (FormationViolation,
OccurenceConstraintViolation) and the 2.0.1 framework names (RpcFrameworkError,
MessageTypeNotSupported); the frames and events carry them as `version` spells them
(framing.error_name).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, Union

import orjson

from . import actions
from .framing import (
    MAX_DEPTH,
    Call,
    CallError,
    CallResult,
    FramingError,
    decode,
    encode_call,
    encode_call_error,
    encode_call_result,
    encode_send,
    error_name,
    peek_unique_id,
)

# How much of a refused frame an event carries for the log: an oversized frame less.
EXCERPT = 4096
OVERSIZE_EXCERPT = 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """Our answer to `call`: the text to send, and what it says (the CALLRESULT payload, or the
    CallError with the code as the version spells it)."""
    call: Call
    frame: str
    result: dict[str, Any] | CallError


@dataclass(frozen=True, slots=True)
class CallReceived:
    call: Call


@dataclass(frozen=True, slots=True)
class SendReceived:
    call: Call
    error: CallError | None = None


@dataclass(frozen=True, slots=True)
class Replayed:
    call: Call
    reply: Reply


@dataclass(frozen=True, slots=True)
class CallRefused:
    call: Call
    reply: Reply


@dataclass(frozen=True, slots=True)
class AnswerReceived:
    answer: CallResult | CallError
    action: str


@dataclass(frozen=True, slots=True)
class UnexpectedAnswer:
    answer: CallResult | CallError


@dataclass(frozen=True, slots=True)
class FrameRefused:
    unique_id: str | None
    code: str
    description: str
    frame: str | None
    excerpt: str


Event = Union[CallReceived, SendReceived, Replayed, CallRefused, AnswerReceived, UnexpectedAnswer,
              FrameRefused]


class Session:
    """The OCPP-J state of one connection, seen from `role` (actions.CENTRAL_SYSTEM or
    actions.STATION) speaking `version` ("1.6", "2.0.1", "2.1")."""

    def __init__(self, role: str, version: str, *, replay: bool = True,
                 max_depth: int = MAX_DEPTH, integral_floats: bool = True,
                 max_frame_size: int | None = None):
        self.role = role
        self.peer = actions.other(role)
        self.version = version
        actions.actions(version)  # ValueError for a version the table does not know
        self.replay = replay
        self.max_depth = max_depth
        self.integral_floats = integral_floats
        self.max_frame_size = max_frame_size
        self._pending: dict[str, str] = {}
        self._last: Reply | None = None

    # ------------------------------------------------------------------ ours
    @property
    def pending(self) -> Mapping[str, str]:
        """Our CALLs awaiting an answer: unique id → action (read-only)."""
        return MappingProxyType(self._pending)

    def call(self, unique_id: str, action: str, payload: dict[str, Any]) -> str:
        if unique_id in self._pending:
            raise ValueError(f"a CALL with unique id {unique_id!r} is already pending")
        frame = encode_call(unique_id, action, payload)
        self._pending[unique_id] = action
        return frame

    def send(self, unique_id: str, action: str, payload: dict[str, Any]) -> str:
        return encode_send(unique_id, action, payload)

    def forget(self, unique_id: str) -> str | None:
        """Stop waiting for unique_id's answer; its action, or None when it was not pending."""
        return self._pending.pop(unique_id, None)

    def close(self) -> list[str]:
        ids = list(self._pending)
        self._pending.clear()
        return ids

    # ------------------------------------------------------------------ theirs
    def receive(self, text: str | bytes) -> Event:
        if self.max_frame_size is not None and len(text) > self.max_frame_size:
            raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
            return self._refuse_frame(
                peek_unique_id(raw), "FormationViolation",
                f"frame of {len(text)} characters exceeds the limit of {self.max_frame_size}",
                raw[:OVERSIZE_EXCERPT])
        try:
            message = decode(text, self.version, max_depth=self.max_depth,
                             integral_floats=self.integral_floats)
        except FramingError as e:
            raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
            return self._refuse_frame(e.unique_id, e.code, e.description, raw[:EXCERPT])
        if isinstance(message, Call):
            return self._on_call(message)
        action = self._pending.pop(message.unique_id, None)
        if action is None:
            return UnexpectedAnswer(message)
        return AnswerReceived(message, action)

    def result(self, call: Call, payload: dict[str, Any], payload_json: str | None = None
               ) -> Reply:
        """The CALLRESULT to call. payload_json, when given, is payload already as JSON text
        (as PostgreSQL returned it): spliced into the frame, not encoded again."""
        if payload_json is None:
            payload_json = orjson.dumps(payload).decode()
        reply = Reply(call, encode_call_result(call.unique_id, payload_json), payload)
        self._remember(reply)
        return reply

    def error(self, call: Call, code: str, description: str,
              details: dict[str, Any] | None = None, *, remember: bool = True) -> Reply:
        """The CALLERROR to call, code respelled for the version. remember=False: a repeat of the
        CALL is handled again rather than replayed (an internal failure may pass next time)."""
        code = error_name(code, self.version)
        error = CallError(call.unique_id, code, description, details or {})
        reply = Reply(call, encode_call_error(call.unique_id, code, description, error.details),
                      error)
        if remember:
            self._remember(reply)
        return reply

    def _on_call(self, call: Call) -> Event:
        if not call.reply:
            refused = actions.refusal(self.version, self.role, call.action, as_send=True)
            if refused is None:
                return SendReceived(call)
            return SendReceived(call, CallError(call.unique_id, error_name(refused[0], self.version),
                                                refused[1]))
        last = self._last
        if (self.replay and last is not None and last.call.unique_id == call.unique_id
                and last.call.action == call.action):
            return Replayed(call, last)
        refused = actions.refusal(self.version, self.role, call.action)
        if refused is not None:
            return CallRefused(call, self.error(call, *refused))
        return CallReceived(call)

    def _remember(self, reply: Reply) -> None:
        if self.replay:
            self._last = reply

    def _refuse_frame(self, unique_id: str | None, code: str, description: str,
                      excerpt: str) -> FrameRefused:
        code = error_name(code, self.version)
        frame = None if unique_id is None else encode_call_error(unique_id, code, description)
        return FrameRefused(unique_id, code, description, frame, excerpt)
