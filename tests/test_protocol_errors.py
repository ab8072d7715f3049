"""protocol/errors.py: each SQLSTATE in every outward form, without a database."""
from __future__ import annotations

import pytest

from ocpp_cs.protocol.errors import (
    SQLSTATE_CODE,
    OcppError,
    error_name,
    fault_error_code,
    from_sqlstate,
    http_error,
    soap_fault_code,
)


@pytest.mark.parametrize("sqlstate, code", [
    ("OC000", "GenericError"), ("OC001", "NotImplemented"), ("OC002", "NotSupported"),
    ("OC004", "ProtocolError"), ("OC005", "SecurityError"), ("OC006", "FormationViolation"),
    ("OC007", "PropertyConstraintViolation"), ("OC008", "OccurenceConstraintViolation"),
    ("OC009", "TypeConstraintViolation"), ("OC010", "PropertyConstraintViolation"),
    ("22003", "PropertyConstraintViolation"), ("22P02", "TypeConstraintViolation"),
])
def test_refusals_reach_the_station_with_message_and_detail(sqlstate, code):
    assert from_sqlstate(sqlstate, "unknown station", "X1") == \
        OcppError(code, "unknown station", {"detail": "X1"})
    assert from_sqlstate(sqlstate, "bad", None) == OcppError(code, "bad", {})


def test_internal_errors_stay_in_our_log():
    assert from_sqlstate("OC003", "setting missing", "key x") == \
        OcppError("InternalError", "internal error", {}, "setting missing: key x")
    for state in ("22012", "42883", "", None):
        err = from_sqlstate(state, "boom")
        assert (err.code, err.description, err.details) == ("InternalError", "internal error", {})
        assert "boom" in err.internal


def test_soap_fault_codes():
    assert soap_fault_code("InternalError") == "Receiver"
    assert soap_fault_code("GenericError") == "Receiver"
    for code in set(SQLSTATE_CODE.values()) - {"InternalError", "GenericError"}:
        assert soap_fault_code(code) == "Sender"
    assert from_sqlstate("OC005", "no").soap_code == "Sender"
    assert fault_error_code("Sender", "NotSupported") == "NotSupported"
    assert fault_error_code("Receiver", "") == "GenericError"
    assert fault_error_code(None, None) == "GenericError"


def test_http_statuses():
    assert http_error("OC010") == (404, "NotFound")
    assert http_error("OC007") == (400, "BadRequest")
    assert http_error("OC003") == (400, "BadRequest")
    assert http_error("22012") == (400, "BadRequest")
    assert http_error("42883") is None
    assert http_error(None) is None


def test_codes_are_respelled_per_version():
    assert error_name("OccurenceConstraintViolation", "2.0.1") == "OccurrenceConstraintViolation"
    assert error_name("FormationViolation", "2.1") == "FormatViolation"
    assert error_name("RpcFrameworkError", "1.6") == "FormationViolation"
    assert error_name("FormationViolation", "1.6") == "FormationViolation"
