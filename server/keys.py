"""The typed keys under which app.py hands each box what it needs (aiohttp's web.AppKey).

A leaf: it imports nothing of ours at run time (the types only for the checker), so the REST API,
the web UI and app.py can all import it, and no box imports app.py, the module that assembles them.
Sub-apps read the keys through request.config_dict, which sees the parent app's values.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .config import Config
    from .database import ApiQueries, Gateway, NotifyListener
    from .dispatcher import Dispatcher
    from .messagelog import MessageLog
    from .metrics import NodeMetrics
    from .transport import SoapEndpoint, Stations, WebSocketEndpoint
    from .webhook import WebhookClient
    from .webui.live import LiveHub

CONFIG: web.AppKey[Config] = web.AppKey("config")
GATEWAY: web.AppKey[Gateway] = web.AppKey("gateway")
LISTENER: web.AppKey[NotifyListener] = web.AppKey("listener")
API_QUERIES: web.AppKey[ApiQueries] = web.AppKey("api_queries")  # the REST API's and web UI's SQL
MESSAGES: web.AppKey[MessageLog] = web.AppKey("messages")
STATIONS: web.AppKey[Stations] = web.AppKey("stations")
DISPATCHER: web.AppKey[Dispatcher] = web.AppKey("dispatcher")
ENDPOINT: web.AppKey[WebSocketEndpoint] = web.AppKey("endpoint")
SOAP: web.AppKey[SoapEndpoint] = web.AppKey("soap")
WEBHOOK: web.AppKey[WebhookClient] = web.AppKey("webhook")
LIVE: web.AppKey[LiveHub] = web.AppKey("live")
METRICS: web.AppKey[NodeMetrics] = web.AppKey("metrics")  # absent with [metrics] enabled = false
