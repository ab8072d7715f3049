"""Validation against the OCA JSON schemas of each OCPP version (vendored under schemas/<version>/).

A violation becomes the precise OCPP-J error: the schema keyword that failed decides the code.
`multipleOf` is checked by fastjsonschema on Decimal(repr(value)), so 0.3 is a multiple of 0.1.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import fastjsonschema

SCHEMA_DIR = Path(__file__).parent / "schemas"

_V201_STATION = frozenset({
    "Authorize", "BootNotification", "ClearedChargingLimit", "DataTransfer",
    "FirmwareStatusNotification", "Get15118EVCertificate", "GetCertificateStatus", "Heartbeat",
    "LogStatusNotification", "MeterValues", "NotifyChargingLimit", "NotifyCustomerInformation",
    "NotifyDisplayMessages", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent",
    "NotifyMonitoringReport", "NotifyReport", "PublishFirmwareStatusNotification",
    "ReportChargingProfiles", "ReservationStatusUpdate", "SecurityEventNotification",
    "SignCertificate", "StatusNotification", "TransactionEvent",
})

# Messages a station sends (everything else in a version's folder goes the other way).
STATION_ACTIONS = {
    "1.6": frozenset({
        "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
        "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StartTransaction",
        "StatusNotification", "StopTransaction",
        # Security Whitepaper
        "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
        "SignedFirmwareStatusNotification",
    }),
    "2.0.1": _V201_STATION,
    "2.1": _V201_STATION | {
        "BatterySwap", "ClosePeriodicEventStream", "GetCertificateChainStatus", "NotifyDERAlarm",
        "NotifyDERStartStop", "NotifyPeriodicEventStream", "NotifyPriorityCharging",
        "NotifySettlement", "OpenPeriodicEventStream", "PullDynamicScheduleUpdate",
        "ReportDERControl", "VatNumberValidation",
    },
}

# 2.1's SEND (message type 6): a station's message that gets no reply.
SEND_ACTIONS = {"2.1": frozenset({"NotifyPeriodicEventStream"})}

_KEYWORD_CODE = {
    "type": "TypeConstraintViolation",
    "required": "OccurenceConstraintViolation",
    "minItems": "OccurenceConstraintViolation",
    "maxItems": "OccurenceConstraintViolation",
    "uniqueItems": "OccurenceConstraintViolation",
    "additionalProperties": "FormationViolation",
}

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def is_date_time(value: str) -> bool:
    """RFC 3339 date-time with a real calendar date and time, and an explicit offset."""
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class ValidationError(Exception):
    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.details = details or {}


Validator = Callable[[Any], Any]


def message_file(version: str, name: str) -> Path:
    """The OCA schema file of message name (Reset, ResetResponse) of version: 1.6 names its files
    Action.json, 2.0.1 and 2.1 ActionRequest.json; replies are ActionResponse.json in all three."""
    if version == "1.6" or name.endswith("Response"):
        return SCHEMA_DIR / version / f"{name}.json"
    return SCHEMA_DIR / version / f"{name}Request.json"


class Schemas:
    """The request and reply validators of one OCPP version."""

    def __init__(self, version: str):
        self.version = version
        folder = SCHEMA_DIR / version
        if not folder.is_dir():
            raise ValueError(f"no schemas for OCPP version {version}")
        self._validators: dict[str, Validator] = {}
        for path in sorted(folder.glob("*.json")):
            schema = json.loads(path.read_text())
            schema.pop("id", None)
            schema.pop("$id", None)
            # the inverse of message_file
            name = path.stem if path.stem.endswith("Response") else path.stem.removesuffix("Request")
            self._validators[name] = fastjsonschema.compile(
                schema, formats={"date-time": is_date_time}, use_default=False)
        self.actions = frozenset(n for n in self._validators if not n.endswith("Response"))
        self.station_actions = STATION_ACTIONS.get(version, frozenset())
        self.send_actions = SEND_ACTIONS.get(version, frozenset())

    def check_request(self, action: str, payload: dict[str, Any]) -> None:
        self._check(action, payload)

    def check_response(self, action: str, payload: Any) -> None:
        self._check(action + "Response", payload)

    def _check(self, name: str, payload: Any) -> None:
        validator = self._validators.get(name)
        if validator is None:
            raise ValidationError("NotImplemented", f"no schema for {name}")
        try:
            validator(payload)
        except fastjsonschema.JsonSchemaValueException as e:
            field = (e.name or "data").removeprefix("data").lstrip(".") or "(payload)"
            code = _KEYWORD_CODE.get(e.rule or "", "PropertyConstraintViolation")
            raise ValidationError(code, f"{field}: {e.message.removeprefix(e.name or '').strip()}",
                                  {"field": field, "rule": e.rule}) from None


@lru_cache(maxsize=None)
def schemas_for(version: str) -> Schemas:
    return Schemas(version)
