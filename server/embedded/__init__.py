"""A private PostgreSQL cluster in a data folder (the default when no database URL is configured)."""
from .postgres import EmbeddedError, EmbeddedPostgres, find_bindir

__all__ = ["EmbeddedError", "EmbeddedPostgres", "find_bindir"]
