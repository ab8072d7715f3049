"""The electrical side of an emulated station, the same for every OCPP version: what a charging
profile allows at a moment, how much of it the EV takes (a DC battery tapers above 80 %), and the
energy register and state of charge that follow from the power over time.

Its outlets are outlet.py's: a 1.6 connector or a 2.0.1 EVSE.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Iterable

from .clock import parse_time
from .outlet import Outlet

BATTERY_WH = 60000.0


def accumulate(outlet: Outlet, now: float, flowing: bool) -> None:
    """Energy delivered at the present power since the last update (when `flowing`)."""
    if flowing and outlet.power > 0:
        wh = outlet.power * max(0.0, now - outlet.last) / 3600.0
        outlet.energy += wh
        outlet.soc = min(100.0, outlet.soc + 100.0 * wh / BATTERY_WH)
    outlet.last = now


def drawn(offered: float, soc: float, dc: bool) -> float:
    """The power the EV takes of what is offered: less when a DC battery is nearly full."""
    if dc and soc > 80:
        offered *= max(0.05, (100 - soc) / 20)
    if soc >= 100:
        offered = 0.0
    return round(offered * random.uniform(0.97, 1.0), 1)


def profile_limit(p: dict[str, Any], wall: float, tx_start: float, voltage: float,
                  phases: int) -> float | None:
    """The limit in W a charging profile (1.6 shape: one chargingSchedule) sets at wall-clock time
    `wall`, or None outside it."""
    valid_from, valid_to = parse_time(p.get("validFrom")), parse_time(p.get("validTo"))
    if (valid_from and wall < valid_from) or (valid_to and wall > valid_to):
        return None
    schedule = p["chargingSchedule"]
    kind = p["chargingProfileKind"]
    start = tx_start if kind == "Relative" else (parse_time(schedule.get("startSchedule"))
                                                 or tx_start)
    elapsed = wall - start
    if kind == "Recurring":
        elapsed %= 604800 if p.get("recurrencyKind") == "Weekly" else 86400
    if elapsed < 0 or (schedule.get("duration") and elapsed > schedule["duration"]):
        return None
    limit, n = None, phases
    for period in sorted(schedule["chargingSchedulePeriod"], key=lambda x: x["startPeriod"]):
        if period["startPeriod"] <= elapsed:
            limit, n = period["limit"], period.get("numberPhases", phases)
    if limit is None:
        return None
    return float(limit) if schedule["chargingRateUnit"] == "W" else float(limit) * voltage * n


def stacked_limit(profiles: Iterable[dict[str, Any]], purpose: str, transaction_id: Any,
                  wall: float, tx_start: float, voltage: float, phases: int,
                  shape: Callable[[dict[str, Any]], dict[str, Any]] = lambda p: p) -> float | None:
    """The limit of the highest stack level of `purpose` that applies now (TxProfiles only of
    this transaction), or None. `shape` turns a profile into the 1.6 shape profile_limit reads."""
    found = [p for p in profiles if p["chargingProfilePurpose"] == purpose
             and (purpose != "TxProfile" or p.get("transactionId") in (None, transaction_id))]
    for p in sorted(found, key=lambda p: -p["stackLevel"]):
        value = profile_limit(shape(p), wall, tx_start, voltage, phases)
        if value is not None:
            return value
    return None
