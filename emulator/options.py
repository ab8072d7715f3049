"""How an emulated station runs: timeouts, delays and load-mode habits, the same for every
OCPP version and transport (tests speed them up; load mode makes stations charge on their own)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StationOptions:
    call_timeout: float = 30.0
    backoff_min: float = 1.0        # first reconnect delay, seconds; doubles up to backoff_max
    backoff_max: float = 60.0
    reboot_delay: float = 1.0       # a reset or firmware install: seconds "off"
    step_delay: float = 2.0         # between the steps of firmware and diagnostics sequences
    unplug_delay: float = 3.0       # the driver unplugs this long after a stop (Finishing → Available)
    validate: bool = True           # check outgoing payloads against the version's schemas
    heartbeat: float | None = None  # override of the central system's interval
    meter_interval: tuple[float, float] | None = None   # override of the sample interval
    # Load mode: sessions start on their own, idle gap and session length drawn from these ranges.
    autonomous: bool = False
    session_gap: tuple[float, float] = (60.0, 600.0)
    session_length: tuple[float, float] = (300.0, 1800.0)
