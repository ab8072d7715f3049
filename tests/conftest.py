"""Test fixtures: one real PostgreSQL cluster per run (per xdist worker; fsync off), a template
database built by the migrations once, a fresh database per test copied from it, and a real server on a
free port. Tests that need no fresh server (they use station identities and rows of their own) share one
per module (`shared_db`, `shared_server`): starting a server per test was most of the suite's time.
Async tests query through `await db.sql(...)` (asyncpg), not `db.psql` (a subprocess that would block
the event loop the server under test runs on).

The roles are the embedded cluster's (EmbeddedPostgres.start makes them): the template is migrated
by ocpp_owner and the server logs in as ocpp_server, as `ocpp-cs serve` does, while the tests'
own assertions (psql, `conn`) use the superuser."""
from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Iterator

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import web

from ocpp_cs import migrate
from ocpp_cs.app import build_app
from ocpp_cs.config import Config
from ocpp_cs.embedded import OWNER, SERVER_LOGIN, EmbeddedPostgres
from ocpp_cs.listeners import listen, make_runner, plan
from pki import Pki

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = "ocpp_template"
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
_numbers = itertools.count(1)


# Ports for the tests' servers: below Linux's ephemeral range (32768-60999), which the kernel hands
# out for outgoing connections (to PostgreSQL, between test processes) at any moment, so a port
# picked there could be taken before the server binds it; and a slice of its own per xdist worker,
# so two workers never pick the same one.
PORT_SLICE = 1500
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 8
_ports = itertools.cycle(range(20000 + _worker * PORT_SLICE, 20000 + (_worker + 1) * PORT_SLICE))


def free_port() -> int:
    """A port of 127.0.0.1 that is free now and that nothing else in the run will pick."""
    for _ in range(PORT_SLICE):
        port = next(_ports)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in this worker's slice of {PORT_SLICE}")


def psql_bin(cluster: EmbeddedPostgres) -> str:
    return shutil.which("psql") or str(cluster.bindir / "psql")


@pytest.fixture(scope="session")
def cluster() -> Iterator[EmbeddedPostgres]:
    # Under /tmp, not pytest's private tmp_path: as root the cluster runs as an unprivileged user.
    base = Path(f"/tmp/ocpp-cs-tests-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    pg = EmbeddedPostgres(base, settings=FAST)
    pg.start()
    pg.ensure_database(TEMPLATE, owner=OWNER)
    migrate.upgrade(pg.dsn(TEMPLATE, user=OWNER))
    yield pg
    pg.stop()
    shutil.rmtree(base, ignore_errors=True)


@dataclass
class Database:
    name: str
    dsn: str
    cluster: EmbeddedPostgres

    @property
    def server_dsn(self) -> str:
        """The server's least-privilege login (the DSN `dsn` is the superuser's)."""
        return self.cluster.dsn(self.name, user=SERVER_LOGIN)

    def psql(self, sql: str) -> str:
        """Run SQL through psql and return its unaligned output (for assertions)."""
        out = subprocess.run([psql_bin(self.cluster), *self.cluster.psql_args(self.name),
                              "-v", "ON_ERROR_STOP=1", "-tAqc", sql],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise AssertionError(out.stderr)
        return out.stdout.strip()

    async def sql(self, sql: str, user: str | None = None) -> str:
        """`psql` for async tests: the same text (columns joined by |, rows by newlines, NULL as
        nothing, each value as PostgreSQL prints it), the same fresh session per call, but over
        asyncpg, so the server under test keeps running meanwhile."""
        dsn = self.cluster.dsn(self.name, user=user) if user else self.dsn
        c = await asyncpg.connect(dsn)
        try:
            return await _unaligned(c, sql)
        except _MultipleStatements:
            pass
        except asyncpg.PostgresError as e:
            raise AssertionError(_as_psql_error(e)) from None
        finally:
            await c.close()
        # Several statements in one string: psql itself, without blocking the loop.
        login = self.cluster.psql_args(self.name, user=user) if user else self.cluster.psql_args(self.name)
        p = await asyncio.create_subprocess_exec(
            psql_bin(self.cluster), *login, "-v", "ON_ERROR_STOP=1", "-tAqc", sql,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await p.communicate()
        if p.returncode != 0:
            raise AssertionError(err.decode())
        return out.decode().strip()


class _MultipleStatements(Exception):
    pass


async def _unaligned(c: asyncpg.Connection, sql: str) -> str:
    """psql -tA's output of one statement: format('%s') prints each value with its type's output
    function, as psql does (booleans t/f, NULL empty)."""
    sql = sql.strip().rstrip(";")
    try:
        columns = len((await c.prepare(sql)).get_attributes())
    except asyncpg.PostgresSyntaxError as e:
        if "multiple commands" in str(e):
            raise _MultipleStatements() from None
        raise
    if not columns:
        await c.execute(sql)
        return ""
    names = [f"c{i}" for i in range(1, columns + 1)]
    row = ", ".join(f"q.{n}" for n in names)
    # A CTE (not a subquery) also takes INSERT ... RETURNING, and runs the statement exactly once.
    rows = await c.fetch(f"with q({', '.join(names)}) as materialized ({sql}\n) "
                         f"select format('{'|'.join(['%s'] * columns)}', {row}) from q")
    return "\n".join(r[0] for r in rows).strip()


def _as_psql_error(e: asyncpg.PostgresError) -> str:
    lines = [f"ERROR:  {e.args[0] if e.args else e}"]
    for label, value in (("DETAIL", e.detail), ("HINT", e.hint)):
        if value:
            lines.append(f"{label}:  {value}")
    return "\n".join(lines)


def new_database(cluster: EmbeddedPostgres, template: str | None = TEMPLATE,
                 owner: str | None = None) -> Database:
    name = f"test_{os.getpid()}_{next(_numbers)}"
    cluster.ensure_database(name, template=template, owner=owner)
    return Database(name, cluster.dsn(name), cluster)


@pytest.fixture
def db(cluster: EmbeddedPostgres) -> Database:
    return new_database(cluster)


@pytest.fixture(scope="module")
def shared_db(cluster: EmbeddedPostgres) -> Database:
    """One database for the tests of a module that each use rows of their own."""
    return new_database(cluster)


@pytest_asyncio.fixture
async def conn(db: Database) -> AsyncIterator[asyncpg.Connection]:
    c = await asyncpg.connect(db.dsn)
    yield c
    await c.close()


@dataclass
class Server:
    url: str        # ws://127.0.0.1:PORT/ocpp
    port: int
    config: Config
    db: Database
    app: web.Application
    tls_url: str | None = None  # wss://127.0.0.1:TLSPORT/ocpp when [tls] port was set
    tls_port: int = 0


async def start_server(db: Database, config: Config | None = None) -> tuple[Server, web.AppRunner]:
    """A server on free ports of 127.0.0.1: the plain one always, the TLS one when the config
    sets [tls] certificates (its port is chosen here)."""
    config = config or Config()
    config.server.host = "127.0.0.1"
    config.server.port = free_port()
    if config.tls.certificates:
        config.tls.port = free_port()
    config.server.node = config.server.node or f"test-node-{config.server.port}"
    config.message_log.flush_interval = 0.05
    config.certificates.ca_dir = config.certificates.ca_dir or str(db.cluster.data_dir / "ca")
    listeners = plan(config)
    app = build_app(config, db.server_dsn)
    runner = make_runner(app, config, shutdown_timeout=5)
    await runner.setup()
    await listen(runner, listeners)
    tls = config.tls.port if config.tls.certificates else 0
    return Server(f"ws://127.0.0.1:{config.server.port}/ocpp", config.server.port, config, db,
                  app, f"wss://127.0.0.1:{tls}/ocpp" if tls else None, tls), runner


@pytest.fixture
def server_config() -> Config:
    """Tests change this before `server` starts to run a server with other settings."""
    return Config()


@pytest_asyncio.fixture
async def server(db: Database, server_config: Config) -> AsyncIterator[Server]:
    srv, runner = await start_server(db, server_config)
    yield srv
    await runner.cleanup()


@pytest.fixture(scope="module")
def shared_server_config() -> Config:
    """A module changes this (a module-scoped override) before `shared_server` starts."""
    return Config()


@pytest_asyncio.fixture(scope="module")
async def shared_server(shared_db: Database, shared_server_config: Config) -> AsyncIterator[Server]:
    """One server for the tests of a module that need no fresh one: each uses station identities
    and rows of its own."""
    srv, runner = await start_server(shared_db, shared_server_config)
    yield srv
    await runner.cleanup()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Server and station certificates for the TLS tests (tests/pki.py)."""
    return Pki(tmp_path_factory.mktemp("pki"))


def with_tls(config: Config, pki: Pki) -> Config:
    """config with a TLS listener serving an RSA and an ECDSA certificate and trusting the test
    station CA (and the local CA) for client certificates."""
    config.tls.certificates = [str(pki.rsa.cert), str(pki.ec.cert)]
    config.tls.keys = [str(pki.rsa.key), str(pki.ec.key)]
    config.tls.station_ca = [str(pki.station_ca)]
    return config


@pytest.fixture
def tls_config(server_config: Config, pki: Pki) -> Config:
    """server_config with_tls."""
    return with_tls(server_config, pki)


@pytest_asyncio.fixture
async def tls_server(db: Database, tls_config: Config) -> AsyncIterator[Server]:
    """A server listening on ws:// (url) and wss:// (tls_url)."""
    srv, runner = await start_server(db, tls_config)
    yield srv
    await runner.cleanup()


@pytest_asyncio.fixture(scope="module")
async def shared_tls_server(shared_db: Database, shared_server_config: Config,
                            pki: Pki) -> AsyncIterator[Server]:
    """tls_server shared by the tests of a module that need no fresh one."""
    srv, runner = await start_server(shared_db, with_tls(shared_server_config, pki))
    yield srv
    await runner.cleanup()


async def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Poll an async predicate until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        await asyncio.sleep(interval)
