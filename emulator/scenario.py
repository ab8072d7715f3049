"""Sessions without code: plug in, present an id tag, charge for a while, unplug.

From the command line, `--session STATION:CONNECTOR:IDTAG:DURATION` (DURATION in minutes, or with a
unit: `90s`, `2m`, `1h`); or from a scenario file, JSON or TOML:

    {"sessions": [
        {"station": "CP1", "connector": 1, "idTag": "DEMO-1", "minutes": 2},
        {"station": "CP2", "connector": 1, "idTag": "DEMO-2", "seconds": 30, "after": 10}
    ]}

`after` delays a session's start (seconds after the run starts); `repeat` runs it again and again.
"""
from __future__ import annotations

import asyncio
import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .connection import CallErrorReceived
from .stations import Station

log = logging.getLogger("ocpp_emulator")


class ScenarioError(Exception):
    pass


@dataclass
class Session:
    station: str
    connector: int
    id_tag: str
    seconds: float
    after: float = 0.0
    repeat: int = 1


@dataclass
class SessionResult:
    session: Session
    transaction_id: int | str | None = None   # 2.0.1: the station's transactionId
    energy: float = 0.0     # Wh
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.transaction_id is not None


def duration(text: str) -> float:
    """Seconds from `2` (minutes), `0.5`, `90s`, `2m` or `1h`."""
    text = text.strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600}.get(text[-1:], None)
    number = text[:-1] if scale else text
    try:
        value = float(number) * (scale or 60)
    except ValueError:
        raise ScenarioError(f"not a duration: {text!r} (minutes, or 90s, 2m, 1h)") from None
    if value <= 0:
        raise ScenarioError(f"duration must be positive: {text!r}")
    return value


def parse_session(spec: str) -> Session:
    parts = spec.split(":")
    if len(parts) != 4 or not all(parts):
        raise ScenarioError(f"session {spec!r}: expected STATION:CONNECTOR:IDTAG:MINUTES")
    station, connector, id_tag, minutes = parts
    if not connector.isdigit() or int(connector) < 1:
        raise ScenarioError(f"session {spec!r}: the connector must be a number from 1")
    if len(id_tag) > 20:
        raise ScenarioError(f"session {spec!r}: an OCPP 1.6 id tag has at most 20 characters")
    return Session(station, int(connector), id_tag, duration(minutes))


def _session(entry: dict[str, Any], where: str) -> Session:
    try:
        if "seconds" in entry:
            seconds = float(entry["seconds"])
        elif "minutes" in entry:
            seconds = float(entry["minutes"]) * 60
        else:
            seconds = duration(str(entry.get("duration", "1")))
        return Session(str(entry["station"]), int(entry.get("connector", 1)),
                       str(entry["idTag"]), seconds, float(entry.get("after", 0)),
                       int(entry.get("repeat", 1)))
    except (KeyError, TypeError, ValueError) as e:
        raise ScenarioError(f"{where}: a session needs station, idTag and a duration ({e})") \
            from None


def load_scenario(path: str | Path) -> list[Session]:
    path = Path(path)
    try:
        text = path.read_text()
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{path}: {e}") from None
    entries = data.get("sessions") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"{path}: expected a list of sessions")
    return [_session(e, f"{path} session {i + 1}") for i, e in enumerate(entries)]


async def run_session(station: Station, session: Session, *, boot_timeout: float = 60.0,
                      pause: float = 0.5) -> SessionResult:
    """Plug in, present the tag, charge, present the tag again, unplug. On a 2.0.1 station the
    session's connector is an EVSE (station.connectors are its EVSEs) and the tag an ISO14443
    idToken."""
    result = SessionResult(session)
    if session.connector not in station.connectors:
        result.error = f"{station.identity} has no connector {session.connector}"
        return result
    await asyncio.sleep(session.after)
    try:
        await asyncio.wait_for(station.booted.wait(), boot_timeout)
        c = station.connectors[session.connector]
        start = c.energy
        await station.plug_in(c.id)
        await asyncio.sleep(pause)
        if not await station.start_transaction(c.id, session.id_tag):
            result.error = f"id tag {session.id_tag} was not accepted"
            await station.unplug(c.id)
            return result
        result.transaction_id = c.transaction_id
        log.info("%s: connector %d charging for %s as transaction %s", station.identity, c.id,
                 _human(session.seconds), c.transaction_id)
        await asyncio.sleep(session.seconds)
        if c.transaction_id == result.transaction_id:
            await asyncio.wait_for(station.booted.wait(), boot_timeout)
            await station.stop_transaction(c, "Local", session.id_tag)
        await asyncio.sleep(pause)
        await station.unplug(c.id)
        result.energy = c.energy - start
        log.info("%s: connector %d done, %.0f Wh in transaction %s", station.identity, c.id,
                 result.energy, result.transaction_id)
    except asyncio.TimeoutError:
        result.error = f"{station.identity} did not boot within {boot_timeout:g} s"
    except (ConnectionError, CallErrorReceived) as e:
        result.error = str(e)
    return result


async def run_sessions(stations: dict[str, Station], sessions: list[Session],
                       **kwargs: Any) -> list[SessionResult]:
    async def one(s: Session) -> list[SessionResult]:
        station = stations.get(s.station) or next(
            (x for x in stations.values() if x.config.name == s.station), None)
        if station is None:
            return [SessionResult(s, error=f"no running station {s.station}")]
        results = []
        for _ in range(max(1, s.repeat)):
            results.append(await run_session(station, s, **kwargs))
        return results
    done = await asyncio.gather(*(one(s) for s in sessions))
    return [r for rs in done for r in rs]


def _human(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
