"""The web UI: pages served from static/ (no build step), sign-in with the API's tokens, and the live
feed of the message log and station changes (live.py)."""
from .routes import LIVE, setup_webui

__all__ = ["LIVE", "setup_webui"]
