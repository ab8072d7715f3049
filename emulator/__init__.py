"""Charge point emulator: stations from `conf/cp/<name>/configuration.json` that behave like real
ones, sessions from the command line or a scenario file, and a load mode of thousands of stations.

A station is composed, not inherited: a behaviour per OCPP version, driven by one connection over a
transport of its kind.

    config.py        the station files (apostoldevel/ocpp-cs format)
    stations.py      which behaviour and transport a file makes
    station16.py     the OCPP 1.6 behaviour (state16.py connectors, keys16.py configuration keys)
    station201.py    the OCPP 2.0.1 behaviour (state201.py EVSEs, device_model.py variables)
    soap_station.py  the 1.6 behaviour on the SOAP transport (OCPP 1.5 and 1.6 over SOAP)
    connection.py    the OCPP-J peer: CALLs out and their answers, CALLs in, framing errors,
                     reconnects with backoff
    transport/       websocket.py (aiohttp client), soap.py and soap_codec.py (SOAP 1.2 over HTTP)
    energy.py        shared by both versions: profiles' limits, the EV's draw, energy and SoC
    clock.py, certificates.py, options.py, stats.py   small shared pieces
    scenario.py      sessions: plug in, id tag, charge N minutes, unplug
    load.py          N lightweight stations with a fleet's message mix, ramp-up, reconnect storm
    run.py           running a set of stations, standalone or inside `serve`
"""
from .config import StationConfig, StationConfigError, load_stations
from .connection import CallErrorReceived, Connection
from .options import StationOptions
from .run import Emulator, attach_to_app, default_config_dir
from .station16 import Station16
from .station201 import Station201
from .stats import Stats

__all__ = ["CallErrorReceived", "Connection", "Emulator", "Station16", "Station201",
           "StationConfig", "StationConfigError", "StationOptions", "Stats", "attach_to_app",
           "default_config_dir", "load_stations"]
