"""Station transports: OCPP-J over WebSocket, OCPP 1.5/1.6 over SOAP (HTTP POST /Ocpp)."""
from .soap import SoapEndpoint
from .stations import Stations
from .websocket import WebSocketEndpoint

__all__ = ["SoapEndpoint", "Stations", "WebSocketEndpoint"]
