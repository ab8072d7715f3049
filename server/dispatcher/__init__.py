"""Commands queued in SQL, delivered to the stations whose sockets this node holds."""
from .dispatcher import CHANNEL, Dispatcher

__all__ = ["CHANNEL", "Dispatcher"]
