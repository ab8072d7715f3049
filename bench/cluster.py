"""A cluster losing a node and its database primary: HAProxy in front of several `ocpp-cs serve`
nodes on a pg_auto_failover pair, the emulator's load mode with thousands of stations, one node
SIGKILLed, then the primary failed over.

    python bench/cluster.py [--stations 5000] [--nodes 3] [--heartbeat 10] [--phase 30]
                            [--commands 5] [--kill-primary]

Builds on this machine (under /tmp, as the embedded cluster's unprivileged user when run as root):
a pg_auto_failover monitor, a primary and a synchronous secondary (tests/pg_formation.py); --nodes
`ocpp-cs serve` processes that log in with the multi-host DSN (target_session_attrs=read-write);
Debian's haproxy running conf/haproxy/ocpp-cs.cfg with its bind/server lines (and maxconn) set for
the run. Then the emulator's load mode (ocpp_emulator.load, as `ocpp-cs emulator --load N`) runs
--stations OCPP 1.6 stations through HAProxy: each boots, reports status, heartbeats every
--heartbeat seconds and charges now and then (Authorize, StartTransaction, MeterValues,
StopTransaction). The operator queues --commands commands per second (ocpp.send, ClearCache, wait
2 minutes) to random stations. Phases of --phase seconds each:
  before    steady state;
  node      one node SIGKILLed: its stations lose their sockets, reconnect through HAProxy to a live
            node and boot again (the emulator reboots on a new socket); the dead node's sent
            commands are declared interrupted by a live node when its lease ends;
  database  `pg_autoctl perform failover` (or, with --kill-primary, SIGKILL of the primary's keeper
            and PostgreSQL): the nodes reconnect to the promoted secondary;
  after     steady state again.
Prints the CALLRESULTs per second the fleet received in each phase; after the node kill how many
stations reconnected and booted again and how long until all were booted; after the failover how
long until calls were answered again; at the end every acknowledged CALL (a CALLRESULT received,
recorded by the emulator: Stats.acked) checked against the message log on the new primary (lost =
acknowledged but without its row), and the commands stuck (still queued or sent once everything
settled).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from pg_formation import CLEAN_ENV, PG_AUTOCTL, pair  # noqa: E402  (tests/ is not a package)
from ocpp_emulator.stats import Stats  # noqa: E402

HAPROXY = shutil.which("haproxy")
SHIPPED = ROOT / "conf" / "haproxy" / "ocpp-cs.cfg"


class Ports:
    """Free ports of 127.0.0.1 from a range nothing else on the machine picks."""

    def __init__(self, start: int = 27000) -> None:
        self.next = start

    def __call__(self) -> int:
        import socket
        while True:
            self.next += 1
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", self.next))
                except OSError:
                    continue
                return self.next


class Watch:
    """What the emulator's stations acknowledged, per second (Stats.acked, appended as it comes)."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def rate(self, start: float, end: float) -> float:
        """CALLRESULTs per second received by the fleet between start and end (time.monotonic())."""
        n = sum(1 for _, _, at in self.stats.acked if start <= at < end)
        return n / max(1e-9, end - start)

    def answered_since(self, t: float) -> bool:
        return bool(self.stats.acked) and self.stats.acked[-1][2] >= t


def render_haproxy(port: int, nodes: list[int], maxconn: int, path: Path) -> Path:
    """The shipped file with this run's port, nodes and connection limits."""
    text = SHIPPED.read_text()
    text = re.sub(r"(?m)^global\n", f"global\n    maxconn {maxconn}\n", text)
    text = re.sub(r"(?m)^    bind .*$", f"    bind 127.0.0.1:{port}\n    maxconn {maxconn}", text)
    text = re.sub(r"(?m)^    server .*\n", "", text)
    text += "".join(f"    server node{i} 127.0.0.1:{p} check\n" for i, p in enumerate(nodes, 1))
    text = text.replace("log stdout format raw local0 info", "log stdout format raw local0 warning")
    path.write_text(text)
    return path


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process {proc.args} exited {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


async def operator(dsn: str, identities: list[str], per_second: float, ids: list[int],
                   stop: asyncio.Event) -> None:
    """Queues ClearCache to random stations through ocpp.send (wait 2 minutes: a station between
    sockets gets it when it is back), reconnecting as a client would (multi-host DSN) when the
    database fails over; a send that fails is tried again, not counted."""
    conn = None
    while not stop.is_set():
        try:
            if conn is None or conn.is_closed():
                conn = await asyncpg.connect(dsn, timeout=5)
            ids.append(await conn.fetchval(
                "select ocpp.send($1, 'ClearCache', '{}', interval '2 minutes')",
                random.choice(identities)))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncio.TimeoutError):
            conn = None
            await asyncio.sleep(0.5)
            continue
        await asyncio.sleep(1 / per_second)
    if conn is not None:
        await conn.close()


async def wait_until(check, timeout: float, every: float = 0.1) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            break
        await asyncio.sleep(every)
    return time.monotonic() - start


async def check_losses(dsn: str, acked: list[tuple[str, str, float]],
                       command_ids: list[int]) -> tuple[list[tuple[str, str, float]], int, dict]:
    """(acknowledged calls without their message-log row, commands still queued or sent once
    everything settled, command statuses) on the primary now, after the writers have flushed."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("create temp table acked (identity text, unique_id text, n integer)")
        await conn.copy_records_to_table("acked", records=[(i, u, n) for n, (i, u, _)
                                                           in enumerate(acked)])
        lost = [acked[r[0]] for r in await conn.fetch(
            "select a.n from acked a where not exists (select 1 from cs.message_log m "
            "where m.identity = a.identity and m.unique_id = a.unique_id and m.direction = 'in')")]

        async def pending() -> int:
            return await conn.fetchval("select count(*) from cs.command where id = any($1) "
                                       "and status in ('queued', 'sent')", command_ids)
        deadline = time.monotonic() + 150  # the longest wait (2 min) and a lease
        while await pending() and time.monotonic() < deadline:
            await asyncio.sleep(1)
        stuck = await pending()
        statuses = dict(await conn.fetch("select status, count(*) from cs.command "
                                         "where id = any($1) group by status", command_ids))
        return lost, stuck, statuses
    finally:
        await conn.close()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--stations", type=int, default=5000)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--heartbeat", type=float, default=10, help="seconds between a station's heartbeats")
    ap.add_argument("--phase", type=float, default=30, help="seconds of each phase")
    ap.add_argument("--ramp-up", type=float, default=20, help="seconds over which the stations start")
    ap.add_argument("--warmup", type=float, default=60,
                    help="seconds after all booted before the first phase: the first sessions start "
                         "(10-60 s after boot) and the rate settles")
    ap.add_argument("--commands", type=float, default=5, help="commands queued per second")
    ap.add_argument("--kill-primary", action="store_true",
                    help="SIGKILL the primary instead of pg_autoctl perform failover")
    args = ap.parse_args()
    if PG_AUTOCTL is None or HAPROXY is None:
        sys.exit("needs pg_autoctl (postgresql-15-auto-failover) and haproxy: .ci/setup installs both")

    from ocpp_cs.embedded import SERVER_LOGIN, SUPERUSER
    from ocpp_emulator.load import LoadOptions, fleet, run_load

    # the stations' sockets here, and twice as many in HAProxy (which inherits the limit)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * args.stations + 2000
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    ports = Ports()
    base = Path(f"/tmp/ocpp-cs-cluster-{os.getpid()}")
    work = Path(tempfile.mkdtemp(prefix="ocpp-cs-cluster-"))
    procs: list[subprocess.Popen] = []
    print(f"cores: {os.cpu_count()}  stations: {args.stations} (the emulator's load mode)  "
          f"nodes: {args.nodes}  heartbeat {args.heartbeat:g} s  phases of {args.phase:g} s")
    with pair(base, ports) as formation:
        load = None
        try:
            node_ports = [ports() for _ in range(args.nodes)]
            for n, port in enumerate(node_ports):
                log = (work / f"node{n + 1}.log").open("w")
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "ocpp_cs.cli", "serve", "--no-emulator", "--host",
                     "127.0.0.1", "--port", str(port), "--database-url",
                     formation.dsn(SERVER_LOGIN)],
                    stdout=log, stderr=subprocess.STDOUT,
                    env={**CLEAN_ENV, "OCPP_CS_DATABASE_MIGRATE": "false",
                         "OCPP_CS_SERVER_NODE": f"node{n + 1}", "OCPP_CS_LOG_LEVEL": "WARNING",
                         "OCPP_CS_CERTIFICATES_SIGNER": "none"}))
            for port, proc in zip(node_ports, procs):
                wait_port(port, proc)
            front = ports()
            # HAProxy's maxconn counts station connections; each holds two descriptors there
            cfg = render_haproxy(front, node_ports, args.stations + 500, work / "haproxy.cfg")
            haproxy = subprocess.Popen([HAPROXY, "-f", str(cfg)],
                                       stdout=(work / "haproxy.log").open("w"),
                                       stderr=subprocess.STDOUT)
            procs.append(haproxy)
            wait_port(front, haproxy)

            options = LoadOptions(args.stations, url=f"ws://127.0.0.1:{front}/ocpp/",
                                  prefix="CLUSTER", ramp_up=args.ramp_up, report_every=3600,
                                  heartbeat=args.heartbeat, session_gap=(10.0, 60.0),
                                  session_length=(60.0, 300.0), boot_timeout=300)
            identities = [c.identity for c in fleet(options)]
            stats = Stats(acked=[])
            watch = Watch(stats)
            emulator_log = (work / "emulator.log").open("w")
            # the stations' warnings (an InternalError during the failover) go there too
            handler = logging.StreamHandler(emulator_log)
            logging.getLogger("ocpp_emulator").addHandler(handler)
            logging.getLogger("ocpp_emulator").propagate = False
            load = asyncio.create_task(run_load(options, lambda line: print(line, file=emulator_log,
                                                                            flush=True), stats))
            start = time.monotonic()
            await wait_until(lambda: stats.booted >= args.stations or load.done(), 300)
            print(f"connected and booted: {stats.booted}/{args.stations} in "
                  f"{time.monotonic() - start:.1f} s (ramp-up {args.ramp_up:g} s)")
            superuser = formation.dsn(SUPERUSER)
            command_ids: list[int] = []
            stop_commands = asyncio.Event()
            ops = asyncio.create_task(operator(superuser, identities, args.commands, command_ids,
                                               stop_commands))

            await asyncio.sleep(args.warmup)
            t0 = time.monotonic()
            await asyncio.sleep(args.phase)
            killed = time.monotonic()
            before = watch.rate(t0, killed)

            # an ocpp-cs node dies (SIGKILL: no goodbye, its sockets drop, its lease runs out)
            boots = stats.boots
            victim = procs[1 % args.nodes]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            lowest = [stats.booted]

            def all_booted_again() -> bool:
                lowest[0] = min(lowest[0], stats.booted)
                # HAProxy marks the node down within fall x inter (2 s): give the drop time to show
                return time.monotonic() > killed + 3 and stats.booted >= args.stations
            await wait_until(all_booted_again, 120, every=0.02)
            back = time.monotonic() - killed
            rebooted = stats.boots - boots
            rest = args.phase - (time.monotonic() - killed)
            if rest > 0:
                await asyncio.sleep(rest)
            failed = time.monotonic()
            during_node = watch.rate(killed, failed)
            print(f"node killed: {rebooted} stations reconnected and booted again through HAProxy "
                  f"(at most {args.stations - lowest[0]} down at once); all {stats.booted} booted "
                  f"{back:.1f} s after the kill")

            # the database primary fails over
            if args.kill_primary:
                formation.kill("node1")
            else:
                proc = await asyncio.create_subprocess_exec(
                    PG_AUTOCTL, "perform", "failover", "--monitor", formation.monitor, "--wait",
                    "90", env=formation.env, cwd=formation.base, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT, **formation._as_user())
                out, _ = await proc.communicate()
                if proc.returncode != 0:
                    raise RuntimeError(out.decode())
            await wait_until(lambda: formation.states().get("node2", ("",))[0]
                             in ("primary", "wait_primary"), 120, every=0.5)
            promoted = time.monotonic() - failed
            mark = time.monotonic()
            await wait_until(lambda: watch.answered_since(mark), 120)
            recovered = time.monotonic() - failed
            rest = args.phase - (time.monotonic() - failed)
            if rest > 0:
                await asyncio.sleep(rest)
            t1 = time.monotonic()
            during_db = watch.rate(failed, t1)
            print(f"primary failed over ({'SIGKILL' if args.kill_primary else 'perform failover'})"
                  f": secondary promoted after {promoted:.1f} s, calls answered again "
                  f"{recovered:.1f} s after it began")

            await asyncio.sleep(args.phase)
            end = time.monotonic()
            after = watch.rate(t1, end)
            stop_commands.set()
            await ops
            errors = stats.errors
            load.cancel()  # stops every station (run_load's finally)
            await asyncio.gather(load, return_exceptions=True)
            await asyncio.sleep(3)  # the message-log writers' last batches

            lost, stuck, statuses = await check_losses(superuser, stats.acked, command_ids)
            phases = collections.Counter(
                "before" if at < killed else "node killed" if at < failed
                else "failover" if at < t1 else "after" for _, _, at in lost)
            print(f"calls/s (CALLRESULTs received): before {before:.0f}, node killed "
                  f"{during_node:.0f}, failover {during_db:.0f}, after {after:.0f}")
            print(f"acknowledged calls: {len(stats.acked)}, lost (no message-log row): {len(lost)}"
                  f"{' ' + str(dict(phases)) if lost else ''}; station-side errors (CALLERRORs, "
                  f"timeouts): {errors}; sessions {stats.sessions}, stopped {stats.sessions_done}")
            print(f"commands: {len(command_ids)} queued, stuck (queued or sent at the end): "
                  f"{stuck}; statuses {statuses}")
        finally:
            if load is not None and not load.done():
                load.cancel()
                await asyncio.gather(load, return_exceptions=True)
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
            tracebacks = sum(p.read_text().count("Traceback") for p in work.glob("node*.log"))
            print(f"tracebacks in the nodes' logs: {tracebacks}  (logs of the nodes, HAProxy and the "
                  f"emulator: {work})")


if __name__ == "__main__":
    asyncio.run(main())
