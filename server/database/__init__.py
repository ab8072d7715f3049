"""The one place that talks to PostgreSQL, and the only code that imports asyncpg.

    connection.py  how every connection is opened (login, role, application_name, settings)
    gateway.py     the pool, one SQL call per station message (queries.sql), group commit (batching.py)
    listener.py    the node's one LISTEN connection, fanning NOTIFYs out to their subscribers
    api.py         the statements of the REST API, the web UI and the token commands (api.sql)
    outage.py      PostgreSQL out of reach: one ERROR per outage
"""
from .api import ApiQueries
from .connection import DatabaseError, Login, session
from .gateway import Gateway, load_queries, login_superuser
from .errors import OcppError, is_connection_error, is_refusal, to_ocpp_error
from .listener import NotifyListener
from .outage import Outage

__all__ = ["ApiQueries", "DatabaseError", "Gateway", "NotifyListener", "Login", "OcppError", "Outage",
           "is_connection_error", "is_refusal", "load_queries", "login_superuser", "session",
           "to_ocpp_error"]
