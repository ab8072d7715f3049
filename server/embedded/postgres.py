"""A private PostgreSQL cluster in a data folder, for when no database is configured.

Layout of the data folder:
    pgdata/         the cluster (initdb)
    run/            its Unix socket; the cluster listens on no TCP port at all
    postgres.log    the server's log

PostgreSQL refuses to run as root, so when we are root the cluster belongs to an unprivileged system
user ("postgres" when the Debian package created it, else "nobody") and runs as that user.

Three roles of the cluster matter (bootstrap.sql makes them on every start): the bootstrap superuser
(`ocpp-cs psql`, and the bootstrap itself), OWNER (owns the database; the migrations) and
SERVER_LOGIN (`serve` and the token commands: it may only act as FRONTEND and execute ocpp.*).
"""
from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger("ocpp_cs.embedded")

SUPERUSER = "postgres"  # not "ocpp": "$user" in search_path would then pick the API schema
OWNER = "ocpp_owner"
SERVER_LOGIN = "ocpp_server"
FRONTEND = "ocpp_frontend"  # the NOLOGIN role of db/schema/01_schemas_roles.sql
DATABASE = "ocpp"
BOOTSTRAP_SQL = Path(__file__).with_name("bootstrap.sql")
PORT = 5432  # only names the socket file: the socket directory is private to this cluster


class EmbeddedError(Exception):
    pass


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres (Debian keeps them off PATH)."""
    if os.environ.get("OCPP_CS_PG_BINDIR"):  # an explicit choice: no searching elsewhere
        candidates = [Path(os.environ["OCPP_CS_PG_BINDIR"])]
    else:
        candidates = _system_bindirs()
    for c in candidates:
        if all((c / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return c
    raise EmbeddedError("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install "
                        "them with `apt-get install postgresql`, or set a database URL "
                        "(--database-url or OCPP_CS_DATABASE_URL)")


def _system_bindirs() -> list[Path]:
    candidates = sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                         reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    return candidates


def service_user() -> pwd.struct_passwd | None:
    """The unprivileged user the cluster runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise EmbeddedError("running as root, but no unprivileged user (postgres or nobody) exists "
                        "to run PostgreSQL as")


# Settings of the embedded cluster beyond PostgreSQL's defaults (the `settings` given win):
#   random_page_cost 1.1 (default 4, made for spinning disks): the tables a central system reads on
#   every message are small and in memory, so an index lookup costs about what a sequential page read
#   does. With 4, the planner scans a table of a few hundred stations from end to end for each message
#   once ANALYZE has seen how small it is: bench/sql_instructions.py measured 585k instructions per
#   message of the throughput mix with 1.1, 877k with 4.
DEFAULT_SETTINGS = {"random_page_cost": "1.1"}


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    settings: dict[str, str] = field(default_factory=dict)
    started_here: bool = False

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "run"
        self.logfile = self.data_dir / "postgres.log"
        self.bindir = find_bindir()
        self.user = service_user()

    def dsn(self, database: str = DATABASE, user: str = SUPERUSER) -> str:
        return (f"postgresql://{quote(user)}@/{quote(database)}?host={quote(str(self.socket_dir))}"
                f"&port={PORT}")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run(args, capture_output=True, text=True, check=check,
                              env={**os.environ, "LC_ALL": "C.UTF-8"}, cwd="/", **kwargs)

    def _prepare_folder(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self.user is not None:
            for p in (self.data_dir, self.socket_dir):
                os.chown(p, self.user.pw_uid, self.user.pw_gid)
            if self.pgdata.exists():
                os.chown(self.pgdata, self.user.pw_uid, self.user.pw_gid)
            if self._run("test", "-w", str(self.data_dir), check=False).returncode != 0:
                raise EmbeddedError(
                    f"{self.data_dir} is not reachable by the user {self.user.pw_name} that runs "
                    "PostgreSQL (a parent folder is private): choose another --data-dir, e.g. "
                    "/var/lib/ocpp-cs")
        os.chmod(self.socket_dir, 0o700)

    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def running(self) -> bool:
        if not self.initialised():
            return False
        return self._run(str(self.bindir / "pg_ctl"), "status", "-D", str(self.pgdata),
                         check=False).returncode == 0

    def init(self) -> None:
        self._prepare_folder()
        if self.initialised():
            return
        log.info("creating a PostgreSQL cluster in %s", self.pgdata)
        try:
            self._run(str(self.bindir / "initdb"), "-D", str(self.pgdata), "-U", SUPERUSER,
                      "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
        except subprocess.CalledProcessError as e:
            raise EmbeddedError(f"initdb failed: {e.stderr.strip() or e.stdout.strip()}") from None

    def start(self) -> str:
        """Initialise if needed, start unless already running, make sure the database and its roles
        exist (and that an older cluster's objects belong to OWNER); returns the superuser's DSN."""
        self.start_server()
        self.ensure_database(DATABASE)
        self.bootstrap(DATABASE)
        return self.dsn()

    def start_server(self) -> None:
        """Initialise if needed and start unless already running: the cluster alone, no roles."""
        self.init()
        if not self.running():
            options = {"listen_addresses": "''", "unix_socket_directories": f"'{self.socket_dir}'",
                       "unix_socket_permissions": "0700", "port": str(PORT), **DEFAULT_SETTINGS,
                       **self.settings}
            opts = " ".join(f"-c {k}={v}" for k, v in options.items())
            result = self._run(str(self.bindir / "pg_ctl"), "start", "-D", str(self.pgdata), "-w",
                               "-t", "60", "-l", str(self.logfile), "-o", opts, check=False)
            if result.returncode != 0:
                tail = self.logfile.read_text()[-2000:] if self.logfile.exists() else ""
                raise EmbeddedError(f"PostgreSQL did not start: {result.stderr.strip()}\n{tail}")
            self.started_here = True
            log.info("PostgreSQL started, socket in %s", self.socket_dir)

    def psql_args(self, database: str = DATABASE, user: str = SUPERUSER) -> list[str]:
        return ["-h", str(self.socket_dir), "-p", str(PORT), "-U", user, "-d", database]

    def psql(self, database: str, script: str, *, transaction: bool = True,
             **variables: str) -> str:
        """Run a psql script as the superuser (in one transaction unless told otherwise), stopping
        at the first error. The variables are psql's (-v), so the script quotes names with :"name"
        and :'name'; psql interpolates them in a script, never in -c."""
        psql = shutil.which("psql") or str(self.bindir / "psql")
        args = [psql, *self.psql_args(database), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables.items():
            args += ["-v", f"{name}={value}"]
        if transaction:
            args.append("-1")
        out = subprocess.run([*args, "-f", "-"], input=script, capture_output=True, text=True)
        if out.returncode != 0:
            raise EmbeddedError(f"psql on {database} failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def ensure_database(self, name: str, template: str | None = None,
                        owner: str | None = None) -> None:
        # CREATE DATABASE may not run in a transaction block, hence no -1.
        self.psql("postgres", "select format('create database %I template %I owner %I', "
                              ":'name', :'template', :'owner') "
                              "where not exists (select from pg_database where datname = :'name')"
                              " \\gexec",
                  transaction=False, name=name, template=template or "template1",
                  owner=owner or SUPERUSER)

    def bootstrap(self, database: str = DATABASE) -> None:
        """The owner, frontend and server roles, and the database and its ocpp-cs objects owned by
        the owner (bootstrap.sql); idempotent, so it runs on every start."""
        self.psql(database, BOOTSTRAP_SQL.read_text(), owner=OWNER, server=SERVER_LOGIN,
                  frontend=FRONTEND)

    def stop(self) -> None:
        if self.running():
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.pgdata), "-m", "fast",
                      "-w", check=False)
            log.info("PostgreSQL stopped")
        self.started_here = False
