"""Which OCPP actions exist in each version, and which side sends each: the one table.

Every layer that asks "may a station send this?" or "what can a central system ask of a station?"
looks here: the OCPP-J session's direction check (protocol/session.py), the validation schemas
(validation/schemas.py station_actions/send_actions), the emulator's handlers. Pure data, no I/O:
the names per JSON version are the OCA JSON schema files of validation/schemas/<version>/, and a
test (tests/test_protocol_actions.py) holds the two together; the schemas do not say who sends a
message, so that column is written here once. OCPP 1.5 has no JSON schemas: its names are the
operations of the two 1.5 WSDLs (tests/wsdl), the central system service's being the station's.

    1.5    SOAP only          1.6    SOAP and OCPP-J (with the Security Whitepaper's messages)
    2.0.1  OCPP-J             2.1    OCPP-J, with SEND [6, ...]: a station's message that gets no reply

DataTransfer goes both ways in every version. `sender` is STATION, CENTRAL_SYSTEM or BOTH.
"""
from __future__ import annotations

from functools import cache

STATION = "station"
CENTRAL_SYSTEM = "central_system"
BOTH = "both"

VERSIONS = ("1.5", "1.6", "2.0.1", "2.1")
JSON_VERSIONS = ("1.6", "2.0.1", "2.1")
SOAP_VERSIONS = ("1.5", "1.6")

_V15_STATION = frozenset({
    "Authorize", "BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
    "Heartbeat", "MeterValues", "StartTransaction", "StatusNotification", "StopTransaction",
})
_V15_CENTRAL = frozenset({
    "CancelReservation", "ChangeAvailability", "ChangeConfiguration", "ClearCache",
    "GetConfiguration", "GetDiagnostics", "GetLocalListVersion", "RemoteStartTransaction",
    "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList", "UnlockConnector",
    "UpdateFirmware",
})

_V16_STATION = _V15_STATION | {
    # Security Whitepaper
    "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
    "SignedFirmwareStatusNotification",
}
_V16_CENTRAL = _V15_CENTRAL | {
    "ClearChargingProfile", "GetCompositeSchedule", "SetChargingProfile", "TriggerMessage",
    # Security Whitepaper
    "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage", "GetInstalledCertificateIds",
    "GetLog", "InstallCertificate", "SignedUpdateFirmware",
}

_V201_STATION = frozenset({
    "Authorize", "BootNotification", "ClearedChargingLimit", "FirmwareStatusNotification",
    "Get15118EVCertificate", "GetCertificateStatus", "Heartbeat", "LogStatusNotification",
    "MeterValues", "NotifyChargingLimit", "NotifyCustomerInformation", "NotifyDisplayMessages",
    "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent", "NotifyMonitoringReport",
    "NotifyReport", "PublishFirmwareStatusNotification", "ReportChargingProfiles",
    "ReservationStatusUpdate", "SecurityEventNotification", "SignCertificate", "StatusNotification",
    "TransactionEvent",
})
_V201_CENTRAL = frozenset({
    "CancelReservation", "CertificateSigned", "ChangeAvailability", "ClearCache",
    "ClearChargingProfile", "ClearDisplayMessage", "ClearVariableMonitoring", "CostUpdated",
    "CustomerInformation", "DeleteCertificate", "GetBaseReport", "GetChargingProfiles",
    "GetCompositeSchedule", "GetDisplayMessages", "GetInstalledCertificateIds", "GetLocalListVersion",
    "GetLog", "GetMonitoringReport", "GetReport", "GetTransactionStatus", "GetVariables",
    "InstallCertificate", "PublishFirmware", "RequestStartTransaction", "RequestStopTransaction",
    "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile", "SetDisplayMessage",
    "SetMonitoringBase", "SetMonitoringLevel", "SetNetworkProfile", "SetVariableMonitoring",
    "SetVariables", "TriggerMessage", "UnlockConnector", "UnpublishFirmware", "UpdateFirmware",
})

_V21_STATION = _V201_STATION | {
    "BatterySwap", "ClosePeriodicEventStream", "GetCertificateChainStatus", "NotifyDERAlarm",
    "NotifyDERStartStop", "NotifyPeriodicEventStream", "NotifyPriorityCharging", "NotifySettlement",
    "OpenPeriodicEventStream", "PullDynamicScheduleUpdate", "ReportDERControl",
    "VatNumberValidation",
}
_V21_CENTRAL = _V201_CENTRAL | {
    "AFRRSignal", "AdjustPeriodicEventStream", "ChangeTransactionTariff", "ClearDERControl",
    "ClearTariffs", "GetDERControl", "GetPeriodicEventStream", "GetTariffs",
    "NotifyAllowedEnergyTransfer", "NotifyWebPaymentStarted", "RequestBatterySwap",
    "SetDERControl", "SetDefaultTariff", "UpdateDynamicSchedule", "UsePriorityCharging",
}

_BOTH = frozenset({"DataTransfer"})

# version → side → the actions that side sends (BOTH: either side)
_TABLE: dict[str, dict[str, frozenset[str]]] = {
    "1.5": {STATION: _V15_STATION, CENTRAL_SYSTEM: _V15_CENTRAL, BOTH: _BOTH},
    "1.6": {STATION: _V16_STATION, CENTRAL_SYSTEM: _V16_CENTRAL, BOTH: _BOTH},
    "2.0.1": {STATION: _V201_STATION, CENTRAL_SYSTEM: _V201_CENTRAL, BOTH: _BOTH},
    "2.1": {STATION: frozenset(_V21_STATION), CENTRAL_SYSTEM: frozenset(_V21_CENTRAL),
            BOTH: _BOTH},
}

# 2.1's SEND (message type 6): a station's message that gets no reply. The OCA schemas name it
# without the Request suffix (NotifyPeriodicEventStream.json), and it has no Response schema.
_SEND: dict[str, frozenset[str]] = {"2.1": frozenset({"NotifyPeriodicEventStream"})}


def _side(side: str) -> str:
    if side not in (STATION, CENTRAL_SYSTEM):
        raise ValueError(f"side must be {STATION!r} or {CENTRAL_SYSTEM!r}, not {side!r}")
    return side


def _version(version: str) -> dict[str, frozenset[str]]:
    table = _TABLE.get(version)
    if table is None:
        raise ValueError(f"unknown OCPP version {version!r}; known: {', '.join(VERSIONS)}")
    return table


def other(side: str) -> str:
    """The side across the wire."""
    return CENTRAL_SYSTEM if _side(side) == STATION else STATION


@cache  # a few versions and sides: computed once, asked on every frame
def actions(version: str) -> frozenset[str]:
    """Every action of version, whoever sends it."""
    table = _version(version)
    return table[STATION] | table[CENTRAL_SYSTEM] | table[BOTH]


@cache
def sent_by(version: str, side: str) -> frozenset[str]:
    """The actions side (STATION or CENTRAL_SYSTEM) sends in version, DataTransfer included."""
    table = _version(version)
    return table[_side(side)] | table[BOTH]


def sender(version: str, action: str) -> str | None:
    """STATION, CENTRAL_SYSTEM or BOTH; None for an action version does not have."""
    for side, names in _version(version).items():
        if action in names:
            return side
    return None


@cache
def send_actions(version: str) -> frozenset[str]:
    """The actions version sends as SEND [6, ...] (no reply); empty before 2.1."""
    _version(version)
    return _SEND.get(version, frozenset())


def commands(version: str) -> list[str]:
    """What a central system may ask of a station in version (sorted): the REST API's command
    operations and the emulator's handlers."""
    return sorted(sent_by(version, CENTRAL_SYSTEM))


def refusal(version: str, receiver: str, action: str, as_send: bool = False
            ) -> tuple[str, str] | None:
    """(CALLERROR code, description) when `receiver` must refuse `action` from the other side of
    version, sent as a CALL (as_send False) or as a SEND; None when it may take it. Codes in the
    1.6 spelling (framing.error_name respells them):
      NotImplemented  an action the version does not have
      NotSupported    an action that goes the other way, or a SEND of an action that is no SEND
      ProtocolError   a SEND-only action sent as CALL (it would expect a reply that never comes)
    """
    peer = other(receiver)
    if as_send:
        if action not in send_actions(version):
            return "NotSupported", f"{action} is not sent as SEND"
        if action not in sent_by(version, peer):
            return "NotSupported", f"{action} is sent by {_A[receiver]}, not {_A[peer]}"
        return None
    if action not in actions(version):
        return "NotImplemented", f"unknown action {action}"
    if action not in sent_by(version, peer):
        return "NotSupported", f"{action} is sent by {_A[receiver]}, not {_A[peer]}"
    if action in send_actions(version):
        return "ProtocolError", f"{action} is sent as SEND [6, ...] and gets no reply"
    return None


_A = {STATION: "a station", CENTRAL_SYSTEM: "a central system"}
