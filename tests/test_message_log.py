"""The message log keeps every row: one station's unstorable frame (a NUL, JSON nested deeper than
orjson or PostgreSQL go) costs no other row, rows leave the buffer only once written, and a PostgreSQL
outage is one line in the log, not one per frame."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from pathlib import Path

import asyncpg
import pytest
import websockets

from conftest import FAST, Database, start_server, wait_for
from ocpp_cs import migrate
from ocpp_cs.app import MESSAGES
from ocpp_cs.embedded import OWNER, EmbeddedPostgres
from ocpp_cs.embedded.postgres import DATABASE
from ocpp_cs.database import is_refusal


def nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth):
        value = {"n": value}
    return value


async def rows_of(conn: asyncpg.Connection, identity: str, direction: str = "in",
                  message_type: int | None = 2) -> list[asyncpg.Record]:
    return await conn.fetch("select unique_id, payload from cs.message_log where identity = $1 "
                            "and direction = $2 and message_type is not distinct from $3 "
                            "order by id", identity, direction, message_type)


@pytest.fixture
def server_config(server_config):
    # one batch for the rows a test records together: bad rows and good ones share a write
    server_config.message_log.flush_interval = 1.0
    return server_config


async def test_one_bad_row_costs_no_other_row(server, db, conn):
    """The front end refuses such frames before logging their payload (test_field_input.py), so the
    writer is the last line: rows given to the server's own message log directly, among good rows
    of a bystander, all reach the same batch of the real PostgreSQL."""
    messages = server.app[MESSAGES]
    bad = {"nul": {"vendorId": "V", "data": "a\u0000b"},
           "deep": {"customData": nested(300)},     # orjson.dumps stops at 255 levels
           "deep2": {"customData": nested(900)}}    # still loads, never dumps
    for i, (uid, payload) in enumerate(bad.items()):
        messages.record("BYSTANDER", None, "in", 2, "Heartbeat", f"hb{i}", {})
        messages.record("BAD", None, "in", 2, "Heartbeat", uid, payload)
    messages.record("BYSTANDER", None, "in", 2, "Heartbeat", "hb3", {})
    messages.record("BAD\u0000", None, "in", None, None, None, "raw \u0000 text")

    async def written() -> bool:
        return len(await rows_of(conn, "BYSTANDER")) == 4 and len(await rows_of(conn, "BAD")) == 3
    await wait_for(written, 10)
    assert [r["unique_id"] for r in await rows_of(conn, "BYSTANDER")] == ["hb0", "hb1", "hb2", "hb3"]
    bad_rows = {r["unique_id"]: json.loads(r["payload"]) for r in await rows_of(conn, "BAD")}
    assert set(bad_rows) == set(bad)
    for uid in bad_rows:
        assert "unstorable" in bad_rows[uid], (uid, str(bad_rows[uid])[:200])
    assert "a\\u0000b" in bad_rows["nul"]["raw"], "the NUL is kept, escaped"
    assert bad_rows["deep"]["raw"].startswith('{"customData":{"n":{"n":')
    assert await conn.fetchval("select payload->>'raw' from cs.message_log "
                               "where identity = 'BAD\\u0000'") == '"raw \\u0000 text"'
    assert messages.unstorable == 4 and messages.lost == 0


async def test_rows_survive_postgresql_terminating_the_writers_connections(server, db, conn):
    """Terminated backends (57P01, what a PostgreSQL restart or crash does to sessions) are no
    refusal: the rows wait and are written, none is dropped (before: a whole batch dropped)."""
    sent = 60
    stop = asyncio.Event()

    async def terminator():
        while not stop.is_set():
            await conn.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                               "where datname = current_database() and pid <> pg_backend_pid() "
                               "and application_name like 'ocpp-cs%'")
            await asyncio.sleep(0.02)

    async with websockets.connect(f"{server.url}/KILLED", subprotocols=["ocpp1.6"]) as ws:
        task = asyncio.create_task(terminator())
        try:
            for i in range(sent):
                await ws.send(json.dumps([2, f"k{i}", "Heartbeat", {}]))
                await ws.recv()  # a reply or an InternalError: either way one IN row
                await asyncio.sleep(0.01)
        finally:
            stop.set()
            await task

    expected = {f"k{i}" for i in range(sent)}

    async def all_written() -> bool:
        return {r["unique_id"] for r in await rows_of(conn, "KILLED")} >= expected
    try:
        await wait_for(all_written, 20)
    finally:
        got = {r["unique_id"] for r in await rows_of(conn, "KILLED")}
        assert not expected - got, f"lost: {sorted(expected - got)}"
    # At least once, not exactly once: a batch whose commit was not confirmed (the session died
    # between COMMIT and its answer) is written again, so a row may appear twice; none is lost.


def test_what_counts_as_a_refusal():
    from asyncpg import exceptions as x
    assert is_refusal(x.UntranslatableCharacterError("\\u0000 cannot be converted to text."))
    assert is_refusal(x.StatementTooComplexError("stack depth limit exceeded"))
    assert is_refusal(x.CheckViolationError("new row violates check constraint"))
    assert not is_refusal(x.AdminShutdownError("terminating connection due to administrator command"))
    assert not is_refusal(x.CrashShutdownError("terminating connection because of crash"))
    assert not is_refusal(x.CannotConnectNowError("the database system is starting up"))
    assert not is_refusal(ConnectionResetError())


async def test_an_outage_is_one_line_and_loses_no_row(caplog):
    """PostgreSQL stopped for a few seconds under a station that keeps sending: one ERROR line,
    one line when it is back, and every frame of the outage in the log afterwards."""
    base = Path(f"/tmp/ocpp-cs-outage-{os.getpid()}")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    pg = EmbeddedPostgres(base, settings=FAST)
    try:
        pg.start()  # the database ocpp and the roles, as serve makes them
        migrate.upgrade(pg.dsn(DATABASE, user=OWNER))
        db = Database(DATABASE, pg.dsn(DATABASE), pg)
        server, runner = await start_server(db)
        caplog.set_level(logging.INFO)
        try:
            async with websockets.connect(f"{server.url}/OUT1", subprotocols=["ocpp1.6"]) as ws:
                sent = 0

                async def send(n: int) -> None:
                    nonlocal sent
                    for _ in range(n):
                        await ws.send(json.dumps([2, f"o{sent}", "Heartbeat", {}]))
                        sent += 1
                        await ws.recv()
                        await asyncio.sleep(0.01)

                await send(10)
                await asyncio.to_thread(pg.stop)
                await send(150)  # answered InternalError while PostgreSQL is away
                await asyncio.to_thread(pg.start_server)
                await send(10)

            conn = await asyncpg.connect(pg.dsn(DATABASE))
            try:
                # Every CALL has its row. The writer is at-least-once: a batch whose commit was
                # not confirmed before the connection died is written again, so a row may be
                # there twice, never missing (count distinct unique ids, not rows).
                async def all_written() -> bool:
                    return await conn.fetchval("select count(distinct unique_id) from cs.message_log "
                                               "where identity = 'OUT1' and direction = 'in' "
                                               "and message_type = 2") == sent
                await wait_for(all_written, 30)
            finally:
                await conn.close()
        finally:
            await runner.cleanup()
    finally:
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("ocpp_cs")]
    assert len(errors) == 1, [r.getMessage()[:200] for r in errors]
    assert "PostgreSQL unreachable" in errors[0].getMessage()
    back = [r for r in caplog.records if "PostgreSQL reachable again" in r.getMessage()]
    assert len(back) >= 1


def test_a_call_in_flight_when_the_outage_began_does_not_end_it(caplog):
    """PostgreSQL stops its backends one by one: a call that began before the first failure may
    still succeed. It proves nothing, so the outage goes on, and its next failure is no new ERROR."""
    from ocpp_cs.database import Outage
    caplog.set_level(logging.INFO)
    outage = Outage()
    before = time.monotonic()
    outage.failed("station messages", ConnectionError("gone"))
    outage.recovered(before)        # in flight before the outage: not a recovery
    outage.failed("message log", ConnectionError("gone"))
    after = time.monotonic()
    outage.recovered(after)         # began after it: PostgreSQL is back
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    back = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(errors) == 1 and len(back) == 1
    assert "2 calls failed" in back[0].getMessage()


async def test_a_frame_logged_while_its_partition_is_made_lands_in_it(db):
    """Partition maintenance makes today's partition (moving today's rows out of DEFAULT) while the
    front end logs frames: the frame waits for the new partition instead of failing in DEFAULT."""
    maintainer = await asyncpg.connect(db.dsn)
    writer = await asyncpg.connect(db.server_dsn)
    try:
        frame = json.dumps([{"identity": "PART1", "direction": "in", "messageType": 2,
                             "action": "Heartbeat", "uniqueId": "p-1", "payload": {}}])
        async with maintainer.transaction():
            made = await maintainer.fetchval("select cs.history_partition('message_log', now())")
            assert made is not None  # the template has no partition of today: this made it
            logged = asyncio.create_task(writer.fetchval("select ocpp.log_frames($1::jsonb)", frame))
            await asyncio.sleep(0.5)
            assert not logged.done()  # held back until the partition is attached and committed
        await asyncio.wait_for(logged, 10)
        where = await maintainer.fetchval("select tableoid::regclass::text from cs.message_log "
                                          "where identity = 'PART1'")
        assert where.startswith("cs.message_log_p"), where
    finally:
        await maintainer.close()
        await writer.close()


async def test_partition_maintenance_gives_way_to_a_station_message(db):
    """A station message is writing meter values (its transaction holds cs.meter_value) while
    maintenance wants the locks to make a new meter-value partition: maintenance gives up that table
    for this run instead of holding locks the station message may need next (a deadlock seen in CI
    between a TransactionEvent and the maintenance at a server's start)."""
    station_message = await asyncpg.connect(db.dsn)
    maintainer = await asyncpg.connect(db.dsn)
    try:
        async with station_message.transaction():
            await station_message.execute("lock table cs.meter_value in row exclusive mode")
            rows = await asyncio.wait_for(maintainer.fetch("select * from ocpp.partition_maintain()"), 10)
            by_table = {r["table_name"]: r for r in rows}
            assert by_table["message_log"]["created"] > 0     # not in the way: done
            assert by_table["meter_value"]["created"] == 0    # in the way: skipped this run
        rows = await maintainer.fetch("select * from ocpp.partition_maintain()")
        assert {r["table_name"]: r["created"] for r in rows}["meter_value"] > 0  # the next run does it
    finally:
        await station_message.close()
        await maintainer.close()
