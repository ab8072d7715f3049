"""Station transports: OCPP-J over WebSocket (SOAP over HTTP joins later)."""
from .stations import Stations
from .websocket import WebSocketEndpoint

__all__ = ["Stations", "WebSocketEndpoint"]
