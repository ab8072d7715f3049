"""conf/haproxy/ocpp-cs.cfg in front of two nodes: stations spread over both, a stopped node is
taken out by the /ping health check, and its stations reconnect through HAProxy to the live node
and are served at once, without a new BootNotification.

Debian's haproxy runs the shipped file; only its `bind` and `server` lines are replaced with the
test's own ports. The nodes are two servers on one database, as two `ocpp-cs serve` would be.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path

import aiohttp
import orjson
import pytest

from conftest import ROOT, free_port, start_server, wait_for
from ocpp_cs.config import Config

HAPROXY = shutil.which("haproxy")
pytestmark = pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed "
                                "(Debian package haproxy; .ci/setup installs it)")
SHIPPED = ROOT / "conf" / "haproxy" / "ocpp-cs.cfg"
STATIONS = 12


def render(port: int, nodes: list[int], path: Path) -> Path:
    """The shipped file with the test's listening port and nodes."""
    text = SHIPPED.read_text()
    text = re.sub(r"(?m)^    bind .*$", f"    bind 127.0.0.1:{port}", text)
    text = re.sub(r"(?m)^    server .*\n", "", text)
    text += "".join(f"    server node{i} 127.0.0.1:{p} check\n" for i, p in enumerate(nodes, 1))
    path.write_text(text)
    return path


async def wait_port(port: int) -> None:
    async def listening() -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        return True
    await wait_for(listening, timeout=15)


class Station:
    """A 1.6 station that boots once, then reconnects whenever its socket closes and sends a
    Heartbeat on every new connection (no new BootNotification), as field stations do."""

    def __init__(self, http: aiohttp.ClientSession, url: str, identity: str):
        self.http, self.url, self.identity = http, url, identity
        self.connections = 0
        self.served = asyncio.Event()  # a Heartbeat answered on the current connection
        self.refused: list[str] = []
        self.stopping = False

    async def call(self, ws: aiohttp.ClientWebSocketResponse, action: str, payload: dict) -> list:
        await ws.send_str(orjson.dumps([2, f"{self.identity}-{action}", action, payload]).decode())
        return orjson.loads((await ws.receive(timeout=10)).data)

    async def run(self) -> None:
        booted = False
        while not self.stopping:
            try:
                async with self.http.ws_connect(f"{self.url}/{self.identity}",
                                                protocols=["ocpp1.6"]) as ws:
                    self.connections += 1
                    if not booted:
                        reply = await self.call(ws, "BootNotification", {
                            "chargePointVendor": "Test", "chargePointModel": "HA"})
                        booted = reply[0] == 3
                    reply = await self.call(ws, "Heartbeat", {})
                    if reply[0] != 3:
                        self.refused.append(str(reply))
                    self.served.set()
                    async for _ in ws:  # until the node closes the socket
                        pass
                    self.served.clear()
            except (aiohttp.ClientError, asyncio.TimeoutError, TypeError) as e:
                self.served.clear()
                if not self.stopping:
                    self.refused.append(f"{type(e).__name__}: {e}")
            await asyncio.sleep(0.2)


async def test_haproxy_spreads_stations_and_routes_around_a_stopped_node(db, conn, tmp_path):
    a, runner_a = await start_server(db, Config())
    b, runner_b = await start_server(db, Config())
    port = free_port()
    haproxy = await asyncio.create_subprocess_exec(
        HAPROXY, "-db", "-f", str(render(port, [a.port, b.port], tmp_path / "haproxy.cfg")),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log: list[str] = []

    async def read_log() -> None:
        async for line in haproxy.stdout:
            log.append(line.decode(errors="replace"))
    reader = asyncio.create_task(read_log())
    stations: list[Station] = []
    tasks: list[asyncio.Task] = []
    try:
        await wait_port(port)
        async with aiohttp.ClientSession() as http:
            stations = [Station(http, f"ws://127.0.0.1:{port}/ocpp", f"HA-{n}")
                        for n in range(STATIONS)]
            tasks = [asyncio.create_task(s.run()) for s in stations]
            await asyncio.wait_for(asyncio.gather(*(s.served.wait() for s in stations)), 30)

            async def nodes() -> dict[str, int]:
                rows = await conn.fetch("select c.node, count(*) from cs.connection c "
                                        "join cs.station s on s.id = c.station_id "
                                        "where s.identity like 'HA-%' group by c.node")
                return {r["node"]: r["count"] for r in rows}

            spread = await wait_for(lambda: _all_counted(nodes, STATIONS))
            # leastconn over two nodes: both hold stations
            assert set(spread) == {a.config.node, b.config.node}, spread

            await runner_b.cleanup()  # node b stops: its sockets close with 1001

            async def all_on_a() -> bool:
                return (all(s.served.is_set() for s in stations)
                        and await nodes() == {a.config.node: STATIONS})
            await wait_for(all_on_a, timeout=30)
            moved = [s for s in stations if s.connections > 1]
            assert moved, "no station was on node b"
            # Served without a new BootNotification: no Heartbeat on the new node got a CALLERROR.
            assert not [r for s in stations for r in s.refused if r.startswith("[4")], \
                [s.refused for s in stations]
            boots = await conn.fetchval(
                "select count(*) from cs.message_log where identity like 'HA-%' "
                "and action = 'BootNotification' and direction = 'in'")
            assert boots == STATIONS  # one each, before the move; none after it

            # HAProxy takes node b out through its /ping health check, not only through refused
            # connections: new stations go to node a alone.
            async def b_down() -> bool:
                return any("Server ocpp_cs/node2 is DOWN" in line for line in log)
            await wait_for(b_down, timeout=15)
    finally:
        for s in stations:
            s.stopping = True
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        haproxy.terminate()
        await haproxy.wait()
        reader.cancel()
        await runner_a.cleanup()
        await runner_b.cleanup()


async def _all_counted(nodes, total: int) -> dict[str, int] | None:
    counted = await nodes()
    return counted if sum(counted.values()) == total else None
