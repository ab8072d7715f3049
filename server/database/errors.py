"""PostgreSQL errors as asyncpg raises them: what they say (read here) and what they mean (looked up
in protocol/errors.py, the one error table), and whether trying again can help."""
from __future__ import annotations

import asyncio

import asyncpg

from ..protocol.errors import OcppError, from_sqlstate, internal

__all__ = ["OcppError", "to_ocpp_error", "is_connection_error", "is_refusal", "sqlstate_of"]


def sqlstate_of(exc: BaseException) -> tuple[str, str, str | None] | None:
    """(sqlstate, message, detail) of a PostgreSQL error; None for any other exception."""
    if not isinstance(exc, asyncpg.PostgresError):
        return None
    return ((getattr(exc, "sqlstate", None) or ""), getattr(exc, "message", None) or str(exc),
            getattr(exc, "detail", None))


def to_ocpp_error(exc: BaseException) -> OcppError:
    error = sqlstate_of(exc)
    if error is None:
        return internal(f"{type(exc).__name__}: {exc}")
    return from_sqlstate(*error)


def is_connection_error(exc: BaseException) -> bool:
    """True when PostgreSQL was not reached, or dropped the session (08 connection exception, 57
    operator intervention: shutting down, restarting, our backend terminated): worth retrying.
    False when it refused the statement."""
    if isinstance(exc, asyncpg.PostgresError):
        return (getattr(exc, "sqlstate", None) or "")[:2] in ("08", "57")
    return isinstance(exc, (OSError, asyncio.TimeoutError, asyncpg.InterfaceError))


# SQLSTATE classes that refuse the statement's data, or the statement itself: the same statement
# fails the same way again (22 data exception, 23 integrity constraint, 54 program limit exceeded,
# 42 syntax error or access rule, OC ours). Anything else (08 connection, 57 operator intervention,
# 53 insufficient resources, 58 system error, a dropped socket) may pass when tried again.
REFUSAL_CLASSES = frozenset({"22", "23", "54", "42", "OC"})


def is_refusal(exc: BaseException) -> bool:
    """True when PostgreSQL refused the statement for what it holds: retrying it cannot help."""
    return (isinstance(exc, asyncpg.PostgresError)
            and (getattr(exc, "sqlstate", None) or "")[:2] in REFUSAL_CLASSES)
