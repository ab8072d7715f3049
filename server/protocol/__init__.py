"""OCPP-J RPC framing without I/O: decode a frame into a message, encode replies and errors."""
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
    error_name,
    peek_unique_id,
)

__all__ = [
    "CALL", "CALLRESULT", "CALLERROR", "CALLRESULTERROR", "SEND", "Call", "CallResult", "CallError", "FramingError",
    "decode", "encode_call", "encode_call_result", "encode_call_error", "error_name", "peek_unique_id",
]
