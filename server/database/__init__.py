"""The one place that talks to PostgreSQL: each station message is one call of the ocpp.* API."""
from .gateway import Gateway, load_queries, login_superuser
from .errors import OcppError, is_connection_error, is_refusal, to_ocpp_error
from .outage import Outage

__all__ = ["Gateway", "OcppError", "Outage", "is_connection_error", "is_refusal", "load_queries",
           "login_superuser", "to_ocpp_error"]
