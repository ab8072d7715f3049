"""An outlet: where one EV charges at a time (a 1.6 connector, a 2.0.1 EVSE). What both versions
keep of it alike: the electrical state that energy.py and meter.py read and write, and the timers of
its session that the life loops watch. Each version adds its own words (state16.py, state201.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import ConnectorConfig


def nominal_voltage(dc: bool) -> float:
    return 400.0 if dc else 230.0


@dataclass(slots=True, kw_only=True)
class Outlet:
    energy: float = 0.0             # Wh register
    power: float = 0.0              # W now
    soc: float = 40.0               # the EV's battery, %
    operative: bool = True
    last: float = 0.0               # monotonic time of the last energy update
    next_meter: float = 0.0         # monotonic: the next periodic meter values
    session_end: float | None = None     # monotonic: a session that was asked for ends
    next_session: float | None = None    # monotonic: load mode starts a session
    unplug_at: float | None = None       # monotonic: the driver unplugs
    profiles: list[dict[str, Any]] = field(default_factory=list)   # charging profiles

    @property
    def electrics(self) -> ConnectorConfig:
        raise NotImplementedError

    @property
    def dc(self) -> bool:
        return self.electrics.voltage == "DC"

    @property
    def voltage(self) -> float:
        return nominal_voltage(self.dc)

    @property
    def phases(self) -> int:
        return 1 if self.dc else self.electrics.phases
