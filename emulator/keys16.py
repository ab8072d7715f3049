"""The configuration keys of an OCPP 1.6 station: the standard keys with their defaults, the
file's keys over them, and what GetConfiguration and ChangeConfiguration did since (changes that
need a reboot wait for it)."""
from __future__ import annotations

from .config import StationConfig

# Standard 1.6 keys a station reports besides those of its file: (value, readonly).
DEFAULT_KEYS: dict[str, tuple[str, bool]] = {
    "AllowOfflineTxForUnknownId": ("false", False),
    "AuthorizationCacheEnabled": ("true", False),
    "AuthorizeRemoteTxRequests": ("true", False),
    "ClockAlignedDataInterval": ("0", False),
    "ConnectionTimeOut": ("60", False),
    "ConnectorPhaseRotation": ("0.RST", False),
    "GetConfigurationMaxKeys": ("100", True),
    "HeartbeatInterval": ("300", False),
    "LocalAuthorizeOffline": ("true", False),
    "LocalPreAuthorize": ("false", False),
    "MeterValuesAlignedData": ("Energy.Active.Import.Register", False),
    "MeterValuesSampledData": (
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC", False),
    "MeterValueSampleInterval": ("60", False),
    "ResetRetries": ("1", False),
    "StopTransactionOnEVSideDisconnect": ("true", False),
    "StopTransactionOnInvalidId": ("true", False),
    "StopTxnAlignedData": ("", False),
    "StopTxnSampledData": ("Energy.Active.Import.Register", False),
    "SupportedFeatureProfiles": (
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
        True),
    "TransactionMessageAttempts": ("3", False),
    "TransactionMessageRetryInterval": ("60", False),
    "UnlockConnectorOnEVSideDisconnect": ("true", False),
    "WebSocketPingInterval": ("0", False),
    "LocalAuthListEnabled": ("true", False),
    "LocalAuthListMaxLength": ("1000", True),
    "SendLocalListMaxLength": ("100", True),
    "ReserveConnectorZeroSupported": ("false", True),
    "ChargeProfileMaxStackLevel": ("10", True),
    "ChargingScheduleAllowedChargingRateUnit": ("Current,Power", True),
    "ChargingScheduleMaxPeriods": ("24", True),
    "MaxChargingProfilesInstalled": ("10", True),
    "SecurityProfile": ("0", False),
}
INTEGER_KEYS = {"ClockAlignedDataInterval", "ConnectionTimeOut", "HeartbeatInterval",
                "MeterValueSampleInterval", "ResetRetries", "TransactionMessageAttempts",
                "TransactionMessageRetryInterval", "WebSocketPingInterval", "SecurityProfile",
                "PowerConsumptionTimeout"}
BOOLEAN_KEYS = {"AllowOfflineTxForUnknownId", "AuthorizationCacheEnabled",
                "AuthorizeRemoteTxRequests", "LocalAuthorizeOffline", "LocalPreAuthorize",
                "StopTransactionOnEVSideDisconnect", "StopTransactionOnInvalidId",
                "UnlockConnectorOnEVSideDisconnect", "LocalAuthListEnabled"}
# Changing these takes effect only after a reboot (they decide how and where the station connects).
REBOOT_KEYS = {"CentralSystemURL", "ChargeBoxIdentity", "SecurityProfile", "AuthorizationKey"}
# Never shown by GetConfiguration (OCPP 1.6 security whitepaper: AuthorizationKey is write-only).
HIDDEN_KEYS = {"AuthorizationKey"}


class Keys16:
    def __init__(self, config: StationConfig, connectors: int):
        self.config = config
        self.connectors = connectors
        self.changed: dict[str, str] = {}        # configuration changes
        self.after_reboot: dict[str, str] = {}   # RebootRequired changes

    def get(self, name: str, default: str | None = None) -> str | None:
        if name in self.changed:
            return self.changed[name]
        k = self.config.keys.get(name)
        if k is not None and k.value is not None:
            return k.value
        d = DEFAULT_KEYS.get(name)
        return d[0] if d else default

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").lower() == "true"

    def all(self) -> dict[str, tuple[str | None, bool]]:
        """Every key: (value, readonly)."""
        keys: dict[str, tuple[str | None, bool]] = {k: v for k, v in DEFAULT_KEYS.items()}
        keys["NumberOfConnectors"] = (str(self.connectors), True)
        for k in self.config.keys.values():
            keys[k.key] = (k.value, k.readonly)
        for k, v in self.changed.items():
            keys[k] = (v, keys[k][1])
        return keys

    def change(self, name: str, value: str) -> str:
        """ChangeConfiguration's status: Accepted, RebootRequired, Rejected or NotSupported."""
        keys = self.all()
        if name not in keys:
            return "NotSupported"
        if keys[name][1]:
            return "Rejected"
        if name in INTEGER_KEYS and not (value.isdigit()):
            return "Rejected"
        if name in BOOLEAN_KEYS and value.lower() not in ("true", "false"):
            return "Rejected"
        if name in REBOOT_KEYS:
            self.after_reboot[name] = value
            return "RebootRequired"
        self.changed[name] = value.lower() if name in BOOLEAN_KEYS else value
        return "Accepted"

    def reboot(self) -> None:
        """The changes that waited for a reboot take effect."""
        for k, v in self.after_reboot.items():
            self.changed[k] = v
        self.after_reboot.clear()
