"""The web UI's live log: how long a frame takes from the wire to a browser.

    python bench/live.py [--stations 100] [--rates 100,1000,4000] [--seconds 10]

Starts a private PostgreSQL cluster (in /tmp) and `ocpp-cs serve` as a separate process, opens the
live feed (/ui/live, as a browser does) and lets --stations WebSocket stations send Heartbeats at each
total rate in turn. For every CALL a station sends it notes the time; when the frame with that
uniqueId reaches the feed (message-log batch → NOTIFY ocpp_log → the server reads the rows → the
browser's socket), the difference is one sample. Prints, per rate, p50/p95/p99/max of that delay,
the frames the feed reported dropped, and the CALLs that never arrived. The load generator and the
"browser" run on the same machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import percentile, wait_port  # noqa: E402


class Feed:
    """The browser's side: matches each CALL frame that arrives to the time it was sent."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.sent: dict[str, float] = {}
        self.delays: list[float] = []
        self.dropped = 0

    async def read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if data["type"] == "dropped":
                self.dropped += data["count"]
            elif data["type"] == "frames":
                arrived = time.perf_counter()
                for frame in data["frames"]:
                    t = self.sent.pop(frame["uniqueId"], None) if frame["direction"] == "in" else None
                    if t is not None:
                        self.delays.append(arrived - t)


async def run_rate(url: str, feed: Feed, stations: int, rate: float, seconds: float) -> None:
    feed.sent, feed.delays, feed.dropped = {}, [], 0
    interval = stations / rate
    stop_at = time.perf_counter() + seconds

    async def station(http: aiohttp.ClientSession, n: int) -> None:
        async with http.ws_connect(f"{url}/LIVE-BENCH-{n}", protocols=["ocpp1.6"]) as ws:
            i = 0
            next_at = time.perf_counter() + interval * n / stations
            while time.perf_counter() < stop_at:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
                unique_id = f"{rate:.0f}-{n}-{i}"
                i += 1
                feed.sent[unique_id] = time.perf_counter()
                await ws.send_str(json.dumps([2, unique_id, "Heartbeat", {}]))
                await ws.receive()

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(station(http, n) for n in range(stations)))
    await asyncio.sleep(3)  # the last batches
    ms = [d * 1000 for d in feed.delays]
    print(f"{rate:7.0f} frames/s offered: {len(ms):7d} seen  wire -> browser p50 {percentile(ms, .5):6.0f} ms  "
          f"p95 {percentile(ms, .95):6.0f} ms  p99 {percentile(ms, .99):6.0f} ms  max {max(ms, default=0):6.0f} ms  "
          f"dropped {feed.dropped}  never arrived {len(feed.sent)}")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=100)
    ap.add_argument("--rates", default="100,1000,4000", help="total station CALLs per second, in turn")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--port", type=int, default=9398)
    args = ap.parse_args()

    from ocpp_cs import migrate
    from ocpp_cs.embedded import OWNER, SERVER_LOGIN, EmbeddedPostgres

    base = Path(f"/tmp/ocpp-cs-bench-live-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    pg = EmbeddedPostgres(base, settings={"max_connections": "200"})
    dsn = pg.start()  # the superuser's, for the bench's own queries
    migrate.upgrade(pg.dsn(user=OWNER))
    server_dsn = pg.dsn(user=SERVER_LOGIN)  # serve logs in as it does in production
    conn = await asyncpg.connect(dsn)
    token = await conn.fetchval("select ocpp.api_token_create('bench', 'read')")
    await conn.close()
    env = {**os.environ, "OCPP_CS_LOG_LEVEL": "WARNING", "OCPP_CS_CERTIFICATES_SIGNER": "none",
           "OCPP_CS_DATABASE_MIGRATE": "false"}
    server = subprocess.Popen([sys.executable, "-m", "ocpp_cs.cli", "serve", "--no-emulator",
                               "--database-url", server_dsn, "--port", str(args.port),
                               "--host", "127.0.0.1"], env=env)
    try:
        wait_port(args.port)
        print(f"cores: {os.cpu_count()}  stations: {args.stations}  seconds per rate: {args.seconds}  "
              f"message log flush interval: the default")
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"http://127.0.0.1:{args.port}/ui/live",
                                       headers={"Authorization": f"Bearer {token}"}) as ws:
                await ws.send_str(json.dumps({"type": "subscribe", "identity": None}))
                feed = Feed(ws)
                reader = asyncio.create_task(feed.read())
                for rate in (float(r) for r in args.rates.split(",")):
                    await run_rate(f"ws://127.0.0.1:{args.port}/ocpp", feed, args.stations, rate,
                                   args.seconds)
                reader.cancel()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
