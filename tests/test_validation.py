"""Schema validation: the failing keyword decides the OCPP-J error code."""
import pytest

from ocpp_cs.validation import ValidationError, schemas_for
from ocpp_cs.validation.schemas import is_date_time

V16 = schemas_for("1.6")
SAMPLE = {"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{"value": "10"}]}


@pytest.mark.parametrize("payload, code, field", [
    ({"connectorId": "1", "meterValue": [SAMPLE]}, "TypeConstraintViolation", "connectorId"),
    ({"connectorId": 1}, "OccurenceConstraintViolation", "(payload)"),
    ({"connectorId": 1, "meterValue": []}, "OccurenceConstraintViolation", "meterValue"),
    ({"connectorId": 1, "meterValue": [SAMPLE], "extra": 1}, "FormationViolation", "(payload)"),
    ({"connectorId": 1, "meterValue": [{**SAMPLE, "timestamp": "2026-13-01T10:00:00Z"}]},
     "PropertyConstraintViolation", "meterValue[0].timestamp"),
    ({"connectorId": 1, "meterValue": [{**SAMPLE, "sampledValue": [{"value": "1", "unit": "x"}]}]},
     "PropertyConstraintViolation", "meterValue[0].sampledValue[0].unit"),
])
def test_violation_codes(payload, code, field):
    with pytest.raises(ValidationError) as e:
        V16.check_request("MeterValues", payload)
    assert e.value.code == code
    assert e.value.details["field"] == field


def test_string_length_is_a_property_constraint():
    with pytest.raises(ValidationError) as e:
        V16.check_request("Authorize", {"idTag": "x" * 21})
    assert e.value.code == "PropertyConstraintViolation"


def test_decimal_multiple_of_is_not_broken_by_binary_floats():
    # limit has multipleOf 0.1; 0.3 / 0.1 == 2.9999999999999996 in binary floats.
    profile = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
               "chargingProfileKind": "Absolute",
               "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
                   {"startPeriod": 0, "limit": 0.3}, {"startPeriod": 60, "limit": 16.7}]}}
    V16.check_request("RemoteStartTransaction", {"idTag": "T1", "chargingProfile": profile})
    profile["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] = 0.35
    with pytest.raises(ValidationError) as e:
        V16.check_request("RemoteStartTransaction", {"idTag": "T1", "chargingProfile": profile})
    assert e.value.code == "PropertyConstraintViolation"


@pytest.mark.parametrize("value, ok", [
    ("2026-01-01T10:00:00Z", True),
    ("2026-01-01T10:00:00.123456Z", True),
    ("2026-01-01T10:00:00+02:00", True),
    ("2026-02-30T10:00:00Z", False),
    ("2026-01-01 10:00:00Z", False),
    ("2026-01-01T25:00:00Z", False),
    ("yesterday", False),
])
def test_date_time(value, ok):
    assert is_date_time(value) is ok


def test_replies_are_checked_too():
    V16.check_response("Heartbeat", {"currentTime": "2026-01-01T10:00:00.000Z"})
    with pytest.raises(ValidationError):
        V16.check_response("Heartbeat", {})


def test_station_actions_are_a_subset_of_the_schemas():
    assert V16.station_actions <= V16.actions
    assert "Reset" in V16.actions and "Reset" not in V16.station_actions


@pytest.mark.parametrize("action, payload, field, missing", [
    ("MeterValues", {"connectorId": 1}, "(payload)", ["meterValue"]),
    ("BootNotification", {}, "(payload)", ["chargePointVendor", "chargePointModel"]),
    ("MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": "2026-01-01T10:00:00Z"}]},
     "meterValue[0]", ["meterValue[0].sampledValue"]),
])
def test_a_missing_property_is_named(action, payload, field, missing):
    with pytest.raises(ValidationError) as e:
        V16.check_request(action, payload)
    assert e.value.code == "OccurenceConstraintViolation"
    assert e.value.details == {"field": field, "rule": "required", "missing": missing}
