"""Node liveness across real processes (issue 16): two `ocpp-cs serve` nodes on one database with a
short lease (node.lease_seconds, node.grace_seconds); one is killed with SIGKILL and the other
declares it dead (its stations offline, its sent command interrupted) and serves its stations when
they come back; one is paused with SIGSTOP, reaped, and on waking closes the sockets it still holds.
Two reapers at once do the work once (SKIP LOCKED). The rules themselves: db/tests/17_node_liveness.sql."""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import AsyncIterator, Iterator

import aiohttp
import asyncpg
import pytest

from conftest import Database, free_port, wait_for
from test_cli import OCPP_CS
from test_least_privilege import wait_listening

LEASE, GRACE = 2, 1  # seconds: the node renews every 2/3 s and is reaped 3 s after its last renewal
MARGIN = 15.0        # seconds on top of lease + grace for two busy cores

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_CS_")}
_ids = itertools.count(1)


class Node:
    """One `ocpp-cs serve` process on the test database, logging to a file (a pipe nobody reads
    would fill and stop it)."""

    def __init__(self, db: Database, name: str, log: Path, **env: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}/ocpp"
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [*OCPP_CS, "serve", "--host", "127.0.0.1", "--no-emulator", "--port", str(self.port),
                 "--database-url", db.server_dsn],
                stdout=out, stderr=subprocess.STDOUT, text=True,
                env={**CLEAN_ENV, "OCPP_CS_DATABASE_MIGRATE": "false", "OCPP_CS_SERVER_NODE": name,
                     **env})

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # a paused node must wake to hear SIGTERM
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def nodes(db: Database, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    db.psql(f"select ocpp.set_setting('node.lease_seconds', '{LEASE}'), "
            f"ocpp.set_setting('node.grace_seconds', '{GRACE}')")
    a, b = Node(db, "node-a", tmp_path / "a.log"), Node(db, "node-b", tmp_path / "b.log")
    try:
        for node in (a, b):
            try:
                wait_listening(node.port, node.proc)
            except AssertionError as e:
                raise AssertionError(f"{node.name}: {e}\n{node.output()}") from None
        yield a, b
    finally:
        a.stop()
        b.stop()


class Station:
    """A bare OCPP 1.6 station: one aiohttp WebSocket, CALLs by hand."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def call(self, action: str, payload: dict) -> list:
        unique_id = f"m{next(_ids)}"
        await self.ws.send_str(json.dumps([2, unique_id, action, payload]))
        while True:
            frame = json.loads((await self.ws.receive(timeout=15)).data)
            if frame[1] == unique_id:
                return frame

    async def receive_call(self) -> list:
        msg = await self.ws.receive(timeout=15)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        frame = json.loads(msg.data)
        assert frame[0] == 2, frame
        return frame


@pytest.fixture
async def connect() -> AsyncIterator:
    async with aiohttp.ClientSession() as http:
        async def open_station(url: str, identity: str) -> Station:
            return Station(await http.ws_connect(f"{url}/{identity}", protocols=("ocpp1.6",)))
        yield open_station


async def connected(conn: asyncpg.Connection, identity: str) -> tuple[bool, str | None]:
    row = await conn.fetchval("select e from jsonb_array_elements(ocpp.chargepointlist()) as e "
                              "where e->>'identity' = $1", identity)
    station = json.loads(row)
    return station["connected"], station["node"]


async def status(conn: asyncpg.Connection, command_id: int) -> str:
    return await conn.fetchval("select status from cs.command where id = $1", command_id)


async def test_a_killed_node_is_declared_dead_and_its_stations_are_served_by_the_other(
        nodes, conn, connect):
    a, b = nodes
    st1, st2 = await connect(b.url, "LIVE-1"), await connect(b.url, "LIVE-2")
    for st in (st1, st2):
        boot = await st.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        assert boot[2]["status"] == "Accepted"
    assert await connected(conn, "LIVE-1") == (True, "node-b")
    await conn.execute("select ocpp.add_station('LIVE-3')")

    # B sends LIVE-1 a command it never answers: sent, on node-b
    sent = await conn.fetchval("select ocpp.send('LIVE-1', 'ClearCache', '{}', interval '5 minutes')")
    assert (await st1.receive_call())[2] == "ClearCache"
    assert await status(conn, sent) == "sent"
    # and one waits for LIVE-3, connected nowhere
    waiting = await conn.fetchval("select ocpp.send('LIVE-3', 'ClearCache', '{}', interval '5 minutes')")

    b.proc.kill()  # SIGKILL: no goodbye, no ocpp.disconnect, no command_interrupted
    b.proc.wait()

    async def b_reaped():
        return (await connected(conn, "LIVE-1") == (False, None)
                and await connected(conn, "LIVE-2") == (False, None)
                and await status(conn, sent) == "interrupted")
    await wait_for(b_reaped, timeout=LEASE + GRACE + MARGIN)
    assert await conn.fetchval("select reaped_by from cs.node where name = 'node-b'") == "node-a"
    assert await status(conn, waiting) == "queued", "a command with a wait waits for its station"

    # the stations come back on A: served at once, without a BootNotification
    st1, st2, st3 = (await connect(a.url, "LIVE-1"), await connect(a.url, "LIVE-2"),
                     await connect(a.url, "LIVE-3"))
    for st in (st1, st2):
        heartbeat = await st.call("Heartbeat", {})
        assert heartbeat[0] == 3 and "currentTime" in heartbeat[2], heartbeat
    assert await connected(conn, "LIVE-1") == (True, "node-a")
    # the command that waited is delivered by A, and so is a new one
    for st, command_id in ((st3, waiting),
                           (st2, await conn.fetchval("select ocpp.send('LIVE-2', 'ClearCache', '{}')"))):
        frame = await st.receive_call()
        assert frame[2] == "ClearCache"
        await st.ws.send_str(json.dumps([3, frame[1], {"status": "Accepted"}]))

        async def answered():
            return await status(conn, command_id) == "answered"
        await wait_for(answered)
        assert await conn.fetchval("select node from cs.command where id = $1", command_id) == "node-a"

    a.stop()
    assert "node node-b declared dead" in a.output()
    assert "2 connections removed, 1 sent commands interrupted" in a.output()


async def test_a_node_reaped_while_paused_closes_the_sockets_it_still_holds(nodes, conn, connect):
    a, b = nodes
    st = await connect(b.url, "PAUSED-1")
    assert (await st.call("Heartbeat", {}))[0] == 3
    os.kill(b.proc.pid, signal.SIGSTOP)
    try:
        async def b_reaped():
            return await conn.fetchval("select reaped_by from cs.node where name = 'node-b'")
        assert await wait_for(b_reaped, timeout=LEASE + GRACE + MARGIN) == "node-a"
        assert await connected(conn, "PAUSED-1") == (False, None)
    finally:
        os.kill(b.proc.pid, signal.SIGCONT)
    # awake again, B renews, learns it was declared dead, and closes the ghost's socket
    msg = await st.ws.receive(timeout=LEASE + MARGIN)
    assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1012, msg
    assert await conn.fetchval("select reaped_at from cs.node where name = 'node-b'") is None
    # the station reconnects (anywhere) and is served
    st = await connect(b.url, "PAUSED-1")
    assert (await st.call("Heartbeat", {}))[0] == 3
    assert await connected(conn, "PAUSED-1") == (True, "node-b")
    b.stop()
    assert "closing the 1 station sockets it holds" in b.output()


async def test_two_reapers_at_once_do_the_work_once(db: Database, conn):
    await conn.execute("""
        select ocpp.node_start('dead'), ocpp.connect('REAP-1', null, '1.6', 'dead');
        update cs.node set lease_until = now() - interval '1 hour' where name = 'dead'""")
    other = await asyncpg.connect(db.dsn)
    try:
        async with conn.transaction():
            first = json.loads(await conn.fetchval("select ocpp.node_reap('live-1')"))
            # the second reaper runs while the first one's transaction still holds the dead node
            second = json.loads(await other.fetchval("select ocpp.node_reap('live-2')"))
        assert [(d["node"], d["connections"]) for d in first] == [("dead", 1)]
        assert second == []
        assert json.loads(await other.fetchval("select ocpp.node_reap('live-2')")) == []
        assert await conn.fetchval("select reaped_by from cs.node where name = 'dead'") == "live-1"
    finally:
        await other.close()


async def test_a_station_moving_to_another_node_replaces_its_connection(conn):
    first = json.loads(await conn.fetchval("select ocpp.connect('MOVE-1', null, '1.6', 'node-x')::text"))
    moved = json.loads(await conn.fetchval("select ocpp.connect('MOVE-1', null, '1.6', 'node-y')::text"))
    assert first["replaced_node"] is None and moved["replaced_node"] == "node-x"
    assert await connected(conn, "MOVE-1") == (True, "node-y")
    # the old node's late goodbye does not remove the new connection
    await conn.execute("select ocpp.disconnect('MOVE-1', 'node-x')")
    assert await connected(conn, "MOVE-1") == (True, "node-y")


async def test_the_acknowledged_calls_of_a_killed_node_are_in_the_message_log(db: Database, conn,
                                                                           connect, tmp_path: Path):
    """[message_log] durable_calls (the default): a CALL and its CALLRESULT are committed with the
    message, so kill -9 right after the answers loses none of their rows, though the buffered
    writer (here flushing only every 60 s) never wrote anything."""
    node = Node(db, "node-k", tmp_path / "k.log", OCPP_CS_MESSAGE_LOG_FLUSH_INTERVAL="60")
    try:
        wait_listening(node.port, node.proc)
        station = await connect(node.url, "DURABLE-1")
        answered = []
        boot = await station.call("BootNotification", {"chargePointVendor": "V",
                                                       "chargePointModel": "M"})
        answered.append(boot[1])
        for _ in range(20):
            reply = await station.call("Heartbeat", {})
            assert reply[0] == 3, reply
            answered.append(reply[1])
        node.proc.kill()  # SIGKILL at once: the writer's buffer dies with it
        node.proc.wait()
    finally:
        node.stop()
    rows = await conn.fetch("select unique_id, direction, message_type, payload, latency_ms "
                            "from cs.message_log where identity = 'DURABLE-1' and unique_id = any($1)",
                            answered)
    found = {(r["unique_id"], r["direction"]) for r in rows}
    missing = [(u, d) for u in answered for d in ("in", "out") if (u, d) not in found]
    assert missing == [], f"acknowledged but not in the message log: {missing}"
    out = {r["unique_id"]: r for r in rows if r["direction"] == "out"}
    assert json.loads(out[boot[1]]["payload"])["status"] == "Accepted"
    assert all(r["message_type"] == 3 and r["latency_ms"] >= 0 for r in out.values())
    # the connect row went through the buffer, which died unwritten: the test can tell the two
    assert await conn.fetchval("select count(*) from cs.message_log where identity = 'DURABLE-1' "
                               "and action = 'Connect'") == 0
