"""The OCPP 2.0.1 device model of an emulated station: components and their variables, with
mutability and characteristics (reported by NotifyReport, read and written by Get/SetVariables,
watched by monitors), the controllers every station has, and the keys of a station file mapped
onto them (1.6 names of apostoldevel/ocpp-cs files through KEY_ALIASES)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ocpp_cs.validation.schemas import is_date_time
from .config import StationConfig

MEASURANDS = ("Current.Import,Current.Offered,Energy.Active.Import.Register,Frequency,"
              "Power.Active.Import,Power.Offered,SoC,Voltage")
TX_POINTS = "ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer"

# 1.6 key names of apostoldevel/ocpp-cs files, and where they live in the 2.0.1 device model.
KEY_ALIASES: dict[str, tuple[str, str]] = {
    "HeartbeatInterval": ("OCPPCommCtrlr", "HeartbeatInterval"),
    "MeterValueSampleInterval": ("SampledDataCtrlr", "TxUpdatedInterval"),
    "MeterValuesSampledData": ("SampledDataCtrlr", "TxUpdatedMeasurands"),
    "StopTxnSampledData": ("SampledDataCtrlr", "TxEndedMeasurands"),
    "ClockAlignedDataInterval": ("AlignedDataCtrlr", "Interval"),
    "MeterValuesAlignedData": ("AlignedDataCtrlr", "Measurands"),
    "AuthorizeRemoteTxRequests": ("AuthCtrlr", "AuthorizeRemoteStart"),
    "LocalAuthorizeOffline": ("AuthCtrlr", "LocalAuthorizeOffline"),
    "LocalPreAuthorize": ("AuthCtrlr", "LocalPreAuthorize"),
    "AllowOfflineTxForUnknownId": ("AuthCtrlr", "OfflineTxForUnknownIdEnabled"),
    "AuthorizationCacheEnabled": ("AuthCacheCtrlr", "Enabled"),
    "LocalAuthListEnabled": ("LocalAuthListCtrlr", "Enabled"),
    "ConnectionTimeOut": ("TxCtrlr", "EVConnectionTimeOut"),
    "StopTransactionOnEVSideDisconnect": ("TxCtrlr", "StopTxOnEVSideDisconnect"),
    "StopTransactionOnInvalidId": ("TxCtrlr", "StopTxOnInvalidId"),
    "ResetRetries": ("OCPPCommCtrlr", "ResetRetries"),
    "WebSocketPingInterval": ("OCPPCommCtrlr", "WebSocketPingInterval"),
    "SecurityProfile": ("SecurityCtrlr", "SecurityProfile"),
    "AuthorizationKey": ("SecurityCtrlr", "BasicAuthPassword"),
    "BasicAuthPassword": ("SecurityCtrlr", "BasicAuthPassword"),
}
# Keys of the file that are not device model variables (the station's identity and address).
FILE_ONLY_KEYS = {"ChargeBoxIdentity", "ChargePointVendor", "ChargePointModel",
                  "ChargePointSerialNumber", "ChargePointSoftwareVersion", "CentralSystemURL",
                  "FirmwareVersion", "PowermeterSerialNumber", "MeterSerialNumber", "MeterType"}


@dataclass(slots=True)
class Variable:
    """One variable of one component, with its Actual attribute (the only one this station has)."""
    component: str
    name: str
    value: str | None = None
    mutability: str = "ReadWrite"          # ReadOnly, WriteOnly, ReadWrite
    data_type: str = "string"              # string, decimal, integer, dateTime, boolean, *List
    evse: int | None = None
    connector: int | None = None
    component_instance: str | None = None
    instance: str | None = None
    unit: str | None = None
    values_list: str | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    reboot: bool = False                   # a new value takes effect after a reboot
    read: Callable[[], str] | None = None  # a live value (a status, the clock)

    @property
    def actual(self) -> str | None:
        return self.read() if self.read is not None else self.value

    @property
    def component_key(self) -> tuple:
        return (self.component, self.component_instance, self.evse, self.connector)

    @property
    def key(self) -> tuple:
        return (*self.component_key, self.name, self.instance)

    @property
    def numeric(self) -> bool:
        return self.data_type in ("integer", "decimal")

    def component_json(self) -> dict[str, Any]:
        c: dict[str, Any] = {"name": self.component}
        if self.component_instance:
            c["instance"] = self.component_instance
        if self.evse is not None:
            c["evse"] = {"id": self.evse}
            if self.connector is not None:
                c["evse"]["connectorId"] = self.connector
        return c

    def variable_json(self) -> dict[str, Any]:
        v: dict[str, Any] = {"name": self.name}
        if self.instance:
            v["instance"] = self.instance
        return v

    def report(self) -> dict[str, Any]:
        static = self.read is None
        attribute: dict[str, Any] = {"type": "Actual", "mutability": self.mutability,
                                     "persistent": static,
                                     "constant": self.mutability == "ReadOnly" and static}
        if self.mutability != "WriteOnly" and self.actual is not None:
            attribute["value"] = self.actual[:2500]
        characteristics: dict[str, Any] = {"dataType": self.data_type,
                                           "supportsMonitoring": self.mutability != "WriteOnly"}
        for name, value in (("unit", self.unit), ("valuesList", self.values_list),
                            ("minLimit", self.min_limit), ("maxLimit", self.max_limit)):
            if value is not None:
                characteristics[name] = value
        return {"component": self.component_json(), "variable": self.variable_json(),
                "variableAttribute": [attribute], "variableCharacteristics": characteristics}

    def invalid(self, value: str) -> str | None:
        """Why `value` cannot be this variable's value, or None when it can."""
        members = [m.strip() for m in value.split(",")] if value else []
        allowed = set((self.values_list or "").split(","))
        if self.data_type == "integer":
            try:
                number: float = int(value)
            except ValueError:
                return "not an integer"
        elif self.data_type == "decimal":
            try:
                number = float(value)
            except ValueError:
                return "not a number"
        elif self.data_type == "boolean":
            return None if value.lower() in ("true", "false") else "not true or false"
        elif self.data_type == "dateTime":
            return None if is_date_time(value) else "not a date-time"
        elif self.data_type == "OptionList":
            return None if value in allowed else f"not one of {self.values_list}"
        elif self.data_type in ("MemberList", "SequenceList"):
            if self.data_type == "SequenceList" and not members:
                return "empty"
            bad = [m for m in members if m not in allowed]
            return f"not in {self.values_list}: {','.join(bad)}" if bad else None
        else:
            return None if len(value) <= 1000 else "longer than 1000 characters"
        if self.min_limit is not None and number < self.min_limit:
            return f"below {self.min_limit:g}"
        if self.max_limit is not None and number > self.max_limit:
            return f"above {self.max_limit:g}"
        return None


class DeviceModel:
    """Components and their variables, looked up the way Get/SetVariables and reports name them."""

    def __init__(self) -> None:
        self.variables: dict[tuple, Variable] = {}
        self._components: set[tuple] = set()

    def add(self, var: Variable) -> Variable:
        self.variables[var.key] = var
        self._components.add(var.component_key)
        return var

    def __iter__(self):
        return iter(self.variables.values())

    def get(self, component: str, name: str, *, evse: int | None = None,
            connector: int | None = None, instance: str | None = None) -> Variable | None:
        """The variable of a component by name, whatever the component's instance."""
        var = self.variables.get((component, None, evse, connector, name, instance))
        if var is not None:
            return var
        for var in self.variables.values():
            if (var.component == component and var.name == name and var.evse == evse
                    and var.connector == connector and var.instance == instance):
                return var
        return None

    def find(self, component: dict[str, Any], variable: dict[str, Any]) -> Variable | str:
        """The variable a request names exactly, or "UnknownComponent" / "UnknownVariable"."""
        evse = component.get("evse") or {}
        ckey = (component["name"], component.get("instance"), evse.get("id"),
                evse.get("connectorId"))
        if ckey not in self._components:
            return "UnknownComponent"
        var = self.variables.get((*ckey, variable["name"], variable.get("instance")))
        return var if var is not None else "UnknownVariable"

    def select(self, component: dict[str, Any] | None,
               variable: dict[str, Any] | None) -> list[Variable]:
        """For reports: what is not named is a wildcard (an EVSE component without evse: all)."""
        found = []
        for var in self.variables.values():
            if component is not None:
                evse = component.get("evse")
                if var.component != component["name"]:
                    continue
                if "instance" in component and var.component_instance != component["instance"]:
                    continue
                if evse is not None and (var.evse != evse["id"] or (
                        "connectorId" in evse and var.connector != evse["connectorId"])):
                    continue
            if variable is not None:
                if var.name != variable["name"]:
                    continue
                if "instance" in variable and var.instance != variable["instance"]:
                    continue
            found.append(var)
        return found


RO, RW, WO = "ReadOnly", "ReadWrite", "WriteOnly"

# The controllers' variables: component, variable, value, mutability, data type, and extras.
CONTROLLERS: list[tuple[str, str, str | None, str, str, dict[str, Any]]] = [
    ("OCPPCommCtrlr", "HeartbeatInterval", "300", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("OCPPCommCtrlr", "NetworkConfigurationPriority", "0", RW, "SequenceList",
     {"values_list": "0,1,2,3", "reboot": True}),
    ("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", "3", RW, "integer", {"min_limit": 1}),
    ("OCPPCommCtrlr", "OfflineThreshold", "60", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("OCPPCommCtrlr", "MessageTimeout", "30", RW, "integer",
     {"unit": "s", "min_limit": 1, "instance": "Default"}),
    ("OCPPCommCtrlr", "MessageAttempts", "3", RW, "integer",
     {"min_limit": 0, "instance": "TransactionEvent"}),
    ("OCPPCommCtrlr", "MessageAttemptInterval", "60", RW, "integer",
     {"unit": "s", "min_limit": 0, "instance": "TransactionEvent"}),
    ("OCPPCommCtrlr", "ResetRetries", "1", RW, "integer", {"min_limit": 0}),
    ("OCPPCommCtrlr", "UnlockOnEVSideDisconnect", "true", RW, "boolean", {}),
    ("OCPPCommCtrlr", "WebSocketPingInterval", "0", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("OCPPCommCtrlr", "FileTransferProtocols", "HTTP,HTTPS,FTP", RO, "MemberList",
     {"values_list": "FTP,FTPS,HTTP,HTTPS,SFTP"}),
    ("SecurityCtrlr", "SecurityProfile", "1", RO, "integer", {"min_limit": 0, "max_limit": 3}),
    ("SecurityCtrlr", "BasicAuthPassword", None, WO, "string", {"reboot": True}),
    ("SecurityCtrlr", "AdditionalRootCertificateCheck", "false", RO, "boolean", {}),
    ("SecurityCtrlr", "MaxCertificateChainSize", "5600", RO, "integer", {}),
    ("AuthCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("AuthCtrlr", "AuthorizeRemoteStart", "true", RW, "boolean", {}),
    ("AuthCtrlr", "LocalAuthorizeOffline", "true", RW, "boolean", {}),
    ("AuthCtrlr", "LocalPreAuthorize", "false", RW, "boolean", {}),
    ("AuthCtrlr", "OfflineTxForUnknownIdEnabled", "false", RW, "boolean", {}),
    ("AuthCtrlr", "DisableRemoteAuthorization", "false", RW, "boolean", {}),
    ("AuthCacheCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("AuthCacheCtrlr", "Available", "true", RO, "boolean", {}),
    ("AuthCacheCtrlr", "LifeTime", "86400", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("AuthCacheCtrlr", "Policy", "LRU", RO, "OptionList", {"values_list": "LRU,LFU,FIFO,CUSTOM"}),
    ("LocalAuthListCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("LocalAuthListCtrlr", "Available", "true", RO, "boolean", {}),
    ("LocalAuthListCtrlr", "ItemsPerMessage", "100", RO, "integer", {}),
    ("LocalAuthListCtrlr", "BytesPerMessage", "65536", RO, "integer", {}),
    ("LocalAuthListCtrlr", "Storage", "1000000", RO, "integer", {"unit": "B"}),
    ("SampledDataCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("SampledDataCtrlr", "Available", "true", RO, "boolean", {}),
    ("SampledDataCtrlr", "TxStartedMeasurands", "Energy.Active.Import.Register", RW, "MemberList",
     {"values_list": MEASURANDS}),
    ("SampledDataCtrlr", "TxUpdatedMeasurands",
     "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC", RW,
     "MemberList", {"values_list": MEASURANDS}),
    ("SampledDataCtrlr", "TxUpdatedInterval", "60", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("SampledDataCtrlr", "TxEndedMeasurands", "Energy.Active.Import.Register", RW, "MemberList",
     {"values_list": MEASURANDS}),
    ("SampledDataCtrlr", "TxEndedInterval", "0", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("SampledDataCtrlr", "SignReadings", "false", RO, "boolean", {}),
    ("SampledDataCtrlr", "RegisterValuesWithoutPhases", "true", RO, "boolean", {}),
    ("AlignedDataCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("AlignedDataCtrlr", "Available", "true", RO, "boolean", {}),
    ("AlignedDataCtrlr", "Measurands", "Energy.Active.Import.Register", RW, "MemberList",
     {"values_list": MEASURANDS}),
    ("AlignedDataCtrlr", "Interval", "0", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("AlignedDataCtrlr", "TxEndedMeasurands", "Energy.Active.Import.Register", RW, "MemberList",
     {"values_list": MEASURANDS}),
    ("AlignedDataCtrlr", "TxEndedInterval", "0", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("TxCtrlr", "EVConnectionTimeOut", "60", RW, "integer", {"unit": "s", "min_limit": 0}),
    ("TxCtrlr", "StopTxOnEVSideDisconnect", "true", RO, "boolean", {}),
    ("TxCtrlr", "StopTxOnInvalidId", "true", RW, "boolean", {}),
    ("TxCtrlr", "MaxEnergyOnInvalidId", "0", RW, "integer", {"unit": "Wh", "min_limit": 0}),
    ("TxCtrlr", "TxStartPoint", "EVConnected,Authorized", RO, "MemberList",
     {"values_list": TX_POINTS}),
    ("TxCtrlr", "TxStopPoint", "EVConnected,Authorized", RO, "MemberList",
     {"values_list": TX_POINTS}),
    ("ReservationCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("ReservationCtrlr", "Available", "true", RO, "boolean", {}),
    ("ReservationCtrlr", "NonEvseSpecific", "true", RO, "boolean", {}),
    ("SmartChargingCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("SmartChargingCtrlr", "Available", "true", RO, "boolean", {}),
    ("SmartChargingCtrlr", "ProfileStackLevel", "10", RO, "integer", {}),
    ("SmartChargingCtrlr", "RateUnit", "A,W", RO, "MemberList", {"values_list": "A,W"}),
    ("SmartChargingCtrlr", "PeriodsPerSchedule", "24", RO, "integer", {}),
    ("SmartChargingCtrlr", "LimitChangeSignificance", "1.0", RW, "decimal", {"min_limit": 0}),
    ("DeviceDataCtrlr", "ItemsPerMessage", "50", RO, "integer", {"instance": "GetReport"}),
    ("DeviceDataCtrlr", "ItemsPerMessage", "50", RO, "integer", {"instance": "GetVariables"}),
    ("DeviceDataCtrlr", "ItemsPerMessage", "50", RO, "integer", {"instance": "SetVariables"}),
    ("DeviceDataCtrlr", "BytesPerMessage", "65536", RO, "integer", {"instance": "GetReport"}),
    ("DeviceDataCtrlr", "BytesPerMessage", "65536", RO, "integer", {"instance": "GetVariables"}),
    ("DeviceDataCtrlr", "BytesPerMessage", "65536", RO, "integer", {"instance": "SetVariables"}),
    ("DeviceDataCtrlr", "ReportingValueSize", "2500", RO, "integer", {}),
    ("DeviceDataCtrlr", "ConfigurationValueSize", "1000", RO, "integer", {}),
    ("ClockCtrlr", "TimeSource", "Heartbeat", RW, "SequenceList",
     {"values_list": "Heartbeat,NTP,GPS,RealTimeClock,MobileNetwork,RadioTimeTransmitter"}),
    ("DisplayMessageCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("DisplayMessageCtrlr", "Available", "true", RO, "boolean", {}),
    ("DisplayMessageCtrlr", "DisplayMessages", "20", RO, "integer", {}),
    ("DisplayMessageCtrlr", "SupportedFormats", "ASCII,HTML,URI,UTF8", RO, "MemberList",
     {"values_list": "ASCII,HTML,URI,UTF8"}),
    ("DisplayMessageCtrlr", "SupportedPriorities", "AlwaysFront,InFront,NormalCycle", RO,
     "MemberList", {"values_list": "AlwaysFront,InFront,NormalCycle"}),
    ("MonitoringCtrlr", "Enabled", "true", RW, "boolean", {}),
    ("MonitoringCtrlr", "Available", "true", RO, "boolean", {}),
    ("MonitoringCtrlr", "ItemsPerMessage", "50", RO, "integer",
     {"instance": "SetVariableMonitoring"}),
    ("MonitoringCtrlr", "ItemsPerMessage", "50", RO, "integer",
     {"instance": "ClearVariableMonitoring"}),
    ("MonitoringCtrlr", "OfflineQueuingSeverity", "4", RW, "integer",
     {"min_limit": 0, "max_limit": 9}),
    ("TariffCostCtrlr", "Enabled", "true", RW, "boolean", {"component_instance": "Cost"}),
    ("TariffCostCtrlr", "Available", "true", RO, "boolean", {"component_instance": "Cost"}),
    ("TariffCostCtrlr", "Currency", "EUR", RW, "string", {}),
    ("TariffCostCtrlr", "TotalCostFallbackMessage", "Cost at the counter", RW, "string", {}),
]



@dataclass(slots=True)
class Monitor:
    id: int
    var: Variable
    type: str
    value: float
    severity: int
    transaction: bool
    last: str | None = None        # the value last reported (Delta) or seen
    active: bool = False           # a threshold crossed and not yet cleared

    def check(self) -> tuple[str, str, bool] | None:
        """(value, trigger, cleared) when the variable crossed the threshold (either way: Alerting,
        cleared when back) or moved by the delta since last reported (Delta); else None."""
        value = self.var.actual
        if value is None:
            return None
        if self.type == "Delta":
            if self.var.numeric and self.last is not None:
                try:
                    moved = abs(float(value) - float(self.last)) >= self.value
                except ValueError:
                    moved = value != self.last
            else:
                moved = value != self.last
            if not moved:
                return None
            self.last = value
            return value, "Delta", False
        try:
            number = float(value)
        except ValueError:
            return None
        beyond = number > self.value if self.type == "UpperThreshold" else number < self.value
        if beyond == self.active:
            return None
        self.active = beyond
        return value, "Alerting", not beyond


def apply_file_keys(model: DeviceModel, config: StationConfig) -> None:
    """The file's keys: 1.6 names through KEY_ALIASES, or "Component.Variable" as they are."""
    for key in config.keys.values():
        if key.key in FILE_ONLY_KEYS or key.value is None:
            continue
        component, _, name = key.key.partition(".")
        component, name = KEY_ALIASES.get(key.key, (component, name))
        if not name:
            continue
        var = model.get(component, name)
        if var is None:
            var = model.add(Variable(component, name, key.value, RO if key.readonly else RW))
        var.value = key.value.lower() if var.data_type == "boolean" else key.value
        if key.readonly and var.mutability == RW:
            var.mutability = RO
