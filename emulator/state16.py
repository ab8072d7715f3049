"""What an OCPP 1.6 station keeps of its connectors and their sessions: status, availability, the
EV plugged in, the transaction, the reservation, charging profiles and the electrical state."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import ConnectorConfig
from .energy import nominal_voltage


@dataclass(slots=True)
class Reservation:
    id: int
    id_tag: str
    parent: str | None
    expiry: float  # wall clock


@dataclass(slots=True)
class Connector:
    config: ConnectorConfig
    status: str = "Available"
    energy: float = 0.0             # Wh register
    power: float = 0.0              # W now
    soc: float = 40.0
    plugged: bool = False
    operative: bool = True
    scheduled: str | None = None    # ChangeAvailability waiting for the transaction to end
    transaction_id: int | None = None
    id_tag: str | None = None
    started: float = 0.0            # wall clock
    last: float = 0.0               # monotonic time of the last energy update
    next_meter: float = 0.0
    session_end: float | None = None
    next_session: float | None = None
    unplug_at: float | None = None
    reservation: Reservation | None = None
    profiles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.config.id

    @property
    def dc(self) -> bool:
        return self.config.voltage == "DC"

    @property
    def voltage(self) -> float:
        return nominal_voltage(self.dc)

    @property
    def phases(self) -> int:
        return 1 if self.dc else self.config.phases
