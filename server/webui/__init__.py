"""The web UI: pages served from static/ (no build step), sign-in with the API's tokens, and the live
feed of the message log and station changes (live.py), mounted as an aiohttp sub-application."""
from ..keys import LIVE
from .live import LiveHub
from .routes import setup_webui, webui_app

__all__ = ["LIVE", "LiveHub", "setup_webui", "webui_app"]
