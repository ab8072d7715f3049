"""How every connection of ocpp-cs to PostgreSQL is opened: one place for the login, the role it acts
as, its application_name and its session settings.

The pool of the gateway, the one LISTEN connection of a node (listener.py) and the command-line tools
(cli.py) all connect here, so each shows up in pg_stat_activity as ocpp-cs and acts as the front end's
role ([database] role), which may only EXECUTE the ocpp.* API. The role is a startup parameter, not
SET ROLE, so nothing can move a session away from it.

A pooled connection keeps no session state between uses: the role and settings are startup
parameters, set_config is transaction-local (is_local), advisory locks are transaction-level and LISTEN
has a connection of its own (listener.py). So the pool does not run asyncpg's reset query (UNLISTEN *,
RESET ALL, CLOSE ALL, pg_advisory_unlock_all) on every release: that was a second round trip for every
statement, station messages included. An open transaction is still rolled back on release (asyncpg
does that before calling the pool's reset).
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, AsyncIterator

import asyncpg

if TYPE_CHECKING:
    from ..config import Config

# The error PostgreSQL raises for a statement it refused or a session it lost; the one name of it
# outside this package (nothing else imports asyncpg).
DatabaseError = asyncpg.PostgresError

CONNECT_TIMEOUT = 10.0  # seconds to wait for a connection before giving up (and retrying later)


@dataclass(frozen=True)
class Login:
    """Who connects, and as what: dsn (the login), role (acted as once logged in; empty: the login's
    own, for the checks that run before the migrations made the role) and the node named in
    application_name."""
    dsn: str
    role: str = ""
    node: str = ""

    @classmethod
    def from_config(cls, config: Config, dsn: str) -> "Login":
        """The login of serve and the token commands: [database] role, [server] node."""
        return cls(dsn, role=config.database.role, node=config.node)

    def without_role(self) -> "Login":
        return Login(self.dsn, node=self.node)

    def settings(self, purpose: str = "") -> dict[str, str]:
        name = " ".join(p for p in ("ocpp-cs", self.node, purpose) if p)
        settings = {"application_name": name[:63], "timezone": "UTC"}
        if self.role:
            settings["role"] = self.role
        return settings


async def connect(login: Login, purpose: str = "") -> asyncpg.Connection:
    """One connection of its own (LISTEN, a command-line tool); purpose is added to its name."""
    return await asyncpg.connect(login.dsn, server_settings=login.settings(purpose),
                                 timeout=CONNECT_TIMEOUT)


class _QuietPoolFloor(logging.Filter):
    """While PostgreSQL is away (a failover, a restart) asyncpg's pool logs a WARNING with a
    traceback each time it fails to reconnect up to min_size (1, 2, 4 ... s apart); the gateway's
    Outage already says it once, and the pool refills by itself when PostgreSQL is back."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to restore the pool connection floor")


_POOL_LOG = logging.getLogger("asyncpg.pool")


async def create_pool(login: Login, *, min_size: int, max_size: int) -> asyncpg.Pool:
    if not any(isinstance(f, _QuietPoolFloor) for f in _POOL_LOG.filters):
        _POOL_LOG.addFilter(_QuietPoolFloor())
    return await asyncpg.create_pool(login.dsn, min_size=min_size, max_size=max_size,
                                     server_settings=login.settings(), timeout=CONNECT_TIMEOUT,
                                     reset=_keep_session)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset on release: nothing to undo (see the module's docstring)."""


async def close_pool(pool: asyncpg.Pool, timeout: float = 10.0) -> None:
    """Close waits for every connection to come back; a stuck one must not hang a shutdown."""
    try:
        await asyncio.wait_for(pool.close(), timeout)
    except asyncio.TimeoutError:
        pool.terminate()


@asynccontextmanager
async def session(login: Login, purpose: str = "") -> AsyncIterator[asyncpg.Connection]:
    """A connection for the length of a block (the command-line tools)."""
    conn = await connect(login, purpose)
    try:
        yield conn
    finally:
        await conn.close(timeout=5)
