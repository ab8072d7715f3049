"""Charge point emulator: stations from `conf/cp/<name>/configuration.json` that behave like real
ones, sessions from the command line or a scenario file, and a load mode of thousands of stations.

    config.py     the station files (apostoldevel/ocpp-cs format)
    station16.py  an OCPP 1.6 station over WebSocket
    scenario.py   sessions: plug in, id tag, charge N minutes, unplug
    load.py       N lightweight stations with a fleet's message mix, ramp-up, reconnect storm
    run.py        running a set of stations, standalone or inside `serve`
"""
from .config import StationConfig, StationConfigError, load_stations
from .run import Emulator, attach_to_app, default_config_dir
from .station16 import Station16, StationOptions
from .stats import Stats

__all__ = ["Emulator", "Station16", "StationConfig", "StationConfigError", "StationOptions",
           "Stats", "attach_to_app", "default_config_dir", "load_stations"]
