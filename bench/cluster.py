"""A cluster losing a node and its database primary: HAProxy in front of several `ocpp-cs serve`
nodes on a pg_auto_failover pair, thousands of stations, one node SIGKILLed, then the primary
failed over.

    python bench/cluster.py [--stations 5000] [--nodes 3] [--interval 10] [--phase 30]
                            [--commands 5] [--kill-primary]

Builds on this machine (under /tmp, as the embedded cluster's unprivileged user when run as root):
a pg_auto_failover monitor, a primary and a synchronous secondary (tests/pg_formation.py); --nodes
`ocpp-cs serve` processes that log in with the multi-host DSN (target_session_attrs=read-write);
Debian's haproxy running conf/haproxy/ocpp-cs.cfg with its bind/server lines (and maxconn) set for
the run. Then --stations OCPP 1.6 stations connect through HAProxy, boot and report status, and
each sends a Heartbeat or MeterValues every --interval seconds; the operator queues --commands
commands per second (ocpp.send, ClearCache, wait 2 minutes) to random stations. Phases of --phase
seconds each:
  before    steady state;
  node      one node SIGKILLed: its stations lose their sockets, reconnect through HAProxy to a live
            node and are served there without a new BootNotification (as field stations do); the
            dead node's sent commands are declared interrupted by a live node when its lease ends;
  database  `pg_autoctl perform failover` (or, with --kill-primary, SIGKILL of the primary's keeper
            and PostgreSQL): the nodes reconnect to the promoted secondary;
  after     steady state again.
Prints per phase the CALLRESULTs per second; after the node kill how many stations were dropped and
how long until all of them were served again; after the failover how long until calls were answered
again; at the end every acknowledged CALL (CALLRESULT received) checked against the message log on
the new primary (lost = acknowledged but without its row), and commands stuck (still queued or sent
when everything settled).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from pg_formation import CLEAN_ENV, PG_AUTOCTL, pair  # noqa: E402  (tests/ is not a package)
from throughput import now  # noqa: E402

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


class Fleet:
    """OCPP 1.6 stations behind one URL. Each reads all the time (answers the server's CALLs with
    Accepted), boots once, and reconnects with backoff whenever its socket closes; after a reconnect it
    reports its status again but does not boot again. Every CALLRESULT is recorded by unique id."""

    def __init__(self, url: str, n: int, interval: float) -> None:
        self.url, self.n, self.interval = url, n, interval
        self.served: set[int] = set()          # stations whose current socket has been answered
        self.acked: list[tuple[str, str]] = []  # (identity, unique id) of every CALLRESULT
        self.acked_at: list[float] = []         # ... and when it came
        self.errors: collections.Counter[str] = collections.Counter()  # CALLERROR codes
        self.per_second: collections.Counter[int] = collections.Counter()
        self.dropped_at: dict[int, float] = {}  # station -> when its socket closed
        self.back_at: dict[int, float] = {}     # station -> when it was served again after that
        self.boots = 0
        self.commands_answered = 0
        self.stop = asyncio.Event()

    async def station(self, http: aiohttp.ClientSession, i: int) -> None:
        identity = f"CLUSTER-{i:05d}"
        booted = False
        backoff = 0.5
        seq = 0
        while not self.stop.is_set():
            try:
                async with http.ws_connect(f"{self.url}/{identity}", protocols=["ocpp1.6"],
                                           heartbeat=None, autoping=True) as ws:
                    backoff = 0.5

                    async def call(action: str, payload: dict) -> None:
                        nonlocal seq
                        seq += 1
                        uid = f"{i}-{seq}"
                        await ws.send_str(json.dumps([2, uid, action, payload]))
                        while True:
                            msg = await ws.receive(timeout=60)
                            if msg.type != aiohttp.WSMsgType.TEXT:
                                raise ConnectionError("closed")
                            frame = json.loads(msg.data)
                            if frame[0] == 2:  # the server's CALL: answer it, keep waiting
                                await ws.send_str(json.dumps([3, frame[1], {"status": "Accepted"}]))
                                self.commands_answered += 1
                            elif frame[1] == uid:
                                break
                        if frame[0] == 3:
                            self.acked.append((identity, uid))
                            self.acked_at.append(time.monotonic())
                            self.per_second[int(time.monotonic())] += 1
                        else:
                            self.errors[frame[2]] += 1

                    if not booted:
                        await call("BootNotification", {"chargePointVendor": "Bench",
                                                        "chargePointModel": "Cluster"})
                        booted = True
                        self.boots += 1
                    await call("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                      "status": "Available", "timestamp": now()})
                    self.served.add(i)
                    if i in self.dropped_at and i not in self.back_at:
                        self.back_at[i] = time.monotonic()
                    await self.talk(ws, i, call)
            except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError, OSError):
                pass  # the node or HAProxy dropped the socket: reconnect, like a real station
            if i in self.served:
                self.served.discard(i)
                self.dropped_at.setdefault(i, time.monotonic())
            if self.stop.is_set():
                return
            await asyncio.sleep(backoff * (1 + random.random()))
            backoff = min(backoff * 2, 8)

    async def talk(self, ws: aiohttp.ClientWebSocketResponse, i: int, call) -> None:
        n = 0
        next_call = time.monotonic() + random.uniform(0, self.interval)
        while not self.stop.is_set():
            try:  # a station always reads: it notices a dropped socket at once
                msg = await ws.receive(timeout=max(0.001, next_call - time.monotonic()))
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise ConnectionError("closed")
                frame = json.loads(msg.data)
                if frame[0] == 2:
                    await ws.send_str(json.dumps([3, frame[1], {"status": "Accepted"}]))
                    self.commands_answered += 1
                continue
            except asyncio.TimeoutError:
                pass
            n += 1
            if n % 2:
                await call("Heartbeat", {})
            else:
                await call("MeterValues", {"connectorId": 1, "meterValue": [{
                    "timestamp": now(), "sampledValue": [{"value": str(1000 + n)}]}]})
            next_call += self.interval

    def rate(self, start: float, end: float) -> float:
        seconds = range(int(start) + 1, int(end))
        return sum(self.per_second[s] for s in seconds) / max(1, len(seconds))


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


async def operator(dsn: str, fleet: Fleet, per_second: float, ids: list[int],
                   stop: asyncio.Event) -> None:
    """Queues ClearCache to random stations through ocpp.send, reconnecting as a client would
    (multi-host DSN) when the database fails over; a send that fails is retried, not counted."""
    conn = None
    while not stop.is_set():
        try:
            if conn is None or conn.is_closed():
                conn = await asyncpg.connect(dsn, timeout=5)
            identity = f"CLUSTER-{random.choice(list(fleet.served) or [0]):05d}"
            ids.append(await conn.fetchval(
                "select ocpp.send($1, 'ClearCache', '{}', interval '2 minutes')", identity))
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


async def check_losses(dsn: str, fleet: Fleet,
                       command_ids: list[int]) -> tuple[list[tuple[str, str]], int, dict]:
    """(acknowledged calls without their message-log row, commands still queued or sent, command
    statuses) on the primary now, after the writers have flushed."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("create temp table acked (identity text, unique_id text)")
        await conn.copy_records_to_table("acked", records=fleet.acked)
        lost = [tuple(r) for r in await conn.fetch(
            "select a.identity, a.unique_id from acked a where not exists (select 1 from "
            "cs.message_log m where m.identity = a.identity and m.unique_id = a.unique_id "
            "and m.direction = 'in')")]

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
    ap.add_argument("--interval", type=float, default=10, help="seconds between a station's calls")
    ap.add_argument("--phase", type=float, default=30, help="seconds of each phase")
    ap.add_argument("--ramp", type=float, default=500, help="new stations per second")
    ap.add_argument("--commands", type=float, default=5, help="commands queued per second")
    ap.add_argument("--kill-primary", action="store_true",
                    help="SIGKILL the primary instead of pg_autoctl perform failover")
    args = ap.parse_args()
    if PG_AUTOCTL is None or HAPROXY is None:
        sys.exit("needs pg_autoctl (postgresql-15-auto-failover) and haproxy: .ci/setup installs both")

    from ocpp_cs.embedded import SERVER_LOGIN, SUPERUSER

    ports = Ports()
    base = Path(f"/tmp/ocpp-cs-cluster-{os.getpid()}")
    work = Path(tempfile.mkdtemp(prefix="ocpp-cs-cluster-"))
    procs: list[subprocess.Popen] = []
    print(f"cores: {os.cpu_count()}  stations: {args.stations}  nodes: {args.nodes}  "
          f"one call per station every {args.interval:g} s  phases of {args.phase:g} s")
    with pair(base, ports) as formation:
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
            cfg = render_haproxy(front, node_ports, 2 * args.stations + 1000, work / "haproxy.cfg")
            haproxy = subprocess.Popen([HAPROXY, "-f", str(cfg)], stdout=(work / "haproxy.log").open("w"),
                                       stderr=subprocess.STDOUT)
            procs.append(haproxy)
            wait_port(front, haproxy)

            fleet = Fleet(f"ws://127.0.0.1:{front}/ocpp", args.stations, args.interval)
            http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
            tasks = []
            start = time.monotonic()
            for i in range(args.stations):
                tasks.append(asyncio.create_task(fleet.station(http, i)))
                if (i + 1) % 50 == 0:
                    await asyncio.sleep(max(0.0, start + (i + 1) / args.ramp - time.monotonic()))
            took = await wait_until(lambda: len(fleet.served) >= args.stations, 300)
            print(f"connected, booted and reported: {len(fleet.served)}/{args.stations} in "
                  f"{time.monotonic() - start:.1f} s ({took:.1f} s after the last connect began)")
            superuser = formation.dsn(SUPERUSER)
            command_ids: list[int] = []
            stop_commands = asyncio.Event()
            ops = asyncio.create_task(operator(superuser, fleet, args.commands, command_ids,
                                               stop_commands))

            t0 = time.monotonic()
            await asyncio.sleep(args.phase)
            before = fleet.rate(t0, time.monotonic())

            # an ocpp-cs node dies (SIGKILL: no goodbye, its sockets drop, its lease runs out)
            victim = procs[1 % args.nodes]
            killed = time.monotonic()
            fleet.dropped_at.clear()
            fleet.back_at.clear()
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            await asyncio.sleep(2)  # every dropped socket noticed
            dropped = len(fleet.dropped_at)
            await wait_until(lambda: len(fleet.back_at) >= len(fleet.dropped_at), 120)
            served_again = (max(fleet.back_at.values()) - killed) if fleet.back_at else float("nan")
            rest = args.phase - (time.monotonic() - killed)
            if rest > 0:
                await asyncio.sleep(rest)
            during_node = fleet.rate(killed, time.monotonic())
            print(f"node killed: {dropped} stations dropped, {len(fleet.back_at)} served again "
                  f"(reconnected, status reported, no new BootNotification) within "
                  f"{served_again:.1f} s of the kill")

            # the database primary fails over
            failed = time.monotonic()
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
            mark = int(time.monotonic())
            await wait_until(
                lambda: any(fleet.per_second[s] for s in range(mark + 1, int(time.monotonic()) + 1)),
                120)
            recovered = time.monotonic() - failed
            rest = args.phase - (time.monotonic() - failed)
            if rest > 0:
                await asyncio.sleep(rest)
            during_db = fleet.rate(failed, time.monotonic())
            print(f"primary failed over ({'SIGKILL' if args.kill_primary else 'perform failover'})"
                  f": secondary promoted after {promoted:.1f} s, calls answered again {recovered:.1f} s "
                  f"after it began")

            t1 = time.monotonic()
            await asyncio.sleep(args.phase)
            after = fleet.rate(t1, time.monotonic())
            stop_commands.set()
            await ops
            fleet.stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await http.close()
            await asyncio.sleep(3)  # the message-log writers' last batches

            lost, stuck, statuses = await check_losses(superuser, fleet, command_ids)
            print(f"calls/s: before {before:.0f}, node killed {during_node:.0f}, "
                  f"failover {during_db:.0f}, after {after:.0f}")
            when = {(a[0], a[1]): fleet.acked_at[n] for n, a in enumerate(fleet.acked)}
            phases = collections.Counter(
                "before the kill" if when[x] < killed else "node killed" if when[x] < failed
                else "failover" if when[x] < t1 else "after" for x in lost)
            print(f"acknowledged calls: {len(fleet.acked)}, lost (no message-log row): {len(lost)}"
                  f" {dict(phases)} {lost[:5]}; "
                  f"CALLERRORs: {dict(fleet.errors) or 0}; BootNotifications: {fleet.boots} "
                  f"for {args.stations} stations")
            print(f"commands: {len(command_ids)} queued, {fleet.commands_answered} answered by "
                  f"stations, stuck (queued or sent at the end): {stuck}; statuses {statuses}")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
            tracebacks = sum(p.read_text().count("Traceback") for p in work.glob("node*.log"))
            print(f"tracebacks in the nodes' logs: {tracebacks}  (logs: {work})")


if __name__ == "__main__":
    asyncio.run(main())
