"""The OCPP protocol without I/O: no socket, no asyncio, no database (like websockets' protocol.py).

    framing.py   OCPP-J frames: decode a frame into a message, encode calls, replies and errors
    session.py   one OCPP-J peer's call/answer state machine (pending calls, replay, directions),
                 for the central system and the emulator's station alike
    actions.py   which actions each version has and which side sends each
    errors.py    the one error table: SQLSTATE → CALLERROR code, SOAP fault, HTTP status
    soap.py      the OCPP-S envelope codec (SOAP 1.2), with the hostile-XML guards of its parser
"""
from .framing import (
    CALL,
    CALLERROR,
    CALLRESULT,
    CALLRESULTERROR,
    SEND,
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

__all__ = [
    "CALL", "CALLRESULT", "CALLERROR", "CALLRESULTERROR", "SEND", "Call", "CallResult", "CallError", "FramingError",
    "decode", "encode_call", "encode_call_result", "encode_call_error", "encode_send", "error_name", "peek_unique_id",
]
