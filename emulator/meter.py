"""Meter readings of an outlet (a 1.6 connector or a 2.0.1 EVSE), the same for every OCPP version:
which measurands a station can measure and what they read now. Each version writes them in its own
shape (1.6: strings with a unit; 2.0.1: numbers with unitOfMeasure)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from .outlet import Outlet

# What a 1.6 station measures (2.0.1 adds Power.Offered, Current.Offered and Frequency).
MEASURANDS_16 = frozenset({"Energy.Active.Import.Register", "Power.Active.Import",
                           "Current.Import", "Voltage", "SoC"})


@dataclass(frozen=True, slots=True)
class Reading:
    measurand: str
    value: float
    unit: str
    location: str = "Outlet"


def readings(outlet: Outlet, measurands: str, offered: Callable[[], float],
             supported: frozenset[str] | None = None) -> list[Reading]:
    """The readings of a comma-separated list of measurands, in its order; those the outlet
    cannot measure (or not `supported`) are left out. `offered`: the power the station offers."""
    voltage = outlet.voltage * random.uniform(0.99, 1.01)
    found: list[Reading] = []
    for measurand in (m.strip() for m in measurands.split(",")):
        if supported is not None and measurand not in supported:
            continue
        if measurand == "Energy.Active.Import.Register":
            found.append(Reading(measurand, outlet.energy, "Wh"))
        elif measurand == "Power.Active.Import":
            found.append(Reading(measurand, outlet.power, "W"))
        elif measurand == "Power.Offered":
            found.append(Reading(measurand, offered(), "W"))
        elif measurand == "Current.Import":
            found.append(Reading(measurand, outlet.power / voltage / outlet.phases, "A"))
        elif measurand == "Current.Offered":
            found.append(Reading(measurand, offered() / voltage / outlet.phases, "A"))
        elif measurand == "Voltage":
            found.append(Reading(measurand, voltage, "V"))
        elif measurand == "Frequency" and not outlet.dc:
            found.append(Reading(measurand, 50.0 * random.uniform(0.999, 1.001), "Hz"))
        elif measurand == "SoC" and outlet.dc:   # only a DC charger talks to the battery
            found.append(Reading(measurand, outlet.soc, "Percent", "EV"))
    return found


def whole(reading: Reading) -> bool:
    """Registers and percentages are read in whole units."""
    return reading.unit in ("Wh", "Percent")
