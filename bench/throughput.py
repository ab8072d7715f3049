"""Throughput and ceiling: station calls per second through the whole path, and the same PL/pgSQL
calls straight through asyncpg, in one run on one machine.

    python bench/throughput.py [--stations 200] [--seconds 10] [--pool 8] [--repeat 5]
                               [--baseline ../old-checkout] [--latency 0.25,0.5,0.75]

Starts a private PostgreSQL cluster (in /tmp) and `ocpp-cs serve` as a separate process, then:
  ceiling  N asyncpg connections call ocpp.parse with the mix (Heartbeat, StatusNotification,
           MeterValues) as fast as they can: one call per statement, 50 per statement, and 50 per
           statement through ocpp.parse_logged, the full path's own statement (message log included);
  full     --stations WebSocket stations send the same mix, each waiting for its reply before the
           next CALL (as OCPP-J requires), through validation and ocpp.parse;
  peer     the same stations against ../shared/peer/mobilityhouse_cs.py (a database-free central
           system on the `ocpp` package), when that file is there;
  baseline another checkout's server (--baseline), for "no loss against the old tree";
and prints calls/s, the ratios, and p50/p95/p99/max latency. With --repeat N the full path, the peer
(and the baseline) take turns N times and the ratios are medians with their range, so one noisy run
cannot decide. Last, the latency at fixed offered rates (--latency, fractions of the median top rate),
with the calls evenly spaced. The stations connect before the clock starts.
The load generator runs on the same machine.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import asyncpg
import orjson  # the load generator's JSON: the less it costs, the less it takes from the server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def mix(i: int) -> tuple[str, dict]:
    """The message mix of a fleet: mostly meter values and heartbeats, some status changes."""
    k = i % 10
    if k < 5:
        return "MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": now(), "sampledValue": [
            {"value": str(1000 + i), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"}]}]}
    if k < 8:
        return "Heartbeat", {}
    return "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                  "status": "Charging" if i % 20 < 10 else "Available",
                                  "timestamp": now()}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


async def ceiling(dsn: str, connections: int, seconds: float, group: int = 1,
                  logged: bool = False) -> float:
    """calls/s of the mix straight through asyncpg: one ocpp.parse per statement (group 1), or group
    calls per statement; logged: through ocpp.parse_logged, as the full path calls it (the CALL and
    CALLRESULT rows of the message log written in the same transaction)."""
    conns = [await asyncpg.connect(dsn) for _ in range(connections)]
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(c: asyncpg.Connection, n: int) -> None:
        nonlocal done
        i = 0
        while time.perf_counter() < stop:
            if group == 1:
                action, payload = mix(i)
                await c.fetchval("select ocpp.parse($1, $2, $3, $4::jsonb, null, '1.6')::text",
                                 f"BENCH-DB-{n}", str(i), action, json.dumps(payload))
            elif logged:  # the gateway's own statement under load (server/database/queries.sql)
                calls = [mix(i + k) for k in range(group)]
                await c.fetch("select ocpp.parse_logged($1, $2, $3, $4, $5, $6, $7, $8)",
                              [f"BENCH-DB-{n}-{k}" for k in range(group)],
                              [str(i + k) for k in range(group)], [a for a, _ in calls],
                              [json.dumps(p) for _, p in calls], [None] * group, ["1.6"] * group,
                              [datetime.now(timezone.utc)] * group, [None] * group)
            else:  # what the gateway does under load: many stations' calls in one statement
                calls = [mix(i + k) for k in range(group)]
                await c.fetch("select ocpp.parse(s, u, a, p::jsonb, null, '1.6')::text from "
                              "unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(s, u, a, p)",
                              [f"BENCH-DB-{n}-{k}" for k in range(group)],
                              [str(i + k) for k in range(group)], [a for a, _ in calls],
                              [json.dumps(p) for _, p in calls])
            i += group
            done += group

    start = time.perf_counter()
    await asyncio.gather(*(worker(c, n) for n, c in enumerate(conns)))
    rate = done / (time.perf_counter() - start)
    for c in conns:
        await c.close()
    return rate


async def full_path(url: str, stations: int, seconds: float, rate_limit: float | None = None):
    """calls/s, latencies and errors of `stations` WebSocket stations for `seconds`. Every station
    connects first and the clock starts once all are connected, so the connects are not in the
    figures. Without rate_limit each station sends its next CALL as soon as the reply is in; with it
    (a fixed offered rate) each sends one every stations/rate_limit s, station n first at
    n/rate_limit s, so the calls arrive evenly spaced rather than all stations' at once."""
    latencies: list[float] = []
    errors = 0
    interval = stations / rate_limit if rate_limit else 0.0
    connected = 0
    all_connected = asyncio.Event()
    start = 0.0

    async def station(http: aiohttp.ClientSession, n: int) -> None:
        nonlocal errors, connected, start
        async with http.ws_connect(f"{url}/BENCH-WS-{n}", protocols=["ocpp1.6"]) as ws:
            connected += 1
            if connected == stations:
                start = time.perf_counter()
                all_connected.set()
            await all_connected.wait()
            stop_at = start + seconds
            if interval:
                await asyncio.sleep(n / rate_limit)
            i = 0
            while time.perf_counter() < stop_at:
                action, payload = mix(i + n)
                sent = time.perf_counter()
                await ws.send_str(orjson.dumps([2, str(i), action, payload]).decode())
                reply = orjson.loads((await ws.receive()).data)
                latencies.append(time.perf_counter() - sent)
                if reply[0] != 3:
                    errors += 1
                i += 1
                if interval:
                    await asyncio.sleep(max(0.0, interval - (time.perf_counter() - sent)))

    gc.collect()
    gc.freeze()  # the load generator's own collections would show as the server's latency
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(station(http, n) for n in range(stations)))
        elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, latencies, errors


def wait_port(port: int, timeout: float = 60) -> None:
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def start_server(args, dsn: str, port: int, env: dict, code: str | None = None) -> subprocess.Popen:
    """`ocpp-cs serve` on `port`; with `code`, the server package of another checkout (its server/
    folder) is imported instead of this one, for an A/B run of two trees on one database."""
    if code:
        shim = Path(f"/tmp/ocpp-cs-bench-{os.getpid()}-tree")
        shim.mkdir(exist_ok=True)
        link = shim / "ocpp_cs"
        if not link.exists():
            link.symlink_to(Path(code).resolve() / "server")
        env = {**env, "PYTHONPATH": str(shim), "OCPP_CS_HOME": str(Path(code).resolve())}
    return subprocess.Popen([sys.executable, "-m", "ocpp_cs.cli", "serve", "--no-emulator",
                             "--database-url", dsn, "--port", str(port), "--host", "127.0.0.1"],
                            env=env)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def latency_line(label: str, rate: float, lat: list[float], errors: int) -> str:
    return (f"{label} {rate:8.0f} calls/s  p50 {percentile(lat, .5) * 1000:.1f} ms  "
            f"p95 {percentile(lat, .95) * 1000:.1f} ms  p99 {percentile(lat, .99) * 1000:.1f} ms  "
            f"max {max(lat, default=float('nan')) * 1000:.1f} ms  errors {errors}")


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f}, range {min(values):.2f}-{max(values):.2f}"


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--pool", type=int, default=8, help="ceiling connections and server pool size")
    ap.add_argument("--port", type=int, default=9399)
    ap.add_argument("--peer", default=str(Path(__file__).resolve().parents[2] / "shared" / "peer"
                                          / "mobilityhouse_cs.py"),
                    help="the peer central system to compare with ('' to skip)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of full path and peer, alternating; the ratio is their median")
    ap.add_argument("--baseline", metavar="CHECKOUT", default="",
                    help="another checkout of ocpp-cs (e.g. a git worktree of an older commit) run "
                         "as a third contestant in every round, on the same database")
    ap.add_argument("--baseline-env", metavar="NAME=VALUE", action="append", default=[],
                    help="an environment variable for the baseline's server only, e.g. "
                         "OCPP_CS_MESSAGE_LOG_DURABLE_CALLS=false with --baseline . to weigh a "
                         "setting (repeatable)")
    ap.add_argument("--latency", default="0.25,0.5,0.75",
                    help="offered rates, as fractions of the median top rate, for the latency run "
                         "('' to skip)")
    args = ap.parse_args()
    gc.set_threshold(50_000, 20, 100)  # as the server's (server/cli.py): fewer, shorter pauses

    from ocpp_cs import migrate
    from ocpp_cs.embedded import OWNER, SERVER_LOGIN, EmbeddedPostgres

    base = Path(f"/tmp/ocpp-cs-bench-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    pg = EmbeddedPostgres(base, settings={"max_connections": "200"})
    dsn = pg.start()  # the superuser's, for the bench's own queries
    migrate.upgrade(pg.dsn(user=OWNER))
    server_dsn = pg.dsn(user=SERVER_LOGIN)  # serve logs in as it does in production
    env = {**os.environ, "OCPP_CS_DATABASE_POOL_MAX": str(args.pool),
           "OCPP_CS_DATABASE_POOL_MIN": str(args.pool), "OCPP_CS_LOG_LEVEL": "WARNING",
           "OCPP_CS_CERTIFICATES_SIGNER": "none",
           "OCPP_CS_DATABASE_MIGRATE": "false"}
    contestants = {"ocpp-cs": (start_server(args, server_dsn, args.port, env), args.port)}
    if args.peer and Path(args.peer).exists():
        contestants["peer"] = (subprocess.Popen([sys.executable, args.peer, str(args.port + 1)]),
                               args.port + 1)
    if args.baseline:
        baseline_env = {**env, **dict(e.split("=", 1) for e in args.baseline_env)}
        contestants["baseline"] = (start_server(args, server_dsn, args.port + 2, baseline_env,
                                                args.baseline), args.port + 2)
    rates: dict[str, list[float]] = {name: [] for name in contestants}
    p99s: dict[str, list[float]] = {name: [] for name in contestants}
    try:
        for _, port in contestants.values():
            wait_port(port)
        print(f"cores: {os.cpu_count()}  stations: {args.stations}  seconds: {args.seconds}  "
              f"pool: {args.pool}  rounds: {args.repeat}  contestants: {', '.join(contestants)}")
        top = await ceiling(dsn, args.pool, args.seconds)
        print(f"ceiling   ocpp.parse via asyncpg, one call per statement: {top:8.0f} calls/s")
        grouped = await ceiling(dsn, args.pool, args.seconds, group=50)
        print(f"ceiling   ocpp.parse via asyncpg, 50 calls per statement: {grouped:8.0f} calls/s")
        logged = await ceiling(dsn, args.pool, args.seconds, group=50, logged=True)
        print(f"ceiling   ocpp.parse_logged (the full path's statement, message-log rows included), "
              f"50 calls per statement: {logged:8.0f} calls/s")
        for round_ in range(1, args.repeat + 1):
            for name, (_, port) in contestants.items():
                rate, lat, errors = await full_path(f"ws://127.0.0.1:{port}/ocpp", args.stations,
                                                    args.seconds)
                rates[name].append(rate)
                p99s[name].append(percentile(lat, .99) * 1000)
                print(latency_line(f"round {round_} {name:9}", rate, lat, errors))
        rate = statistics.median(rates["ocpp-cs"])
        print(f"full path WebSocket -> ocpp.parse:  median {rate:.0f} calls/s  "
              f"ratio {rate / top:.2f} (one per statement), {rate / grouped:.2f} (grouped), "
              f"{rate / logged:.2f} (grouped, logged)")
        for name in contestants:
            if name != "ocpp-cs":
                ratios = [a / b for a, b in zip(rates["ocpp-cs"], rates[name])]
                print(f"ocpp-cs / {name}: {spread(ratios)} over {len(ratios)} rounds "
                      f"({name} median {statistics.median(rates[name]):.0f} calls/s)")
        for fraction in [float(f) for f in args.latency.split(",") if f.strip()]:
            offered = rate * fraction
            achieved, lat, errors = await full_path(f"ws://127.0.0.1:{args.port}/ocpp",
                                                    args.stations, args.seconds, rate_limit=offered)
            print(latency_line(f"{fraction:4.0%} of top ({offered:.0f}/s offered):", achieved, lat,
                               errors))
    finally:
        for process, _ in contestants.values():
            stop(process)
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(f"/tmp/ocpp-cs-bench-{os.getpid()}-tree", ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
