"""The one place that talks to PostgreSQL: each station message is one call of the ocpp.* API."""
from .database import Gateway, load_queries, login_superuser
from .errors import OcppError, is_connection_error, to_ocpp_error

__all__ = ["Gateway", "OcppError", "is_connection_error", "load_queries", "login_superuser",
           "to_ocpp_error"]
