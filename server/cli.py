"""The `ocpp-cs` command: serve, emulator, db upgrade, psql."""
from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from . import __version__
from .config import Config, ConfigError, config_path_default, default_data_dir, load
from .embedded import OWNER, SERVER_LOGIN, EmbeddedError, EmbeddedPostgres, find_bindir
from ocpp_emulator.scenario import ScenarioError

if TYPE_CHECKING:
    from aiohttp import web

    from .database import Login
    from .listeners import Listener

log = logging.getLogger("ocpp_cs")


def _database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="TOML configuration (default: ./conf/ocpp-cs.toml if present)")
    parser.add_argument("--database-url", metavar="DSN",
                        help="PostgreSQL to use (postgresql://...); without it the embedded "
                             "cluster in --data-dir is used")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder of the embedded PostgreSQL cluster (default here: "
                             f"{default_data_dir()}; /var/lib/ocpp-cs as root, "
                             "~/.local/share/ocpp-cs otherwise; [database] data_dir, "
                             "OCPP_CS_DATABASE_DATA_DIR)")


def _config(args: argparse.Namespace) -> Config:
    config = load(args.config or config_path_default())
    if args.database_url:
        config.database.url = args.database_url
    if args.data_dir:
        config.database.data_dir = args.data_dir
    for name in ("host", "port"):
        if getattr(args, name, None) is not None:
            setattr(config.server, name, getattr(args, name))
    if getattr(args, "tls_port", None) is not None:
        config.tls.port = args.tls_port
    if getattr(args, "no_emulator", False):
        config.emulator.enabled = False
    return config


@dataclass(frozen=True)
class Logins:
    """Who each command logs in as. `psql` alone uses the admin: the embedded cluster's superuser,
    or owner_url (else url) of a configured database."""
    server: str  # serve (pool and LISTEN connection) and the token commands: may only run ocpp.*
    owner: str   # the migrations: db upgrade and serve's own


@contextmanager
def database(config: Config, *, settings: dict[str, str] | None = None,
             create: bool = True) -> Iterator[Logins]:
    """The logins to use; starts the embedded cluster when no URL is configured, and stops it after
    if this process started it. create=False (psql, token) refuses a data folder that holds no
    cluster yet instead of making an empty one there."""
    if config.database.url:
        yield Logins(server=config.database.url,
                     owner=config.database.owner_url or config.database.url)
        return
    if config.database.owner_url:
        raise ConfigError("[database] owner_url (OCPP_CS_DATABASE_OWNER_URL) needs [database] url: "
                          "the embedded cluster makes its own owner")
    cluster = EmbeddedPostgres(config.database.data_dir, settings=settings or {})
    if not create and not cluster.initialised():
        raise EmbeddedError(f"no ocpp-cs database in {cluster.data_dir}: `ocpp-cs serve --data-dir "
                            f"{cluster.data_dir}` makes one (or give the --data-dir or "
                            "--database-url of an existing one)")
    cluster.start()
    try:
        yield Logins(server=cluster.dsn(user=SERVER_LOGIN), owner=cluster.dsn(user=OWNER))
    finally:
        if cluster.started_here:
            cluster.stop()


def _login(config: Config, dsn: str) -> Login:
    """The login of serve and the token commands, as the database package connects it."""
    from .database import Login

    return Login.from_config(config, dsn)


def _refuse_superuser(config: Config, dsn: str) -> None:
    """A superuser login would let an injected statement do anything (SET ROLE is no barrier for
    it), so serve needs it allowed in so many words."""
    import asyncio

    from .database import login_superuser

    login, superuser = asyncio.run(login_superuser(_login(config, dsn)))
    if not superuser:
        return
    if config.database.allow_superuser:
        log.warning("the database login %s is a superuser, or may become one: allowed by "
                    "[database] allow_superuser", login)
        return
    raise ConfigError(f"the database login {login} is a superuser, or may become one: give serve "
                      "a login that may only act as the front end's role ([database] url; "
                      "migrations may use [database] owner_url), or set [database] allow_superuser "
                      "= true (OCPP_CS_DATABASE_ALLOW_SUPERUSER)")


def cmd_serve(args: argparse.Namespace) -> int:
    from . import migrate
    from .app import build_app
    from .listeners import plan, run

    config = _config(args)
    listeners = plan(config)  # a bad [tls] file stops here, before PostgreSQL starts
    with database(config) as logins:
        _refuse_superuser(config, logins.server)  # before the migrations change anything
        if config.database.migrate:
            migrate.upgrade(logins.owner)
        app = build_app(config, logins.server)
        if config.emulator.enabled and not config.server.plain:
            # The emulator's stations speak ws:// only (they have no client certificate to offer).
            log.warning("emulator: not started, it needs the plain port and [server] plain = false")
        elif config.emulator.enabled:
            # The emulator's stations run in this event loop, started once the server listens.
            from ocpp_emulator import attach_to_app
            from ocpp_emulator.scenario import load_scenario, parse_session
            sessions = [parse_session(s) for s in args.session or []]
            if args.scenario:
                sessions += load_scenario(args.scenario)
            attach_to_app(app, config.server.port, config.server.host, sessions=sessions)
        _tune_gc()
        first_token = config.api.auth and not config.api.demo

        async def on_listening() -> None:
            log.info("ocpp-cs %s (node %s): stations at %s; web UI at %s", __version__, config.node,
                     ", ".join(listener.station_url for listener in listeners),
                     ", ".join(listener.web_url for listener in listeners))
            if first_token:  # only now: a start that fails (a port in use) does not burn it
                await _first_token(app, listeners)

        run(app, config, listeners, _event_loop(), shutdown_timeout=10, on_listening=on_listening)
    return 0


def _api_query(login: Login, name: str, *args: object) -> object:
    """One statement of the database layer's ApiQueries on a connection of its own (the token
    commands run before, or beside, the server)."""
    import asyncio

    from .database import ApiQueries, session

    async def run() -> object:
        async with session(login, "cli") as conn:
            return await getattr(ApiQueries(conn), name)(*args)

    return asyncio.run(run())


async def _first_token(app: web.Application, listeners: list[Listener]) -> None:
    """A new installation gets one operator token, printed once, so its web UI and API can be
    used at once (ocpp.api_token_first: never again once any token existed). Called once the ports
    are bound, on the server's own pool."""
    from .app import API_QUERIES

    token = await app[API_QUERIES].token_first("admin", "operator")
    if token:
        log.warning("first start: an operator token named admin was made for the web UI and the REST "
                    "API; it is shown this once, only its hash is kept:\n\n    %s\n\n"
                    "Sign in with it at %s; more: ocpp-cs token create NAME --role "
                    "operator|read; revoke: ocpp-cs token revoke admin", token,
                    " or ".join(listener.web_url for listener in listeners))


def _tune_gc() -> None:
    """Fewer, later collections: every frame makes short-lived dicts, and a full collection over
    thousands of sessions is a pause every station feels (bench/throughput.py's p99 at half rate)."""
    import gc
    gc.collect()
    gc.freeze()  # what start-up made lives as long as the process: never scan it again
    gc.set_threshold(50_000, 20, 100)


def _event_loop():
    """uvloop where it is installed: the front end spends its time in socket I/O."""
    try:
        import uvloop
    except ImportError:
        import asyncio
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def cmd_emulator(args: argparse.Namespace) -> int:
    from ocpp_emulator.run import run_command

    return run_command(args)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from . import migrate

    config = _config(args)
    with database(config) as logins:
        migrate.upgrade(logins.owner)
    print("database is at the latest revision")
    return 0


_EXPIRES_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _expires(text: str) -> str:
    """--expires 30d: a number and a unit (s, m, h, d, w), as a PostgreSQL interval ('30 days')."""
    match = re.fullmatch(r"([1-9][0-9]{0,5})([smhdw])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number and a unit s, m, h, d or w (e.g. 30d)")
    return f"{match.group(1)} {_EXPIRES_UNITS[match.group(2)]}"


def cmd_token(args: argparse.Namespace) -> int:
    """Creates or revokes a REST API token (ocpp.api_token_create / ocpp.api_token_revoke)."""
    from .database import DatabaseError

    config = _config(args)
    with database(config, create=False) as logins:
        login = _login(config, logins.server)
        try:
            if args.token_command == "create":
                token = _api_query(login, "token_create", args.name, args.role, args.expires)
            else:
                _api_query(login, "token_revoke", args.name)
                token = None
        except DatabaseError as e:
            print(f"ocpp-cs token: {e}", file=sys.stderr)
            return 1
    if token is None:
        print(f"token {args.name} revoked")
    else:
        print(token)
        until = f", valid for {args.expires}" if args.expires else ""
        print(f"(the {args.role} token {args.name}{until}: shown once, only its hash is kept)", file=sys.stderr)
    return 0


def cmd_psql(args: argparse.Namespace, rest: list[str]) -> int:
    config = _config(args)
    psql = shutil.which("psql")
    if psql is None:
        try:
            psql = str(find_bindir() / "psql")
        except EmbeddedError:
            psql = None
    if psql is None or not os.path.exists(psql):
        raise EmbeddedError("psql not found: install it with `apt-get install postgresql-client`")
    # The DBA's tool: the admin login, not the server's (which may only run ocpp.*).
    if config.database.url:
        return subprocess.call([psql, config.database.owner_url or config.database.url, *rest])
    with database(config, create=False):
        cluster = EmbeddedPostgres(config.database.data_dir)
        return subprocess.call([psql, *cluster.psql_args(), *rest])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ocpp-cs", description="OCPP central system on PostgreSQL")
    parser.add_argument("--version", action="version", version=f"ocpp-cs {__version__}")
    parser.add_argument("--log-level", default=os.environ.get("OCPP_CS_LOG_LEVEL", "INFO"),
                        help="DEBUG, INFO, WARNING or ERROR (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the central system",
                           description="Run the central system: OCPP-J at ws://HOST:PORT/ocpp/"
                                       "[ACCOUNT/]IDENTITY. Without a database URL it runs its own "
                                       "PostgreSQL in --data-dir.")
    serve.add_argument("--host", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default 9220)")
    serve.add_argument("--tls-port", type=int, help="port of the wss:// listener ([tls] port; "
                                                    "needs [tls] certificates and keys)")
    _database_options(serve)
    serve.add_argument("--no-emulator", action="store_true", help="do not start emulator stations")
    serve.add_argument("--session", metavar="STATION:CONNECTOR:IDTAG:MINUTES", action="append",
                       help="a charging session on an emulator station once it has booted "
                            "(repeatable)")
    serve.add_argument("--scenario", metavar="FILE",
                       help="sessions on the emulator stations from a JSON or TOML file")
    serve.set_defaults(handler=cmd_serve)

    emulator = sub.add_parser(
        "emulator", help="run emulated charge points",
        description="Run emulated charge points (OCPP 1.6 and 2.0.1 over WebSocket, 1.5 and 1.6 "
                    "over SOAP: each station's \"OcppVersion\"; no 2.1 station yet) defined by "
                    "CONFIG_DIR/<name>/"
                    "configuration.json against any central system, start charging sessions, "
                    "or run a load of N stations.")
    emulator.add_argument("--config-dir", metavar="DIR",
                          help="folder of station configurations (default conf/cp)")
    emulator.add_argument("--url", metavar="URL",
                          help="central system to connect to, e.g. ws://host:9220/ocpp/ (the "
                               "identity is appended); default: each station's CentralSystemURL")
    emulator.add_argument("--station", metavar="NAME", action="append",
                          help="run only this station (repeatable)")
    emulator.add_argument("--session", metavar="STATION:CONNECTOR:IDTAG:MINUTES", action="append",
                          help="plug in, present IDTAG, charge MINUTES (or 90s, 2m, 1h), unplug; "
                               "repeatable")
    emulator.add_argument("--scenario", metavar="FILE", help="sessions from a JSON or TOML file")
    emulator.add_argument("--duration", type=float, metavar="SECONDS",
                          help="stop after this long (default: after the sessions; without "
                               "sessions, run until interrupted)")
    emulator.add_argument("--heartbeat", type=float, metavar="SECONDS",
                          help="heartbeat interval instead of the central system's")
    emulator.add_argument("--meter-interval", metavar="SECONDS[-SECONDS]",
                          help="meter values interval (load default 30-60)")
    load_opts = emulator.add_argument_group("load mode")
    load_opts.add_argument("--load", type=int, metavar="N", help="run N generated stations")
    load_opts.add_argument("--ramp-up", type=float, default=10.0, metavar="SECONDS",
                           help="spread the stations' start over this long (default 10)")
    load_opts.add_argument("--storm", action="store_true",
                           help="once all are up, drop every connection at once and reconnect")
    load_opts.add_argument("--prefix", default="LOAD", help="identity prefix (default LOAD)")
    load_opts.add_argument("--session-gap", metavar="SECONDS-SECONDS",
                           help="idle time between sessions (default 60-900)")
    load_opts.add_argument("--session-length", metavar="SECONDS-SECONDS",
                           help="length of a session (default 300-1800)")
    load_opts.add_argument("--report-every", type=float, default=10.0, metavar="SECONDS",
                           help="print the counters this often (default 10)")
    emulator.set_defaults(handler=cmd_emulator)

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = db_sub.add_parser("upgrade", help="apply migrations and deploy functions",
                                description="Apply the alembic migrations of db/migrations/ and "
                                            "deploy the functions of db/functions/.")
    _database_options(upgrade)
    upgrade.set_defaults(handler=cmd_db_upgrade)

    token = sub.add_parser("token", help="REST API tokens",
                           description="Create or revoke Bearer tokens for the REST API at /api/v1.")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    token_create = token_sub.add_parser("create", help="create a token and print it (shown once)")
    token_create.add_argument("name", help="a name for the token (who or what uses it)")
    token_create.add_argument("--role", choices=["read", "operator"], default="read",
                              help="read: GET only; operator: also commands and id tag changes "
                                   "(default read)")
    token_create.add_argument("--expires", type=_expires, metavar="AGE",
                              help="the token stops working after AGE: a number and s, m, h, d or w "
                                   "(30d, 12h); default never")
    token_revoke = token_sub.add_parser("revoke", help="revoke the live token called NAME")
    token_revoke.add_argument("name")
    for p in (token_create, token_revoke):
        _database_options(p)
        p.set_defaults(handler=cmd_token)

    psql = sub.add_parser("psql", help="psql into the server's database as its admin",
                          allow_abbrev=False,
                          description="Run psql on the server's database as its admin (the "
                                      "embedded cluster's superuser, else [database] owner_url, "
                                      "else url); options other than the ones below are passed "
                                      "to psql (ocpp-cs psql -c \"select ocpp.chargepointlist()\").")
    _database_options(psql)
    psql.set_defaults(handler=cmd_psql, passes_rest=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "passes_rest", False):
        parser.error("unrecognized arguments: " + " ".join(rest))
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        if getattr(args, "passes_rest", False):
            return args.handler(args, rest)
        return args.handler(args)
    except (ConfigError, EmbeddedError, ScenarioError) as e:
        print(f"ocpp-cs: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
