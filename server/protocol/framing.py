"""OCPP-J framing (OCPP-J 1.6 section 4; OCPP 2.0.1 and 2.1 part 4 section 4), pure functions.

    CALL             [2, "<uniqueId>", "<Action>", {<payload>}]
    CALLRESULT       [3, "<uniqueId>", {<payload>}]
    CALLERROR        [4, "<uniqueId>", "<errorCode>", "<errorDescription>", {<errorDetails>}]
    CALLRESULTERROR  [5, "<uniqueId>", "<errorCode>", "<errorDescription>", {<errorDetails>}]  2.1
    SEND             [6, "<uniqueId>", "<Action>", {<payload>}]                                2.1, no reply
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND = 2, 3, 4, 5, 6
MAX_UNIQUE_ID = 36
# JSON nesting a frame may have (the array itself is level 1). PostgreSQL refuses jsonb deeper than
# a few hundred levels, and every frame goes to the message log as jsonb: refused here, with an
# answer, rather than by PostgreSQL, which would lose the log row. [ocpp] max_json_depth.
MAX_DEPTH = 64

MESSAGE_TYPES = {
    "1.6": frozenset({CALL, CALLRESULT, CALLERROR}),
    "2.0.1": frozenset({CALL, CALLRESULT, CALLERROR}),
    "2.1": frozenset({CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND}),
}

# The code uses the 2.0.1 framework names for framing errors and the 1.6 spelling for the rest;
# each version's station gets its own words. 1.6 has no framework codes: FormationViolation it is.
_RENAMED = {
    "1.6": {"RpcFrameworkError": "FormationViolation",
            "MessageTypeNotSupported": "FormationViolation"},
    "2.0.1": {"FormationViolation": "FormatViolation",
              "OccurenceConstraintViolation": "OccurrenceConstraintViolation"},
}
_RENAMED["2.1"] = _RENAMED["2.0.1"]


def error_name(code: str, version: str) -> str:
    """The CALLERROR code as `version` spells it."""
    return _RENAMED.get(version, {}).get(code, code)


@dataclass(frozen=True, slots=True)
class Call:
    unique_id: str
    action: str
    payload: dict[str, Any]
    reply: bool = True  # False for 2.1's SEND


@dataclass(frozen=True, slots=True)
class CallResult:
    unique_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallError:
    unique_id: str
    code: str
    description: str
    details: dict[str, Any] = field(default_factory=dict)


class FramingError(Exception):
    """A frame that is not a valid OCPP-J message. `unique_id` is None when none could be read,
    in which case no CALLERROR can be addressed and the frame is only logged."""

    def __init__(self, description: str, unique_id: str | None, code: str = "RpcFrameworkError"):
        super().__init__(description)
        self.description = description
        self.unique_id = unique_id
        self.code = code


# For text that is not JSON at all: a CALL's id can still often be read from its start
# (never with a control character: the id goes back on the wire and into the log).
_ID_AT_START = re.compile(r'^\s*\[\s*[2-6]\s*,\s*"([^"\\\x00-\x1f]{1,36})"')


def peek_unique_id(text: str) -> str | None:
    m = _ID_AT_START.match(text)
    return m.group(1) if m else None


def _read_id(frame: list[Any]) -> str | None:
    """The id to address a CALLERROR to: a string without NUL (PostgreSQL text cannot hold it),
    or a number's digits; None when there is none."""
    if len(frame) < 2:
        return None
    uid = frame[1]
    if isinstance(uid, str):
        return uid if uid and "\x00" not in uid else None
    if isinstance(uid, (int, float)) and not isinstance(uid, bool):
        return str(uid)
    return None


def _unstorable(frame: list[Any], max_depth: int) -> tuple[str, str] | None:
    """(code, description) when the decoded frame cannot be passed on as jsonb: nested deeper than
    max_depth, or a string (value or key) with NUL, which PostgreSQL's jsonb and text refuse.
    Iterative, so no frame can exhaust Python's recursion either."""
    stack: list[tuple[Any, int]] = [(frame, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "PropertyConstraintViolation", "NUL character not allowed in a string"
        elif isinstance(value, (list, dict)):
            if depth > max_depth:
                return ("FormationViolation",
                        f"JSON nested deeper than the limit of {max_depth} levels")
            if isinstance(value, dict):
                for key, item in value.items():
                    if "\x00" in key:
                        return ("PropertyConstraintViolation",
                                "NUL character not allowed in a property name")
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


def _message_type(kind: Any, integral_floats: bool) -> int | None:
    """The MessageTypeId as an int; None for anything else (an object, null, true, "2", 2.5).
    2.0 counts as 2 when integral floats are tolerated ([ocpp] integral_floats)."""
    if isinstance(kind, bool):
        return None
    if isinstance(kind, int):
        return kind
    if integral_floats and isinstance(kind, float) and kind.is_integer():
        return int(kind)
    return None


def decode(text: str | bytes, version: str = "1.6", *, max_depth: int = MAX_DEPTH,
           integral_floats: bool = True) -> Call | CallResult | CallError:
    """Decode one frame of a `version` station. Raises FramingError for anything that is not a
    well-formed message of that version, or that could not be stored (see _unstorable)."""
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
        raise FramingError(f"frame is not valid JSON: {e}", peek_unique_id(raw)) from None
    if not isinstance(frame, list) or not frame:
        raise FramingError("frame is not a JSON array", None)
    uid = _read_id(frame)
    # The walk is needed only when the text could hold a NUL (JSON writes it \u0000, and orjson
    # refuses a raw one) or more brackets than the depth limit: most frames are spared it.
    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    unstorable = (_unstorable(frame, max_depth)
                  if "\\u0000" in raw or raw.count("{") + raw.count("[") > max_depth else None)
    if unstorable is not None:
        raise FramingError(unstorable[1], uid, unstorable[0])
    kind = _message_type(frame[0], integral_floats)
    if kind is None:
        raise FramingError("MessageTypeId must be an integer, not "
                           f"{orjson.dumps(frame[0]).decode()[:40]}", uid)
    if not isinstance(uid, str) or not isinstance(frame[1], str):
        raise FramingError("uniqueId must be a string", uid)
    if len(uid) > MAX_UNIQUE_ID:
        raise FramingError(f"uniqueId longer than {MAX_UNIQUE_ID} characters", uid)
    if kind not in MESSAGE_TYPES.get(version, MESSAGE_TYPES["1.6"]):
        raise FramingError(f"message type {kind!r} is not one of OCPP {version}", uid,
                           "MessageTypeNotSupported")
    if kind in (CALL, SEND):
        if len(frame) != 4:
            raise FramingError(f"CALL must have 4 elements, has {len(frame)}", uid)
        action, payload = frame[2], frame[3]
        if not isinstance(action, str) or not action:
            raise FramingError("CALL action must be a non-empty string", uid)
        if not isinstance(payload, dict):
            raise FramingError("CALL payload must be a JSON object", uid, "FormationViolation")
        return Call(uid, action, payload, reply=kind == CALL)
    if kind == CALLRESULT:
        if len(frame) != 3 or not isinstance(frame[2], dict):
            raise FramingError("CALLRESULT must be [3, uniqueId, {payload}]", uid)
        return CallResult(uid, frame[2])
    # CALLERROR, and 2.1's CALLRESULTERROR (the station could not take our CALLRESULT)
    if (len(frame) != 5 or not isinstance(frame[2], str) or not isinstance(frame[3], str)
            or not isinstance(frame[4], dict)):
        raise FramingError(f"[{kind}, uniqueId, code, description, {{details}}] expected", uid)
    return CallError(uid, frame[2], frame[3], frame[4])


def encode_call(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    return orjson.dumps([CALL, unique_id, action, payload]).decode()


def encode_send(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    """2.1's SEND: a CALL that gets no reply."""
    return orjson.dumps([SEND, unique_id, action, payload]).decode()


def encode_call_result(unique_id: str, payload_json: str) -> str:
    """`payload_json` is already JSON text (as PostgreSQL returned it): spliced, not re-encoded."""
    return f"[3,{orjson.dumps(unique_id).decode()},{payload_json}]"


def encode_call_error(unique_id: str, code: str, description: str,
                      details: dict[str, Any] | None = None) -> str:
    return orjson.dumps([CALLERROR, unique_id, code, description, details or {}]).decode()
