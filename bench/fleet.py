"""Fleet and reconnect storm: N stations on one server process.

    python bench/fleet.py [--stations 10000] [--ramp 1000] [--seconds 30] [--storm]

Starts a private PostgreSQL cluster (in /tmp) and `ocpp-cs serve` as a separate process, connects N
stations from this process (each boots and reports the status of its connector), keeps them
talking with a fleet-like mix for --seconds (a heartbeat every --heartbeat seconds, meter values every
30–60 s on half of them), and prints:
  fleet  the server's resident memory per connection (RSS after minus RSS before, over N) and its CPU
         use while the fleet talks;
  storm  (with --storm) the server drops every socket at once (it is restarted: a crash or a
         deploy); the time until all N stations are connected, booted and have reported status
         again, with errors counted (a refused connection that is retried is not an error).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from throughput import now, wait_port  # noqa: E402  (bench/ is not a package)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Fleet:
    def __init__(self, url: str, n: int, heartbeat: float):
        self.url, self.n, self.heartbeat = url, n, heartbeat
        self.ready: set[int] = set()
        self.errors: list[str] = []
        self.calls = 0
        self.stop = asyncio.Event()

    async def station(self, http: aiohttp.ClientSession, i: int) -> None:
        identity = f"FLEET-{i:05d}"
        backoff = 0.5
        while not self.stop.is_set():
            try:
                async with http.ws_connect(f"{self.url}/{identity}", protocols=["ocpp1.6"],
                                           heartbeat=None, autoping=True) as ws:
                    backoff = 0.5
                    await self.call(ws, "BootNotification", {"chargePointVendor": "Bench",
                                                             "chargePointModel": "Fleet"})
                    await self.call(ws, "StatusNotification", {
                        "connectorId": 1, "errorCode": "NoError", "status": "Available",
                        "timestamp": now()})
                    self.ready.add(i)
                    await self.talk(ws, i)
            except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
                pass  # the server went away: reconnect, like a real station
            self.ready.discard(i)
            if self.stop.is_set():
                return
            await asyncio.sleep(backoff * (1 + random.random()))
            backoff = min(backoff * 2, 8)

    async def talk(self, ws: aiohttp.ClientWebSocketResponse, i: int) -> None:
        charging = i % 2 == 0
        next_hb = time.monotonic() + random.uniform(0, self.heartbeat)
        next_mv = time.monotonic() + random.uniform(30, 60)
        energy = 0
        while not self.stop.is_set():
            wake = min(next_hb, next_mv if charging else next_hb)
            try:  # a station always reads: it notices a dropped socket at once
                msg = await ws.receive(timeout=max(0.001, wake - time.monotonic()))
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise ConnectionError("closed")
                continue
            except asyncio.TimeoutError:
                pass
            if time.monotonic() >= next_hb:
                await self.call(ws, "Heartbeat", {})
                next_hb += self.heartbeat
            if charging and time.monotonic() >= next_mv:
                energy += 250
                await self.call(ws, "MeterValues", {"connectorId": 1, "meterValue": [{
                    "timestamp": now(), "sampledValue": [{"value": str(energy)}]}]})
                next_mv += random.uniform(30, 60)

    async def call(self, ws: aiohttp.ClientWebSocketResponse, action: str, payload: dict) -> None:
        self.calls += 1
        uid = str(self.calls)
        await ws.send_str(json.dumps([2, uid, action, payload]))
        msg = await asyncio.wait_for(ws.receive(), 60)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError("closed")
        reply = json.loads(msg.data)
        if reply[0] != 3:
            self.errors.append(f"{action}: {reply}")

    async def wait_ready(self, timeout: float) -> float:
        start = time.monotonic()
        while len(self.ready) < self.n:
            if time.monotonic() - start > timeout:
                break
            await asyncio.sleep(0.05)
        return time.monotonic() - start


def start_server(dsn: str, port: int, pool: int) -> subprocess.Popen:
    env = {**os.environ, "OCPP_CS_DATABASE_POOL_MAX": str(pool), "OCPP_CS_LOG_LEVEL": "WARNING",
           "OCPP_CS_CERTIFICATES_SIGNER": "none",
           "OCPP_CS_DATABASE_MIGRATE": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "ocpp_cs.cli", "serve", "--no-emulator",
                             "--database-url", dsn, "--port", str(port), "--host", "127.0.0.1"],
                            env=env)
    wait_port(port)
    return proc


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--stations", type=int, default=10000)
    ap.add_argument("--ramp", type=float, default=1000, help="new connections per second")
    ap.add_argument("--seconds", type=float, default=30, help="how long the fleet talks")
    ap.add_argument("--heartbeat", type=float, default=60)
    ap.add_argument("--storm", action="store_true")
    ap.add_argument("--port", type=int, default=9398)
    ap.add_argument("--pool", type=int, default=8)
    args = ap.parse_args()

    from ocpp_cs import migrate
    from ocpp_cs.embedded import OWNER, SERVER_LOGIN, EmbeddedPostgres

    base = Path(f"/tmp/ocpp-cs-fleet-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    pg = EmbeddedPostgres(base, settings={"max_connections": "100"})
    dsn = pg.start()  # the superuser's, for the bench's own queries
    migrate.upgrade(pg.dsn(user=OWNER))
    server_dsn = pg.dsn(user=SERVER_LOGIN)  # serve logs in as it does in production
    server = start_server(server_dsn, args.port, args.pool)
    fleet = Fleet(f"ws://127.0.0.1:{args.port}/ocpp", args.stations, args.heartbeat)
    tasks: list[asyncio.Task] = []
    try:
        print(f"cores: {os.cpu_count()}  stations: {args.stations}  ramp: {args.ramp:.0f}/s")
        await asyncio.sleep(1)
        before = rss_kb(server.pid)
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        start = time.monotonic()
        for i in range(args.stations):
            tasks.append(asyncio.create_task(fleet.station(http, i)))
            if (i + 1) % 100 == 0:
                await asyncio.sleep(max(0.0, start + (i + 1) / args.ramp - time.monotonic()))
        await fleet.wait_ready(300)
        took = time.monotonic() - start
        print(f"connected and booted: {len(fleet.ready)}/{args.stations} in {took:.1f} s, "
              f"errors {len(fleet.errors)}")
        cpu0, t0, calls0 = cpu_seconds(server.pid), time.monotonic(), fleet.calls
        await asyncio.sleep(args.seconds)
        cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
        rate = (fleet.calls - calls0) / (time.monotonic() - t0)
        after = rss_kb(server.pid)
        print(f"fleet: server RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB, "
              f"{(after - before) / max(1, len(fleet.ready)):.1f} KB per connection; "
              f"{rate:.0f} calls/s from the fleet, server CPU {cpu * 100:.0f}% of one core")
        if args.storm:
            killed = time.monotonic()
            server.send_signal(signal.SIGKILL)  # every socket drops at once
            server.wait()
            while fleet.ready and time.monotonic() - killed < 10:
                await asyncio.sleep(0.01)
            fleet.errors.clear()
            server = start_server(server_dsn, args.port, args.pool)
            listening = time.monotonic()
            await fleet.wait_ready(300)
            done = time.monotonic()
            print(f"storm: {len(fleet.ready)}/{args.stations} stations reconnected, booted and "
                  f"reported status {done - listening:.1f} s after the server listened again "
                  f"({done - killed:.1f} s after it was killed); errors {len(fleet.errors)}")
        fleet.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.close()
    finally:
        for t in tasks:
            t.cancel()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
