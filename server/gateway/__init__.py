"""The one place that talks to PostgreSQL: each station message is one call of the ocpp.* API."""
from .database import Gateway, load_queries
from .errors import OcppError, to_ocpp_error

__all__ = ["Gateway", "OcppError", "load_queries", "to_ocpp_error"]
