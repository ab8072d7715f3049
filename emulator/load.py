"""Load mode: N lightweight 1.6 stations from one process, with a fleet's message mix.

Each station boots, reports status, sends heartbeats at the configured interval and runs sessions on
its own: idle for a while, plug in, Authorize, StartTransaction, meter values every 30–60 s,
StopTransaction, unplug. Stations start spread over the ramp-up; the reconnect storm drops every
socket at once, after which all stations reconnect and boot together.
"""
from __future__ import annotations

import asyncio
import logging
import random
import resource
import time
from dataclasses import dataclass
from typing import Callable

from .config import ConfigurationKey, ConnectorConfig, StationConfig
from .run import new_http_session
from .options import StationOptions
from .station16 import Station16
from .stats import Stats

log = logging.getLogger("ocpp_emulator")

# The fleet: shares of stations by connector set (shared, read-only configurations).
_MIX: list[tuple[float, list[ConnectorConfig]]] = [
    (0.5, [ConnectorConfig(1, "AC", "Type2", 0, 11040.0), ConnectorConfig(2, "AC", "Type2", 0,
                                                                           11040.0)]),
    (0.3, [ConnectorConfig(1, "AC", "Type2", 0, 22080.0)]),
    (0.2, [ConnectorConfig(1, "DC", "CCS2", 0, 50000.0), ConnectorConfig(2, "DC", "CHAdeMO", 0,
                                                                          50000.0)]),
]


@dataclass
class LoadOptions:
    count: int
    url: str = "ws://127.0.0.1:9220/ocpp/"
    prefix: str = "LOAD"
    ramp_up: float = 10.0                  # seconds over which the stations start
    storm: bool = False                    # drop and reconnect all once the fleet is up
    duration: float | None = None          # seconds after the ramp-up (and storm); None = forever
    report_every: float = 10.0
    heartbeat: float | None = None         # None: the central system's interval
    meter_interval: tuple[float, float] = (30.0, 60.0)
    session_gap: tuple[float, float] = (60.0, 900.0)
    session_length: tuple[float, float] = (300.0, 1800.0)
    boot_timeout: float = 120.0            # waiting for the whole fleet to boot


def fleet(options: LoadOptions) -> list[StationConfig]:
    keys = {"ChargePointVendor": ConfigurationKey("ChargePointVendor", True, "ocpp-cs"),
            "ChargePointModel": ConfigurationKey("ChargePointModel", True, "LoadEmulator"),
            "ChargePointSoftwareVersion": ConfigurationKey("ChargePointSoftwareVersion", True,
                                                           "1.0.0")}
    width = max(5, len(str(options.count)))
    rng = random.Random(options.count)
    configs = []
    for i in range(1, options.count + 1):
        x, connectors = rng.random(), _MIX[-1][1]
        for share, cs in _MIX:
            if x < share:
                connectors = cs
                break
            x -= share
        identity = f"{options.prefix}{i:0{width}d}"
        configs.append(StationConfig(identity, "1.6", identity, options.url, connectors, keys))
    return configs


def _raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def run_load(options: LoadOptions, out: Callable[[str], None] = print,
                   stats: Stats | None = None) -> Stats:
    """Run the fleet; print what it does; return the counters (errors must stay zero). stats:
    counters to fill (a benchmark watching the fleet while it runs), else new ones."""
    _raise_file_limit()
    stats = stats or Stats()
    station_options = StationOptions(
        validate=False, heartbeat=options.heartbeat, meter_interval=options.meter_interval,
        autonomous=True, session_gap=options.session_gap, session_length=options.session_length,
        unplug_delay=1.0)
    session = new_http_session()
    stations = [Station16(c, session, stats=stats, options=station_options)
                for c in fleet(options)]
    tasks: list[asyncio.Task] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    out(f"load: {options.count} stations against {options.url}, ramp-up {options.ramp_up:g} s")

    async def report() -> None:
        while True:
            await asyncio.sleep(options.report_every)
            out(f"load: {loop.time() - started:7.1f} s  {stats.line()}")

    reporter = asyncio.create_task(report())
    try:
        step = options.ramp_up / max(1, len(stations))
        for i, station in enumerate(stations):
            tasks.append(station.start())
            delay = started + (i + 1) * step - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        try:
            await _until(lambda: stats.booted >= len(stations), options.boot_timeout)
            out(f"load: all {len(stations)} stations booted in {loop.time() - started:.1f} s")
        except asyncio.TimeoutError:
            out(f"load: only {stats.booted} of {len(stations)} stations booted within "
                f"{options.boot_timeout:g} s")
        if options.storm:
            boots = stats.boots
            t0 = loop.time()
            out(f"load: reconnect storm: dropping all {len(stations)} connections")
            await asyncio.gather(*(s.drop() for s in stations))
            try:
                await _until(lambda: stats.boots - boots >= len(stations)
                             and stats.booted >= len(stations), options.boot_timeout)
                out(f"load: storm over, all {len(stations)} stations booted again in "
                    f"{loop.time() - t0:.2f} s, errors {stats.errors}")
            except asyncio.TimeoutError:
                out(f"load: storm: only {stats.booted} of {len(stations)} stations back within "
                    f"{options.boot_timeout:g} s")
        if options.duration is not None:
            await asyncio.sleep(options.duration)
        else:
            await asyncio.Event().wait()
    finally:
        reporter.cancel()
        await asyncio.gather(*(s.stop() for s in stations), return_exceptions=True)
        done, pending = await asyncio.wait(tasks, timeout=5) if tasks else (set(), set())
        for t in pending:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.close()
        out(f"load: finished after {loop.time() - started:.1f} s: {stats.line()}")
        for line in stats.last_errors:
            out(f"load: error: {line}")
    return stats


async def _until(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise asyncio.TimeoutError
        await asyncio.sleep(0.05)
