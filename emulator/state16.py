"""What an OCPP 1.6 station keeps of its connectors and their sessions: status, availability, the
EV plugged in, the transaction, the reservation, charging profiles and the electrical state."""
from __future__ import annotations

from dataclasses import dataclass

from .config import ConnectorConfig
from .outlet import Outlet


@dataclass(slots=True)
class Reservation:
    id: int
    id_tag: str
    parent: str | None
    expiry: float  # wall clock


@dataclass(slots=True)
class Connector(Outlet):
    config: ConnectorConfig
    status: str = "Available"
    plugged: bool = False
    scheduled: str | None = None    # ChangeAvailability waiting for the transaction to end
    transaction_id: int | None = None
    id_tag: str | None = None
    started: float = 0.0            # wall clock
    reservation: Reservation | None = None

    @property
    def id(self) -> int:
        return self.config.id

    @property
    def electrics(self) -> ConnectorConfig:
        return self.config
