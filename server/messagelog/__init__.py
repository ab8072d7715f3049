"""Every frame in and out, written to PostgreSQL in batches so the reply path never waits for it."""
from .writer import MessageLog

__all__ = ["MessageLog"]
