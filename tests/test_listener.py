"""The node's one LISTEN connection (database/listener.py) against a real PostgreSQL: every channel on
one connection, each notification to every subscriber of its channel, and after the connection is
lost a new one that LISTENs again and tells the subscribers to poll."""
from __future__ import annotations

import asyncio
import logging

from conftest import wait_for
from ocpp_cs.database import Login, NotifyListener, Outage
from ocpp_cs.embedded import FRONTEND, SERVER_LOGIN


async def _true(value):
    return value


def listener_for(db) -> tuple[NotifyListener, dict[str, list[str]], list[str]]:
    listener = NotifyListener(Login(db.server_dsn, role=FRONTEND, node="test-listener"), Outage(),
                              retry_min=0.05, retry_max=0.2)
    got: dict[str, list[str]] = {"a1": [], "a2": [], "b": []}
    events: list[str] = []

    async def on_listen() -> None:
        events.append("listen")

    listener.subscribe("test_a", got["a1"].append, on_listen=on_listen,
                       on_lost=lambda: events.append("lost"))
    listener.subscribe("test_a", got["a2"].append)
    listener.subscribe("test_b", got["b"].append)
    return listener, got, events


async def test_one_connection_fans_each_notification_out(db, conn):
    listener, got, events = listener_for(db)
    task = asyncio.create_task(listener.run())
    try:
        await wait_for(lambda: _true(listener.listening.is_set()))
        assert events == ["listen"]
        rows = await conn.fetch("select usename::text, application_name from pg_stat_activity "
                                "where datname = current_database() and pid <> pg_backend_pid() "
                                "and backend_type = 'client backend'")  # not an autovacuum worker
        assert [tuple(r) for r in rows] == [(SERVER_LOGIN, "ocpp-cs test-listener listen")]
        await conn.execute("select pg_notify('test_a', '1'), pg_notify('test_b', '2')")
        await wait_for(lambda: _true(got == {"a1": ["1"], "a2": ["1"], "b": ["2"]}))
        try:
            listener.subscribe("test_c", print)
        except RuntimeError as e:
            assert "before the listener runs" in str(e)
        else:
            raise AssertionError("subscribe accepted while running")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert not listener.listening.is_set()


async def test_a_lost_connection_listens_again_and_subscribers_poll(db, conn, caplog):
    caplog.set_level(logging.INFO)
    listener, got, events = listener_for(db)
    task = asyncio.create_task(listener.run())
    try:
        await wait_for(lambda: _true(listener.listening.is_set()))
        await conn.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                           "where application_name = 'ocpp-cs test-listener listen'")
        await wait_for(lambda: _true(events == ["listen", "lost", "listen"]))
        assert listener.listening.is_set()
        await conn.execute("select pg_notify('test_a', 'after'), pg_notify('test_b', 'after')")
        await wait_for(lambda: _true(got == {"a1": ["after"], "a2": ["after"], "b": ["after"]}))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert any("LISTEN connection was lost" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_unreachable_is_one_error_and_retried(db, caplog):
    """A login that cannot connect: one ERROR for the outage, however many attempts follow."""
    caplog.set_level(logging.INFO)
    bad = f"postgresql://{SERVER_LOGIN}@/{db.name}?host=/nonexistent-{db.name}&port=5432"
    outage = Outage()
    listener = NotifyListener(Login(bad, node="x"), outage, retry_min=0.01, retry_max=0.02)
    listener.subscribe("test_a", print)
    task = asyncio.create_task(listener.run())
    try:
        await wait_for(lambda: _true(outage.failures >= 5))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "PostgreSQL unreachable" in errors[0].getMessage(), errors
