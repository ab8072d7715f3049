"""A private PostgreSQL cluster in a data folder (the default when no database URL is configured)."""
from .postgres import (FRONTEND, OWNER, SERVER_LOGIN, SUPERUSER, EmbeddedError, EmbeddedPostgres,
                       find_bindir)

__all__ = ["EmbeddedError", "EmbeddedPostgres", "FRONTEND", "OWNER", "SERVER_LOGIN", "SUPERUSER",
           "find_bindir"]
