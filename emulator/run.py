"""Running emulated stations: from files, against any central system, or inside `serve`."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import AsyncIterator, Iterable

import aiohttp
from aiohttp import web

from .config import StationConfig, StationConfigError, load_stations
from .options import StationOptions
from .stations import Station, new_station
from .stats import Stats

log = logging.getLogger("ocpp_emulator")



def new_http_session() -> aiohttp.ClientSession:
    # No connection limit: every station holds one socket for as long as it runs.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                 timeout=aiohttp.ClientTimeout(total=None, connect=30))


class Emulator:
    """A set of stations sharing one HTTP session and one set of counters."""

    def __init__(self, configs: Iterable[StationConfig], *, url: str | None = None,
                 options: StationOptions | None = None, stats: Stats | None = None):
        self.configs = list(configs)
        self.url = url
        self.options = options or StationOptions()
        self.stats = stats or Stats()
        self.stations: dict[str, Station] = {}
        self.session: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self.session = new_http_session()
        for config in self.configs:
            # A 2.0.1 station offers only "ocpp2.0.1": while the central system refuses it, the
            # station logs one line and stops (it retries with backoff while unreachable).
            station = new_station(config, self.session, url=self.url, stats=self.stats,
                                  options=self.options)
            if station is None:
                log.warning("%s: OCPP %s is not emulated; skipped", config.identity,
                            config.version)
                continue
            self.stations[config.identity] = station
            self._tasks.append(station.start())
        for version in sorted({s.config.version for s in self.stations.values()}):
            names = [i for i, s in self.stations.items() if s.config.version == version]
            log.info("emulator: %d OCPP %s stations started (%s)", len(names), version,
                     ", ".join(names))
        if not self.stations:
            log.info("emulator: no stations started")

    def station(self, name: str) -> Station:
        if name in self.stations:
            return self.stations[name]
        for s in self.stations.values():
            if s.config.name == name:
                return s
        raise KeyError(f"no running station {name}")

    async def wait_booted(self, timeout: float = 60.0) -> None:
        """Until every station has booted (a 2.0.1 station skipped for want of 2.0.1 counts)."""
        await asyncio.wait_for(asyncio.gather(*(s.ready() for s in self.stations.values())),
                               timeout)

    async def stop(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.stations.values()), return_exceptions=True)
        for task in self._tasks:
            if not task.done():
                try:
                    await asyncio.wait_for(asyncio.shield(task), 2.0)
                except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - stopping anyway
                    task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.session is not None:
            await self.session.close()
            self.session = None


def default_config_dir() -> Path:
    """./conf/cp when it exists, else the stations installed with this package (conf/cp, packaged
    as ocpp_emulator/stations), else the conf/cp of the source tree this package lives in."""
    here = Path.cwd() / "conf" / "cp"
    if here.is_dir():
        return here
    installed = Path(__file__).resolve().parent / "stations"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[1] / "conf" / "cp"


def attach_to_app(app: web.Application, port: int, host: str = "127.0.0.1",
                  config_dir: str | Path | None = None, sessions: list | None = None) -> None:
    """Run the stations of `config_dir` inside `serve`: started once the server listens (it
    answers /ping), pointed at ws://host:port/ocpp/, stopped first on shutdown; `sessions`
    (scenario.Session) run on them once they have booted."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    base = f"http://{host}:{port}"
    holder: dict[str, Emulator] = {}

    async def start_when_listening() -> None:
        folder = Path(config_dir) if config_dir else default_config_dir()
        try:
            configs = load_stations(folder)
        except StationConfigError as e:
            log.warning("emulator: %s; no emulated stations", e)
            return
        async with aiohttp.ClientSession() as probe:
            while True:
                try:
                    async with probe.get(base + "/ping") as r:
                        if r.status == 200:
                            break
                except (aiohttp.ClientError, OSError):
                    pass
                await asyncio.sleep(0.1)
        emulator = Emulator(configs, url=f"ws://{host}:{port}/ocpp/")
        holder["emulator"] = emulator
        await emulator.start()
        if sessions:
            from .scenario import run_sessions
            for result in await run_sessions(emulator.stations, sessions):
                log.info("emulator: %s", result)

    async def stop() -> None:
        emulator = holder.pop("emulator", None)
        if emulator is not None:
            await emulator.stop()

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(start_when_listening(), name="emulator-start")
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await stop()

    async def on_shutdown(app: web.Application) -> None:
        # Right after the server closed the stations' sockets (1001), before any tries again.
        await stop()

    app.cleanup_ctx.append(context)
    app.on_shutdown.append(on_shutdown)


def _range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    a = float(low)
    b = float(high) if high else a
    if a <= 0 or b < a:
        raise ValueError(f"not a range of seconds: {text!r}")
    return a, b


def run_command(args) -> int:  # noqa: ANN001 - an argparse.Namespace from ocpp_cs.cli
    """`ocpp-cs emulator`: stations from files, sessions and scenarios, or load mode."""
    return asyncio.run(_command(args))


async def _command(args) -> int:  # noqa: ANN001
    from .load import LoadOptions, run_load
    from .scenario import ScenarioError, load_scenario, parse_session, run_sessions

    try:
        meter = _range(args.meter_interval) if args.meter_interval else None
        gap = _range(args.session_gap) if args.session_gap else None
        length = _range(args.session_length) if args.session_length else None
    except ValueError as e:
        print(f"ocpp-cs emulator: {e}")
        return 2
    if args.load:
        url = args.url or "ws://127.0.0.1:9220/ocpp/"
        options = LoadOptions(count=args.load, url=url, prefix=args.prefix,
                              ramp_up=args.ramp_up, storm=args.storm, duration=args.duration,
                              heartbeat=args.heartbeat, report_every=args.report_every)
        if meter:
            options.meter_interval = meter
        if gap:
            options.session_gap = gap
        if length:
            options.session_length = length
        stats = await run_load(options)
        return 1 if stats.errors else 0

    try:
        sessions = [parse_session(s) for s in args.session or []]
        if args.scenario:
            sessions += load_scenario(args.scenario)
        names = list(args.station or []) or sorted({s.station for s in sessions}) or None
        configs = load_stations(args.config_dir or default_config_dir(), names)
    except (ScenarioError, StationConfigError) as e:
        print(f"ocpp-cs emulator: {e}")
        return 2
    options = StationOptions(heartbeat=args.heartbeat, meter_interval=meter)
    emulator = Emulator(configs, url=args.url, options=options)
    await emulator.start()
    code = 0
    try:
        if sessions:
            results = await run_sessions(emulator.stations, sessions)
            for r in results:
                s = r.session
                if r.ok:
                    print(f"{s.station} connector {s.connector} {s.id_tag}: transaction "
                          f"{r.transaction_id}, {r.energy:.0f} Wh")
                else:
                    print(f"{s.station} connector {s.connector} {s.id_tag}: failed: {r.error}")
                    code = 1
            if args.duration:
                await asyncio.sleep(args.duration)
        elif args.duration:
            await asyncio.sleep(args.duration)
        else:
            await asyncio.Event().wait()
    finally:
        await emulator.stop()
        print(f"emulator: {emulator.stats.line()}")
    return code
