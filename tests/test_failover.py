"""PostgreSQL high availability (issue 16, docs/high-availability.md): the nodes log in with a
multi-host DSN and target_session_attrs=read-write, and survive a primary failover of a
pg_auto_failover formation.

The failover test builds a real formation with Debian's pg_autoctl (postgresql-15-auto-failover,
installed by .ci/setup): a monitor, a primary and a secondary with synchronous replication, on
free ports of 127.0.0.1 under /tmp (as root, run as the embedded cluster's unprivileged user). A
real `ocpp-cs serve` process serves one OCPP 1.6 station that sends Heartbeats and MeterValues
without pause while `pg_autoctl perform failover` promotes the secondary. Then: calls are answered
again, the LISTEN connection is back (on the new primary) and a command queued there is delivered,
and every CALL that got a CALLRESULT has its message-log row and its data on the new primary.
CALLs answered with a CALLERROR meanwhile are counted and printed (the station would retry them).
Run with -s to see the figures.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Iterator

import aiohttp
import asyncpg
import pytest

from conftest import free_port, new_database, wait_for
from ocpp_cs import migrate
from ocpp_cs.embedded import FRONTEND, OWNER, SERVER_LOGIN, SUPERUSER
from pg_formation import CLEAN_ENV, PG_AUTOCTL, Formation, pair
from test_cli import OCPP_CS
from test_least_privilege import wait_listening

needs_pg_autoctl = pytest.mark.skipif(
    PG_AUTOCTL is None, reason="pg_autoctl not installed (Debian postgresql-15-auto-failover; "
                               ".ci/setup installs it)")
STATION = "FAILOVER-1"


def test_a_multi_host_dsn_reaches_the_host_that_answers(cluster):
    """Both drivers read a DSN with several hosts and target_session_attrs: asyncpg (serve, the
    LISTEN connection) and psycopg under alembic (db upgrade). The first host refuses."""
    db = new_database(cluster, template=None, owner=OWNER)
    dead = free_port()
    dsn = (f"postgresql://{OWNER}@/{db.name}?host=127.0.0.1,{cluster.socket_dir}"
           f"&port={dead},5432&target_session_attrs=read-write")
    migrate.upgrade(dsn)
    assert db.psql("select count(*) > 0 from public.alembic_version") == "t"

    async def server_login() -> str:
        from ocpp_cs.database import Login, session
        server = dsn.replace(f"{OWNER}@", f"{SERVER_LOGIN}@")
        async with session(Login(server, role=FRONTEND), "check") as conn:
            return await conn.fetchval("select current_user")
    assert asyncio.run(server_login()) == FRONTEND


@pytest.fixture
def formation() -> Iterator[Formation]:
    """monitor + primary (node1) + synchronous secondary (node2), the ocpp database's roles made by
    the embedded cluster's bootstrap.sql and its schema by the migrations, through the multi-host
    DSN."""
    with pair(Path(f"/tmp/ocpp-cs-failover-{os.getpid()}"), free_port) as f:
        # replication quorum true on both nodes (the default), number_sync_standbys 0 (the only
        # value a pair allows): the primary waits for the standby's flush
        assert (f.psql("node1", "-c", "show synchronous_standby_names")
                == "ANY 1 (pgautofailover_standby_2)")
        assert f.psql("node1", "-c", "show synchronous_commit") == "on"
        yield f


class Station:
    """One OCPP 1.6 station: sends CALLs and answers the server's CALLs (Accepted)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.pending: dict[str, asyncio.Future] = {}
        self.received: list[list] = []  # the server's CALLs
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            frame = json.loads(msg.data)
            if frame[0] == 2:
                self.received.append(frame)
                await self.ws.send_str(json.dumps([3, frame[1], {"status": "Accepted"}]))
            elif frame[1] in self.pending:
                self.pending.pop(frame[1]).set_result(frame)

    async def call(self, unique_id: str, action: str, payload: dict, timeout: float) -> list:
        self.pending[unique_id] = future = asyncio.get_running_loop().create_future()
        await self.ws.send_str(json.dumps([2, unique_id, action, payload]))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.pending.pop(unique_id, None)


@needs_pg_autoctl
@pytest.mark.timeout(300)
@pytest.mark.parametrize("how", ["perform failover", "kill the primary"])
async def test_a_primary_failover_loses_nothing_acknowledged(formation: Formation, tmp_path: Path,
                                                              how: str):
    f = formation
    port = free_port()
    node_log = tmp_path / "serve.log"
    with node_log.open("w") as out:
        serve = subprocess.Popen(
            [*OCPP_CS, "serve", "--host", "127.0.0.1", "--no-emulator", "--port", str(port),
             "--database-url", f.dsn(SERVER_LOGIN)],
            stdout=out, stderr=subprocess.STDOUT, text=True,
            env={**CLEAN_ENV, "OCPP_CS_DATABASE_MIGRATE": "false", "OCPP_CS_SERVER_NODE": "fo-node",
                 "OCPP_CS_MESSAGE_LOG_FLUSH_INTERVAL": "0.05"})
    superuser = f.dsn(SUPERUSER)
    answered: dict[str, list] = {}  # unique id -> CALLRESULT
    errors: dict[str, list] = {}    # unique id -> CALLERROR
    no_answer: list[str] = []
    meter_values: dict[str, int] = {}  # unique id of a MeterValues -> the value it carried
    stop_sending = asyncio.Event()
    try:
        wait_listening(port, serve)
        async with aiohttp.ClientSession() as http:
            station = Station(await http.ws_connect(f"ws://127.0.0.1:{port}/ocpp/{STATION}",
                                                    protocols=("ocpp1.6",)))
            boot = await station.call("boot", "BootNotification",
                                      {"chargePointVendor": "V", "chargePointModel": "M"}, 15)
            assert boot[2]["status"] == "Accepted", boot

            async def send_throughout() -> None:
                for n in itertools.count(1):
                    if stop_sending.is_set():
                        return
                    unique_id = f"fo-{n}"
                    if n % 2:
                        action, payload = "Heartbeat", {}
                    else:
                        meter_values[unique_id] = n
                        action, payload = "MeterValues", {"connectorId": 1, "meterValue": [{
                            "timestamp": "2026-01-01T00:00:00Z",
                            "sampledValue": [{"value": str(n),
                                              "measurand": "Energy.Active.Import.Register"}]}]}
                    try:
                        frame = await station.call(unique_id, action, payload, 30)
                    except asyncio.TimeoutError:
                        no_answer.append(unique_id)
                        continue
                    (answered if frame[0] == 3 else errors)[unique_id] = frame
                    await asyncio.sleep(0.05)

            sender = asyncio.ensure_future(send_throughout())
            await wait_for(lambda: _true(len(answered) >= 20), timeout=30)
            before = len(answered)

            started = time.monotonic()
            if how == "perform failover":
                failover = await asyncio.create_subprocess_exec(
                    PG_AUTOCTL, "perform", "failover", "--monitor", f.monitor, "--wait", "90",
                    env=f.env, cwd=f.base, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT, **f._as_user())
                out, _ = await failover.communicate()
                assert failover.returncode == 0, out.decode()
            else:  # the primary's machine is gone: its keeper and its PostgreSQL, SIGKILL
                f.kill("node1")
            await wait_for(lambda: asyncio.to_thread(
                lambda: f.states().get("node2", ("",))[0] in ("primary", "wait_primary")),
                timeout=90, interval=0.5)
            promoted = time.monotonic() - started

            # calls are answered again: a CALLRESULT to a call sent after the promotion
            count_at_promotion = len(answered) + len(errors) + len(no_answer)

            async def answered_again():
                return any(int(u.split("-")[1]) > count_at_promotion for u in answered)
            await wait_for(answered_again, timeout=60)
            recovered = time.monotonic() - started

            # the LISTEN connection is back, on the new primary, and hears a command queued there
            new_primary = await asyncpg.connect(superuser)
            try:
                assert await new_primary.fetchval("select inet_server_port()") == f.ports["node2"]

                async def listening():
                    return await new_primary.fetchval(
                        "select count(*) from pg_stat_activity "
                        "where application_name = 'ocpp-cs fo-node listen'")
                await wait_for(listening, timeout=60)
                command = await new_primary.fetchval(
                    f"select ocpp.send('{STATION}', 'ClearCache', '{{}}')")

                async def delivered():
                    return await new_primary.fetchval(
                        "select status from cs.command where id = $1", command) == "answered"
                await wait_for(delivered, timeout=30)
                assert [c[2] for c in station.received] == ["ClearCache"]

                stop_sending.set()
                await asyncio.wait_for(sender, 60)

                # nothing acknowledged is lost: its message-log row and its data are on the new
                # primary (the log is written after the answer, so wait for the writer)
                async def logged():
                    rows = await new_primary.fetch(
                        "select distinct unique_id from cs.message_log "
                        "where identity = $1 and direction = 'in'", STATION)
                    missing = set(answered) - {r[0] for r in rows}
                    return not missing or None
                try:
                    await wait_for(logged, timeout=30)
                except AssertionError:
                    rows = await new_primary.fetch(
                        "select distinct unique_id from cs.message_log where identity = $1 "
                        "and direction = 'in'", STATION)
                    raise AssertionError(f"acknowledged but not logged: "
                                         f"{sorted(set(answered) - {r[0] for r in rows})}")
                stored = {r[0] for r in await new_primary.fetch(
                    "select m.value from cs.meter_value m join cs.station s on s.id = m.station_id "
                    "where s.identity = $1", STATION)}
                lost = [u for u, n in meter_values.items()
                        if u in answered and str(n) not in stored]
                assert lost == [], f"MeterValues acknowledged but lost: {lost}"
            finally:
                await new_primary.close()
            await station.ws.close()
        codes = sorted({e[2] for e in errors.values()})
        output = node_log.read_text()
        print(f"\n{how}: promoted in {promoted:.1f} s, calls answered again after "
              f"{recovered:.1f} s; {len(answered)} CALLRESULTs ({before} before), "
              f"{len(errors)} CALLERRORs {codes}, {len(no_answer)} unanswered; "
              f"{output.count('PostgreSQL unreachable')} outage(s) logged")
        assert set(codes) <= {"InternalError"}, errors
        assert no_answer == [], f"calls never answered: {no_answer}"
        assert "Failed to restore the pool connection floor" not in output, output
    finally:
        stop_sending.set()
        serve.terminate()
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        print("".join(line for line in node_log.read_text().splitlines(keepends=True)
                      if "ocpp_cs.database" in line))


async def _true(value: bool) -> bool:
    return value
