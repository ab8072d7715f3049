"""What an OCPP 2.0.1 station keeps of its EVSEs and their sessions: connectors, the EV plugged in,
the transaction (id, authorization, charging state, sequence numbers) and the reservation."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from .config import ConnectorConfig, EvseConfig
from .outlet import Outlet


@dataclass(slots=True)
class Reservation201:
    id: int
    id_token: dict[str, Any]
    group: dict[str, Any] | None
    expiry: float                  # wall clock
    connector_type: str | None


@dataclass
class Transaction:
    id: str
    id_token: dict[str, Any] | None = None
    authorized: bool = False
    remote_start_id: int | None = None
    reservation_id: int | None = None
    charging_state: str = "EVConnected"
    started: float = 0.0           # wall clock
    charging_seconds: float = 0.0
    charging_since: float | None = None   # monotonic, while Charging
    connector: int | None = None   # the connector the EV was plugged into
    seq: itertools.count = field(default_factory=itertools.count)


@dataclass(slots=True)
class Connector201:
    id: int
    type: str
    status: str = ""               # last status sent ("" before the first)
    operative: bool = True


@dataclass
class Evse(Outlet):
    config: EvseConfig
    electrical: ConnectorConfig    # voltage AC/DC and maximum power (config.py derives it)
    connectors: dict[int, Connector201]
    plugged: int | None = None     # the connector the EV is plugged into
    # ChangeAvailability waiting for the transaction to end: (operationalStatus, connectorId)
    scheduled: tuple[str, int | None] | None = None
    tx: Transaction | None = None
    reset_when_idle: bool = False
    reservation: Reservation201 | None = None

    @property
    def id(self) -> int:
        return self.config.id

    @property
    def transaction_id(self) -> str | None:
        return self.tx.id if self.tx is not None else None

    @property
    def electrics(self) -> ConnectorConfig:
        return self.electrical
