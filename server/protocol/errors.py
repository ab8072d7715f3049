"""The one error table: each SQLSTATE a rule raises, in every outward form.

Rules in PL/pgSQL refuse a message by raising an SQLSTATE of class OC (docs/sql-api.md); the message
text is the description the station sees, DETAIL its details. A few SQLSTATEs of PostgreSQL's own
(class 22, below) are a station's value refused. Anything else is an InternalError whose text stays in
our log, never on the wire. Every layer looks its form up here and none reads message text:

    OCPP-J   the CALLERROR code (1.6 spelling; framing.error_name respells it per version)
    OCPP-S   a SOAP 1.2 Fault: Code env:Receiver for InternalError and GenericError (a failure of
             ours, not of the station's message: SOAP 1.2 part 1, 5.4.6), env:Sender for every other
             code, which is the Subcode in the central system's namespace. The same rule as SQL's
             cs.soap_fault, which answers the faults raised inside ocpp.parsexml.
    REST     the HTTP status and error name: 404 NotFound for OC010, 400 BadRequest for the other OC
             codes and for class 22 (a value refused); anything else is a 500 of ours.

Pure data and functions: no asyncpg here (database/errors.py reads an exception and calls
from_sqlstate).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .framing import error_name

__all__ = ["SQLSTATE_CODE", "OcppError", "from_sqlstate", "internal", "soap_fault_code",
           "fault_error_code", "http_error", "error_name"]

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
    # Something named does not exist (an unknown station, transaction, tag, setting): a station is
    # told its value is wrong, a REST client gets 404.
    "OC010": "PropertyConstraintViolation",
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

# REST: (status, error name) by SQLSTATE, then by class; no entry: the server's own failure (500).
HTTP_STATUS = {"OC010": (404, "NotFound")}
HTTP_CLASS = {"OC": (400, "BadRequest"), "22": (400, "BadRequest")}

# SOAP 1.2 Fault Code by OCPP code: a failure of the receiver, not of the message it got.
RECEIVER_CODES = frozenset({"InternalError", "GenericError"})


@dataclass(frozen=True, slots=True)
class OcppError:
    code: str          # 1.6 spelling; error_name() respells it for the station's version
    description: str
    details: dict[str, Any] = field(default_factory=dict)
    internal: str = ""  # what went wrong inside, for the log only

    @property
    def soap_code(self) -> str:
        return soap_fault_code(self.code)


def internal(what: str) -> OcppError:
    """An InternalError: the station reads "internal error", our log reads what."""
    return OcppError("InternalError", "internal error", {}, what)


def from_sqlstate(sqlstate: str | None, message: str, detail: str | None = None) -> OcppError:
    """The OCPP error for a PostgreSQL error of sqlstate with its MESSAGE and DETAIL."""
    state = sqlstate or ""
    code = SQLSTATE_CODE.get(state)
    if code == "InternalError":  # SQL's own InternalError: its detail is for us, not the station
        return internal(f"{message}: {detail}")
    if code is None:
        return internal(f"{state} {message}")
    return OcppError(code, message, {"detail": detail} if detail else {})


def soap_fault_code(code: str) -> str:
    """The SOAP 1.2 Fault Code (Sender or Receiver) for an OCPP error code (any spelling)."""
    return "Receiver" if code in RECEIVER_CODES else "Sender"


def fault_error_code(code: str | None, subcode: str | None) -> str:
    """The OCPP error code a station's SOAP Fault stands for: its Subcode (OCPP-S puts the OCPP
    error there), GenericError when it has none (the Code, Sender or Receiver, is no OCPP error;
    it is kept in the details as faultCode)."""
    return subcode or "GenericError"


def http_error(sqlstate: str | None) -> tuple[int, str] | None:
    """(HTTP status, error name) for a database refusal a REST client caused; None when the error
    is ours (500)."""
    state = sqlstate or ""
    return HTTP_STATUS.get(state) or HTTP_CLASS.get(state[:2])
