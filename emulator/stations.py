"""Which station a file makes: a behaviour for its OCPP version on a transport of its kind.

    1.6   over WebSocket   Station16 + WebSocketTransport
    2.0.1 over WebSocket   Station201 + WebSocketTransport (strict: only ocpp2.0.1)
    1.5 / 1.6 over SOAP    Station16 + SoapTransport (soap_station.py)

Each behaviour builds its Connection; everything else (run.py, scenario.py, load.py) holds a
Station and uses what both behaviours offer: booted, connectors, plug_in, start_transaction,
stop_transaction, unplug, start, stop, drop.
"""
from __future__ import annotations

import aiohttp

from .config import StationConfig
from .options import StationOptions
from .soap_station import SoapStation
from .station16 import Station16
from .station201 import Station201
from .stats import Stats

Station = Station16 | Station201

# The behaviour of each OCPP version spoken over WebSocket.
STATION_CLASSES: dict[str, type[Station16] | type[Station201]] = {"1.6": Station16,
                                                                   "2.0.1": Station201}


def new_station(config: StationConfig, session: aiohttp.ClientSession, *, url: str | None,
                stats: Stats, options: StationOptions) -> Station | None:
    """The station of a file, or None when its version and transport are not emulated."""
    if config.transport == "soap" and config.version in ("1.5", "1.6"):
        # POSTs to the central system's /Ocpp (from a ws:// url too)
        return SoapStation(config, session, url=url, stats=stats, options=options)
    kind = STATION_CLASSES.get(config.version) if config.transport == "ws" else None
    if kind is None:
        return None
    return kind(config, session, url=url, stats=stats, options=options)
