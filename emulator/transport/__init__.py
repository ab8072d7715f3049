"""How an emulated station reaches the central system: one module per kind, each moving OCPP-J
frames (text) for connection.py. websocket.py: OCPP-J over an aiohttp client socket. soap.py:
OCPP 1.5/1.6 over SOAP 1.2, POSTing the station's requests and listening for the central system's.
"""
from .soap import SoapTransport, soap_url
from .websocket import WebSocketTransport

__all__ = ["SoapTransport", "WebSocketTransport", "soap_url"]
