"""An OCPP 1.5 (or 1.6) station over SOAP 1.2 that behaves like a real one.

It is the 1.6 station of station16.py (connectors, configuration, local list, sessions, what each
command does) over the SOAP transport of transport/soap.py instead of a socket: its own messages are
POSTed to the central system's /Ocpp, the central system's come to a small HTTP server of its own
(at the file's ChargePointURL when that port is free). The 1.5 differences are the transport's
codec's (transport/soap_codec.py): the behaviour speaks 1.6 JSON throughout.
"""
from __future__ import annotations

import aiohttp

from .config import StationConfig
from .options import StationOptions
from .station16 import Station16
from .stats import Stats
from .transport.soap import SoapTransport
from .transport.soap_codec import soap_url


def SoapStation(config: StationConfig, session: aiohttp.ClientSession, *,  # noqa: N802 - a maker
                url: str | None = None, stats: Stats | None = None,
                options: StationOptions | None = None) -> Station16:
    """A 1.6 behaviour on the SOAP transport (the name of the class it used to be)."""
    stats = stats or Stats()
    options = options or StationOptions()
    transport = SoapTransport(session, identity=config.identity, version=config.version,
                              listen_at=config.value("ChargePointURL"), stats=stats,
                              call_timeout=options.call_timeout)
    return Station16(config, session, url=soap_url(url or config.url), stats=stats,
                     options=options, transport=transport)


__all__ = ["SoapStation", "soap_url"]
