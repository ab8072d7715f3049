"""The one mapping from PostgreSQL errors to OCPP errors.

Rules in PL/pgSQL refuse a message by raising an SQLSTATE of class OC (docs/sql-api.md); the message
text is the description the station sees, DETAIL its details. A few SQLSTATEs of PostgreSQL's own
(class 22, below) are a station's value refused. Anything else is an InternalError whose text stays in
our log, never on the wire.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

SQLSTATE_CODE = {
    "OC000": "GenericError",
    "OC001": "NotImplemented",
    "OC002": "NotSupported",
    "OC003": "InternalError",
    "OC004": "ProtocolError",
    "OC005": "SecurityError",
    "OC006": "FormationViolation",
    "OC007": "PropertyConstraintViolation",
    "OC008": "OccurenceConstraintViolation",
    "OC009": "TypeConstraintViolation",
    "OC010": "PropertyConstraintViolation",  # NotFound: what OC007 gave stations before it existed
    # PostgreSQL's own refusals of a value a station sent that the schemas allow (an integer beyond
    # 32 bits cast to integer, a "1.0" to integer, a date beyond PostgreSQL's range): the value's
    # fault, so the station is told which, not InternalError. Only these codes: division by zero
    # (22012) and the rest of class 22 are bugs of a rule and stay InternalError.
    "22003": "PropertyConstraintViolation",  # numeric_value_out_of_range
    "22008": "PropertyConstraintViolation",  # datetime_field_overflow
    "22007": "PropertyConstraintViolation",  # invalid_datetime_format
    "22P02": "TypeConstraintViolation",      # invalid_text_representation
    "22P05": "PropertyConstraintViolation",  # untranslatable_character (\u0000 in jsonb)
}


@dataclass(frozen=True, slots=True)
class OcppError:
    code: str          # 1.6 spelling; rpc.error_name() respells it for the station's version
    description: str
    details: dict
    internal: str = ""  # what went wrong inside, for the log only


def to_ocpp_error(exc: BaseException) -> OcppError:
    if isinstance(exc, asyncpg.PostgresError):
        state = getattr(exc, "sqlstate", None) or ""
        code = SQLSTATE_CODE.get(state)
        message = getattr(exc, "message", None) or str(exc)
        detail = getattr(exc, "detail", None)
        if code == "InternalError":  # SQL's own InternalError: its detail is for us, not the station
            return OcppError(code, "internal error", {}, f"{message}: {detail}")
        if code is not None:
            return OcppError(code, message, {"detail": detail} if detail else {})
        return OcppError("InternalError", "internal error", {}, f"{state} {exc}")
    return OcppError("InternalError", "internal error", {}, f"{type(exc).__name__}: {exc}")


def is_connection_error(exc: BaseException) -> bool:
    """True when PostgreSQL was not reached, or dropped the session (08 connection exception, 57
    operator intervention: shutting down, restarting, our backend terminated): worth retrying.
    False when it refused the statement."""
    if isinstance(exc, asyncpg.PostgresError):
        return (getattr(exc, "sqlstate", None) or "")[:2] in ("08", "57")
    return isinstance(exc, (OSError, asyncio.TimeoutError, asyncpg.InterfaceError))


# SQLSTATE classes that refuse the statement's data, or the statement itself: the same statement
# fails the same way again (22 data exception, 23 integrity constraint, 54 program limit exceeded,
# 42 syntax error or access rule, OC ours). Anything else (08 connection, 57 operator intervention,
# 53 insufficient resources, 58 system error, a dropped socket) may pass when tried again.
REFUSAL_CLASSES = frozenset({"22", "23", "54", "42", "OC"})


def is_refusal(exc: BaseException) -> bool:
    """True when PostgreSQL refused the statement for what it holds: retrying it cannot help."""
    return (isinstance(exc, asyncpg.PostgresError)
            and (getattr(exc, "sqlstate", None) or "")[:2] in REFUSAL_CLASSES)
