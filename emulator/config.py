"""Emulated stations from files: `conf/cp/<name>/configuration.json`, in the format
apostoldevel/ocpp-cs uses, so its emulator configurations work unchanged.

OCPP 1.6 (and 1.5 with `"OcppVersion": "1.5"`):

    {"connectorId": [{"id": 1, "voltage": "AC", "interface": "Type2", "meterValue": 0}, ...],
     "configurationKey": [{"key": "CentralSystemURL", "readonly": false, "value": "ws://..."}, ...]}

OCPP 2.0.1:

    {"OcppVersion": "2.0.1", "ChargePointVendor": ..., "CentralSystemURL": ...,
     "Evses": [{"evseId": 1, "connectors": [{"connectorId": 1, "type": "cType2"}]}],
     "ConfigurationKeys": {"HeartbeatInterval": {"value": "60", "readonly": false}}}

The station identity is the `ChargeBoxIdentity` key when present, otherwise the folder name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


# OCPP 2.0.1 ConnectorEnumType values of DC connectors.
DC_TYPES = {"cCCS1", "cCCS2", "cG105", "cTesla", "cChaoJi"}


class StationConfigError(Exception):
    pass


@dataclass(slots=True)
class ConnectorConfig:
    id: int
    voltage: str = "AC"          # AC or DC
    interface: str = "Type2"
    meter_value: int = 0         # energy register at start, Wh
    power: float = 0.0           # maximum power in W; 0 = a default for the voltage
    phases: int = 3              # AC phases

    @property
    def max_power(self) -> float:
        if self.power > 0:
            return self.power
        return 50000.0 if self.voltage == "DC" else 230.0 * 16 * self.phases


@dataclass(slots=True)
class ConfigurationKey:
    key: str
    readonly: bool
    value: str | None


@dataclass(slots=True)
class EvseConfig:
    id: int
    power: float = 0.0
    connectors: list[tuple[int, str]] = field(default_factory=list)   # (connectorId, type)


@dataclass
class StationConfig:
    name: str                    # the folder name
    version: str                 # "1.6", "2.0.1" or "1.5"
    identity: str
    url: str                     # CentralSystemURL (identity appended for WebSocket)
    connectors: list[ConnectorConfig] = field(default_factory=list)
    keys: dict[str, ConfigurationKey] = field(default_factory=dict)
    evses: list[EvseConfig] = field(default_factory=list)
    path: Path | None = None

    @property
    def transport(self) -> str:
        return "soap" if self.version == "1.5" or self.url.startswith("http") else "ws"

    def value(self, key: str, default: str | None = None) -> str | None:
        k = self.keys.get(key)
        return default if k is None or k.value is None else k.value

    @property
    def vendor(self) -> str:
        return self.value("ChargePointVendor", "ocpp-cs")[:20]

    @property
    def model(self) -> str:
        return self.value("ChargePointModel", "Emulator")[:20]

    @property
    def serial(self) -> str | None:
        return self.value("ChargePointSerialNumber")

    @property
    def firmware(self) -> str | None:
        return self.value("ChargePointSoftwareVersion") or self.value("FirmwareVersion")

    @property
    def meter_serial(self) -> str | None:
        return self.value("PowermeterSerialNumber") or self.value("MeterSerialNumber")

    def station_url(self, base: str | None = None) -> str:
        """The WebSocket URL of this station: the central system's URL plus the identity."""
        from urllib.parse import quote
        base = base or self.url
        return base.rstrip("/") + "/" + quote(self.identity, safe="")


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse(name: str, data: dict[str, Any], path: Path | None = None) -> StationConfig:
    """One station from the parsed JSON of its configuration file."""
    if not isinstance(data, dict):
        raise StationConfigError(f"{path or name}: expected a JSON object")
    version = str(data.get("OcppVersion") or "1.6")
    keys: dict[str, ConfigurationKey] = {}
    if version.startswith("2"):
        for key, entry in (data.get("ConfigurationKeys") or {}).items():
            entry = entry if isinstance(entry, dict) else {"value": entry}
            keys[key] = ConfigurationKey(key, _bool(entry.get("readonly", False)),
                                         _str(entry.get("value")))
        # The 2.0.1 format keeps identity, vendor, model, serial and firmware at the top level.
        for key in ("ChargeBoxIdentity", "ChargePointVendor", "ChargePointModel",
                    "ChargePointSerialNumber", "ChargePointSoftwareVersion", "CentralSystemURL"):
            if key in data:
                keys.setdefault(key, ConfigurationKey(key, key != "CentralSystemURL",
                                                      _str(data[key])))
        evses = []
        for e in data.get("Evses") or []:
            evses.append(EvseConfig(int(e["evseId"]), float(e.get("power") or 0),
                                    [(int(c["connectorId"]), str(c.get("type", "cType2")))
                                     for c in e.get("connectors") or []]))
        connectors = [ConnectorConfig(e.id, "DC" if any(t in DC_TYPES for _, t in e.connectors)
                                      else "AC",
                                      e.connectors[0][1] if e.connectors else "", 0, e.power)
                      for e in evses]
    else:
        for entry in data.get("configurationKey") or []:
            if not isinstance(entry, dict) or "key" not in entry:
                raise StationConfigError(f"{path or name}: configurationKey entries need a key")
            keys[entry["key"]] = ConfigurationKey(str(entry["key"]),
                                                  _bool(entry.get("readonly", False)),
                                                  _str(entry.get("value")))
        evses = []
        connectors = []
        for c in data.get("connectorId") or []:
            connectors.append(ConnectorConfig(
                int(c["id"]), str(c.get("voltage", "AC")).upper(), str(c.get("interface", "")),
                int(float(c.get("meterValue") or 0)), float(c.get("power") or 0),
                int(c.get("phases") or 3)))
    url = keys["CentralSystemURL"].value if "CentralSystemURL" in keys else None
    url = url or ("http://127.0.0.1:9220/Ocpp" if version == "1.5" else "ws://127.0.0.1:9220/ocpp/")
    identity = (keys["ChargeBoxIdentity"].value if "ChargeBoxIdentity" in keys else None) or name
    if not connectors:
        raise StationConfigError(f"{path or name}: a station needs at least one connector")
    return StationConfig(name=name, version=version, identity=identity, url=url,
                         connectors=connectors, keys=keys, evses=evses, path=path)


def load_station(folder: Path) -> StationConfig:
    path = folder / "configuration.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise StationConfigError(f"{path}: {e}") from None
    return parse(folder.name, data, path)


def load_stations(config_dir: str | Path, names: list[str] | None = None) -> list[StationConfig]:
    """Every station under `config_dir` (one folder each), or only those named (by folder name or
    identity). Raises StationConfigError for a missing folder, a bad file or an unknown name."""
    root = Path(config_dir)
    if not root.is_dir():
        raise StationConfigError(f"{root}: no such folder of station configurations")
    stations = [load_station(d) for d in sorted(root.iterdir(), key=_natural)
                if (d / "configuration.json").is_file()]
    if names:
        wanted = set(names)
        found = [s for s in stations if s.name in wanted or s.identity in wanted]
        missing = wanted - {s.name for s in found} - {s.identity for s in found}
        if missing:
            raise StationConfigError(f"{root}: no station {', '.join(sorted(missing))}")
        return found
    return stations


def _natural(path: Path) -> tuple:
    import re
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.name))
