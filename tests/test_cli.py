"""The `ocpp-cs` command as a user runs it: serve with its own PostgreSQL, psql into it, restart
with the data kept, db upgrade, --help, and the one-line message when PostgreSQL is missing."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from conftest import free_port
from test_station_flow import now, station
from ocpp.v16 import call

OCPP_CS = [sys.executable, "-m", "ocpp_cs.cli"]


def run(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*OCPP_CS, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["psql"], []])
def test_help(command):
    out = run(*command, "--help")
    assert out.returncode == 0 and "usage: ocpp-cs" in out.stdout


def test_missing_postgresql_binaries_give_one_clear_line(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = run("db", "upgrade", "--data-dir", str(tmp_path / "data"),
              env={"OCPP_CS_PG_BINDIR": str(empty)})
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install postgresql" in lines[0]


@pytest.fixture
def data_dir():
    d = Path(f"/tmp/ocpp-cs-cli-{os.getpid()}")
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(mode=0o755)
    yield d / "data"
    subprocess.run(["pkill", "-f", "--", f"-D {d}/data/pgdata"], check=False)
    shutil.rmtree(d, ignore_errors=True)


async def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stderr.read()}")
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise AssertionError("serve did not start listening")


def serve(data_dir: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([*OCPP_CS, "serve", "--data-dir", str(data_dir), "--port", str(port),
                             "--host", "127.0.0.1", "--no-emulator"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items()
                                 if not k.startswith("OCPP_CS_")})


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return err


async def test_serve_with_embedded_postgres_keeps_data_across_restarts(data_dir):
    port = free_port()
    proc = serve(data_dir, port)
    try:
        await wait_listening(port, proc)
        async with station(f"ws://127.0.0.1:{port}/ocpp", "CP1") as cp:
            await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            start = await cp.call(call.StartTransaction(connector_id=1, id_tag="TAG",
                                                        meter_start=0, timestamp=now()))
            await cp.call(call.MeterValues(connector_id=1, transaction_id=start.transaction_id,
                                           meter_value=[{"timestamp": now(),
                                                         "sampledValue": [{"value": "42"}]}]))
            await cp.call(call.StopTransaction(transaction_id=start.transaction_id,
                                               meter_stop=42, timestamp=now()))
        out = run("psql", "--data-dir", str(data_dir), "-tAc",
                  "select t.meter_stop || ' ' || count(m.*) from cs.transaction t "
                  "join cs.meter_value m on m.transaction_id = t.id group by t.meter_stop")
        assert out.stdout.strip() == "42 1", out.stderr
        out = run("psql", "--data-dir", str(data_dir), "-tAc",
                  "select ocpp.parse('CP1','u1','Heartbeat','{}','', '1.6')")
        assert '"currentTime"' in out.stdout and 'Z"' in out.stdout
    finally:
        err = stop(proc)
    assert "PostgreSQL stopped" in err
    if os.geteuid() == 0:  # PostgreSQL refuses root: the cluster belongs to an unprivileged user
        assert (data_dir / "pgdata").stat().st_uid != 0
    # a new installation gets one operator token, shown once
    first = re.search(r"first start: an operator token.*?\n\s+(ocs_[0-9a-f]{64})\n", err, re.S)
    assert first, err

    proc = serve(data_dir, port)  # the same folder again: the data is still there
    try:
        await wait_listening(port, proc)
        out = run("psql", "--data-dir", str(data_dir), "-tAc", "select count(*) from cs.transaction")
        assert out.stdout.strip() == "1"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/api/v1/stations",
                                headers={"Authorization": f"Bearer {first.group(1)}"}) as r:
                assert r.status == 200 and [s["identity"] for s in await r.json()] == ["CP1"]
        # every frame reached the message log before the first shutdown
        out = run("psql", "--data-dir", str(data_dir), "-tAc",
                  "select count(*) from cs.message_log where identity = 'CP1' and message_type = 3")
        assert out.stdout.strip() == "4"
    finally:
        err = stop(proc)
    assert "first start" not in err, "the first token is made once"


def test_db_upgrade_against_a_database_url(cluster):
    from conftest import new_database
    target = new_database(cluster, template="template0")
    out = run("db", "upgrade", "--database-url", target.dsn)
    assert out.returncode == 0, out.stderr
    from alembic.script import ScriptDirectory
    from ocpp_cs.migrate import alembic_config
    head = ScriptDirectory.from_config(alembic_config(target.dsn)).get_current_head()
    assert target.psql("select version_num from public.alembic_version") == head
    out = run("db", "upgrade", "--database-url", target.dsn)  # idempotent
    assert out.returncode == 0, out.stderr


def test_token_create_with_expires(cluster):
    """ocpp-cs token create NAME --role R --expires 30d: the token stops working after 30 days."""
    from conftest import new_database
    target = new_database(cluster)
    out = run("token", "create", "ci", "--role", "operator", "--expires", "30d", "--database-url", target.dsn)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip()
    assert re.fullmatch(r"ocs_[0-9a-f]{64}", token) and "valid for 30 days" in out.stderr
    assert target.psql("select expires_at - created_at from cs.api_token where name = 'ci'") == "30 days"
    assert target.psql(f"select ocpp.api_token_check('{token}')") == "operator"
    target.psql("update cs.api_token set expires_at = now() - interval '1 second' where name = 'ci'")
    assert target.psql(f"select ocpp.api_token_check('{token}') is null") == "t", "expired: refused"

    out = run("token", "create", "forever", "--database-url", target.dsn)
    assert out.returncode == 0, out.stderr
    assert target.psql("select expires_at is null from cs.api_token where name = 'forever'") == "t"

    out = run("token", "create", "bad", "--expires", "soon", "--database-url", target.dsn)
    assert out.returncode == 2 and "'soon' is not a number and a unit" in out.stderr


async def test_serve_runs_a_session_on_its_emulator_stations(data_dir):
    """The README's run command with a session: the shipped stations connect and CP1 charges."""
    port = free_port()
    proc = subprocess.Popen([*OCPP_CS, "serve", "--data-dir", str(data_dir), "--port", str(port),
                             "--host", "127.0.0.1", "--session", "CP1:1:DEMO-1:0.05"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items()
                                 if not k.startswith("OCPP_CS_")}, cwd=str(Path(__file__).parents[1]))
    try:
        await wait_listening(port, proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = run("psql", "--data-dir", str(data_dir), "-tAc",
                      "select (select count(*) from cs.connection c join cs.station s "
                      " on s.id = c.station_id where s.identity in ('CP1','CP2','CP3','CP4')) || ' ' || "
                      "(select count(*) from cs.transaction t join cs.station s on s.id = t.station_id "
                      " where s.identity = 'CP1' and t.id_tag = 'DEMO-1' and t.stopped_at is not null)")
            if out.stdout.strip() == "4 1":
                break
            await asyncio.sleep(0.5)
        assert out.stdout.strip() == "4 1", out.stdout + out.stderr
    finally:
        stop(proc)


def test_help_names_every_emulator_version_and_the_data_dir_default():
    out = run("emulator", "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for version in ("1.5", "1.6", "2.0.1"):
        assert version in text, text
    from ocpp_cs.config import default_data_dir
    for command in (["serve"], ["psql"], ["db", "upgrade"], ["token", "create"]):
        out = run(*command, "--help")
        text = " ".join(out.stdout.split())
        assert f"(default here: {default_data_dir()};" in text, (command, text)


@pytest.mark.parametrize("command", [["psql", "-c", "select 1"], ["token", "create", "ci"],
                                     ["token", "revoke", "ci"]])
def test_psql_and_token_refuse_a_data_dir_without_a_cluster(tmp_path, command):
    """They say so in one line and stop; no empty cluster appears in the folder."""
    for data in (tmp_path / "missing", tmp_path / "empty"):
        if data.name == "empty":
            data.mkdir()
        out = run(*command, "--data-dir", str(data),
                  env={k: "" for k in os.environ if k.startswith("OCPP_CS_DATABASE_")})
        assert out.returncode == 2, out.stderr
        assert out.stderr.strip().splitlines() == [
            f"ocpp-cs: no ocpp-cs database in {data}: `ocpp-cs serve --data-dir {data}` makes one "
            "(or give the --data-dir or --database-url of an existing one)"], out.stderr
        assert not (data / "pgdata").exists()
        assert data.name == "empty" or not data.exists()


async def test_a_port_in_use_is_one_line_and_keeps_the_first_token(data_dir):
    """A start that cannot bind its port fails with one line and a non-zero exit, before the first
    token is made; the next start prints it with the address it really listens on."""
    import socket
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        proc = serve(data_dir, port)
        _, err = proc.communicate(timeout=90)
    finally:
        taken.close()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "first start" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"ocpp-cs: cannot listen on 127.0.0.1:{port}: ") and "in use" in last, err
    out = run("psql", "--data-dir", str(data_dir), "-tAc", "select count(*) from cs.api_token")
    assert out.stdout.strip() == "0", out.stderr

    port = free_port()
    proc = serve(data_dir, port)
    try:
        await wait_listening(port, proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the token is made just after the bind
            out = run("psql", "--data-dir", str(data_dir), "-tAc", "select count(*) from cs.api_token")
            if out.stdout.strip() == "1":
                break
            await asyncio.sleep(0.2)
    finally:
        err = stop(proc)
    first = re.search(r"first start: an operator token.*?\n\s+(ocs_[0-9a-f]{64})\n\n"
                      r"Sign in with it at (\S+);", err, re.S)
    assert first and first.group(2) == f"http://127.0.0.1:{port}/", err
    assert err.index("stations at ws://127.0.0.1") < err.index("first start"), err
