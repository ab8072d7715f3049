"""The server logs in as a role that can do nothing but run ocpp.*: the embedded cluster's
ocpp_server (checked on a real `ocpp-cs serve`), an older embedded cluster converted to its owner
role on the first start of this version, owner_url for the migrations of a configured database, and
serve refusing a superuser login."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import Database, free_port, new_database, psql_bin
from test_cli import OCPP_CS, run
from test_station_flow import station
from ocpp.v16 import call
from ocpp_cs import migrate
from ocpp_cs.embedded import FRONTEND, OWNER, SERVER_LOGIN, SUPERUSER, EmbeddedPostgres

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_CS_")}


def serve(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([*OCPP_CS, "serve", "--host", "127.0.0.1", "--no-emulator", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**CLEAN_ENV, **(env or {})})


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("serve did not start listening")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return err


def psql_as(cluster: EmbeddedPostgres, user: str, sql: str, database: str = "ocpp",
            options: str = "") -> subprocess.CompletedProcess:
    """One psql session as `user` over the cluster's socket (trust: the socket is the barrier)."""
    return subprocess.run([psql_bin(cluster), *cluster.psql_args(database, user=user), "-X",
                           "-v", "ON_ERROR_STOP=1", "-qtAc", sql], capture_output=True, text=True,
                          env={**os.environ, "PGOPTIONS": options})


def fresh_folder(name: str) -> Path:
    # Under /tmp, not pytest's tmp_path: as root the cluster runs as an unprivileged user.
    base = Path(f"/tmp/ocpp-cs-{name}-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    return base


def remove_folder(base: Path) -> None:
    cluster = EmbeddedPostgres(base / "data")
    cluster.stop()  # serve stops its cluster; this only matters when a test failed half-way
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def served() -> Iterator[EmbeddedPostgres]:
    """A real `ocpp-cs serve` on a fresh embedded cluster, running for the module's tests."""
    base = fresh_folder("lp")
    port = free_port()
    proc = serve(["--data-dir", str(base / "data"), "--port", str(port)])
    try:
        wait_listening(port, proc)
        yield EmbeddedPostgres(base / "data")
    finally:
        if proc.poll() is None:
            stop(proc)
        remove_folder(base)


def test_the_server_login_has_no_powers_and_owns_nothing(served):
    out = psql_as(served, SUPERUSER, f"""
        select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
               (select string_agg(m.roleid::regrole::text, ',') from pg_auth_members m
                 where m.member = r.oid),
               (select count(*) from pg_class where relowner = r.oid)
               + (select count(*) from pg_proc where proowner = r.oid)
               + (select count(*) from pg_namespace where nspowner = r.oid)
               + (select count(*) from pg_database where datdba = r.oid)
          from pg_roles r where rolname = '{SERVER_LOGIN}'""")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"t|f|f|f|f|f|{FRONTEND}|0"


def test_the_owner_owns_the_database_but_is_no_superuser(served):
    out = psql_as(served, SUPERUSER, f"""
        select rolsuper, rolcreaterole, rolcreatedb,
               (select datdba::regrole::text from pg_database where datname = 'ocpp')
          from pg_roles where rolname = '{OWNER}'""")
    assert out.stdout.strip() == f"f|f|f|{OWNER}", out.stderr
    # pgcrypto (station passwords) is a trusted extension: the migrations, run by the owner, made it
    out = psql_as(served, SUPERUSER, "select extnamespace::regnamespace, extowner::regrole "
                                     "from pg_extension where extname = 'pgcrypto'")
    assert out.stdout.strip() == f"cs|{OWNER}", out.stderr


def test_every_connection_of_serve_logs_in_as_the_server_role(served):
    # the pool (2, named "ocpp-cs NODE") and the node's one LISTEN connection ("ocpp-cs NODE
    # listen", shared by the dispatcher, the live feed and the signer), all opened the same way
    # (database/connection.py); this psql session itself is left out
    sql = ("select usename || ' ' || application_name from pg_stat_activity "
           "where datname = 'ocpp' and backend_type = 'client backend' "
           "and pid <> pg_backend_pid() order by 1")
    deadline = time.monotonic() + 20
    while True:
        rows = psql_as(served, SUPERUSER, sql).stdout.splitlines()
        if (len(rows) >= 3 and any(r.endswith(" listen") for r in rows)) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(rows) >= 3, rows
    assert {r.split(" ")[0] for r in rows} == {SERVER_LOGIN}, rows
    assert sum(r.startswith(f"{SERVER_LOGIN} ocpp-cs ") for r in rows) == len(rows), rows
    assert sum(r.endswith(" listen") for r in rows) == 1, rows


@pytest.mark.parametrize("options", ["", f"-c role={FRONTEND}"], ids=["login", "as-frontend"])
@pytest.mark.parametrize("target", [SUPERUSER, OWNER])
def test_the_server_login_cannot_set_role_to_the_owner_or_the_superuser(served, options, target):
    out = psql_as(served, SERVER_LOGIN, f'set role "{target}"', options=options)
    assert out.returncode != 0 and f'permission denied to set role "{target}"' in out.stderr, \
        out.stdout + out.stderr


@pytest.mark.parametrize("options", ["", f"-c role={FRONTEND}"], ids=["login", "as-frontend"])
def test_the_server_login_may_run_the_api_but_not_read_tables(served, options):
    out = psql_as(served, SERVER_LOGIN, "select * from cs.station", options=options)
    assert out.returncode != 0 and "permission denied for schema cs" in out.stderr, out.stdout
    out = psql_as(served, SERVER_LOGIN, "create schema mine", options=options)
    assert out.returncode != 0 and "permission denied for database" in out.stderr, out.stdout
    out = psql_as(served, SERVER_LOGIN, "select jsonb_typeof(ocpp.chargepointlist())",
                  options=options)
    assert out.returncode == 0 and out.stdout.strip() == "array", out.stderr


# --- a configured database ---

def refused(proc: subprocess.Popen) -> str:
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    return err


def test_serve_refuses_a_superuser_login(cluster):
    db = new_database(cluster, template="template0")
    err = refused(serve(["--database-url", db.dsn, "--port", str(free_port())]))
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ocpp-cs: the database login {SUPERUSER} is a superuser")
    assert "allow_superuser = true (OCPP_CS_DATABASE_ALLOW_SUPERUSER)" in lines[0]
    # refused before the migrations changed anything
    assert db.psql("select to_regnamespace('cs') is null") == "t"


def test_serve_refuses_a_login_that_may_become_a_superuser(db: Database):
    sneaky = f"lp_sneaky_{os.getpid()}"
    db.psql(f'create role "{sneaky}" login; grant "{SUPERUSER}" to "{sneaky}"')
    try:
        url = db.cluster.dsn(db.name, user=sneaky)
        err = refused(serve(["--database-url", url, "--port", str(free_port())],
                            env={"OCPP_CS_DATABASE_MIGRATE": "false"}))
        assert f"the database login {sneaky} is a superuser, or may become one" in err
    finally:
        db.psql(f'drop role "{sneaky}"')


@pytest.mark.parametrize("login, env", [
    ("server", {}),
    ("superuser", {"OCPP_CS_DATABASE_ALLOW_SUPERUSER": "true"}),
], ids=["least-privilege", "superuser-allowed"])
def test_serve_starts_with_an_allowed_login(db: Database, login, env):
    port = free_port()
    url = db.server_dsn if login == "server" else db.dsn
    proc = serve(["--database-url", url, "--port", str(port)],
                 env={"OCPP_CS_DATABASE_MIGRATE": "false", **env})
    try:
        wait_listening(port, proc)
    finally:
        err = stop(proc)
    assert ("allowed by [database] allow_superuser" in err) == (login == "superuser"), err


def test_db_upgrade_runs_as_owner_url(cluster):
    target = new_database(cluster, template="template0", owner=OWNER)
    server_url = cluster.dsn(target.name, user=SERVER_LOGIN)
    # the server's login alone may not build the schema ...
    out = run("db", "upgrade", "--database-url", server_url, env=CLEAN_ENV)
    assert out.returncode != 0 and "permission denied" in out.stderr, out.stderr
    # ... the owner given beside it does
    out = run("db", "upgrade", "--database-url", server_url,
              env={**CLEAN_ENV, "OCPP_CS_DATABASE_OWNER_URL": cluster.dsn(target.name, user=OWNER)})
    assert out.returncode == 0, out.stderr
    assert target.psql("select string_agg(distinct nspowner::regrole::text, ',') from pg_namespace "
                       "where nspname in ('cs', 'ocpp')") == OWNER


def test_owner_url_without_url_is_one_clear_line(tmp_path):
    out = run("db", "upgrade", "--data-dir", str(tmp_path / "data"),
              env={**CLEAN_ENV, "OCPP_CS_DATABASE_OWNER_URL": "postgresql://x@/y"})
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "owner_url" in lines[0] and "needs [database] url" in lines[0]


# --- an embedded cluster made by the previous version ---

OWNERS = f"""
select string_agg(distinct owner, ',') from (
    select nspowner::regrole::text from pg_namespace where nspname in ('cs', 'ocpp')
    union all select relowner::regrole::text from pg_class
     where relnamespace in ('cs'::regnamespace, 'ocpp'::regnamespace)
        or oid = 'public.alembic_version'::regclass
    union all select proowner::regrole::text from pg_proc
     where pronamespace in ('cs'::regnamespace, 'ocpp'::regnamespace)
       -- a trusted extension's functions (pgcrypto) belong to the bootstrap superuser
       and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass
                        and d.objid = pg_proc.oid and d.deptype = 'e')
    union all select datdba::regrole::text from pg_database where datname = 'ocpp') o (owner)
"""


async def test_an_older_embedded_cluster_is_handed_to_the_owner():
    base = fresh_folder("lp-upgrade")
    try:
        # what the previous version left: migrations run by the superuser, everything its own,
        # no owner or server role
        old = EmbeddedPostgres(base / "data")
        old.start_server()
        old.ensure_database("ocpp")
        migrate.upgrade(old.dsn(), "0006")  # the previous version's last revision
        assert psql_as(old, SUPERUSER, OWNERS).stdout.strip() == SUPERUSER
        assert psql_as(old, SUPERUSER, f"select count(*) from pg_roles where rolname in "
                                       f"('{OWNER}', '{SERVER_LOGIN}')").stdout.strip() == "0"
        # a station row as the old version left it (a plain INSERT: the functions deployed at
        # revision 0006 are today's, which may read settings later revisions add)
        out = psql_as(old, SUPERUSER, "insert into cs.station (identity, vendor, model) "
                                      "values ('OLD1', 'V', 'M')")
        assert out.returncode == 0, out.stderr
        old.stop()

        port = free_port()
        proc = serve(["--data-dir", str(base / "data"), "--port", str(port)])
        try:
            wait_listening(port, proc)
            assert psql_as(old, SUPERUSER, OWNERS).stdout.strip() == OWNER
            # the server works on it as ocpp_server: the API now runs as the owner
            async with station(f"ws://127.0.0.1:{port}/ocpp", "NEW1") as cp:
                boot = await cp.call(call.BootNotification(charge_point_vendor="V",
                                                           charge_point_model="M"))
                assert boot.status == "Accepted"
            out = psql_as(old, SUPERUSER, "select string_agg(identity, ',' order by identity) "
                                          "from cs.station")
            assert out.stdout.strip() == "NEW1,OLD1"
            # the owner can run the migrations again (functions redeployed: it owns them all)
            out = run("db", "upgrade", "--data-dir", str(base / "data"), env=CLEAN_ENV)
            assert out.returncode == 0, out.stderr
            # and 0007 ran as the owner, which made the trusted extension pgcrypto without superuser
            out = psql_as(old, SUPERUSER, "select extowner::regrole from pg_extension "
                                          "where extname = 'pgcrypto'")
            assert out.stdout.strip() == OWNER, out.stderr
        finally:
            stop(proc)
    finally:
        remove_folder(base)


# --- docker compose: the postgres service's init script ---

INIT_SCRIPT = Path(__file__).resolve().parents[1] / "conf" / "postgres-init" / "10-ocpp-roles.sh"


def init_script(cluster: EmbeddedPostgres, **env: str) -> subprocess.CompletedProcess:
    """The script as the postgres image's entrypoint runs it, against the embedded cluster."""
    return subprocess.run(["sh", str(INIT_SCRIPT)], capture_output=True, text=True, env={
        **os.environ, "PGHOST": str(cluster.socket_dir), "PGPORT": "5432",
        "POSTGRES_USER": SUPERUSER, "POSTGRES_DB": "ocpp",
        "OCPP_BOOTSTRAP_SQL": str(Path(__file__).resolve().parents[1] / "server" / "embedded"
                                  / "bootstrap.sql"), **env})


def test_the_compose_init_script_makes_the_logins_with_passwords(served):
    out = init_script(served, OCPP_OWNER_PASSWORD="o'wner pw", OCPP_SERVER_PASSWORD="server-pw")
    assert out.returncode == 0, out.stderr
    out = psql_as(served, SUPERUSER, f"""
        select string_agg(rolname || ' ' || rolsuper || ' ' || (rolpassword like 'SCRAM-SHA-256$%'),
                          ',' order by rolname)
          from pg_authid where rolname in ('{OWNER}', '{SERVER_LOGIN}')""")
    assert out.stdout.strip() == f"{OWNER} false true,{SERVER_LOGIN} false true", out.stderr
    # it can run again (a volume made before the script: run by hand), and the roles stay right
    out = init_script(served, OCPP_OWNER_PASSWORD="x", OCPP_SERVER_PASSWORD="y")
    assert out.returncode == 0, out.stderr


def test_the_compose_init_script_needs_the_passwords(served):
    out = init_script(served, OCPP_OWNER_PASSWORD="x")
    assert out.returncode != 0 and "OCPP_SERVER_PASSWORD" in out.stderr
