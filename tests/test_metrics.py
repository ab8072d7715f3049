"""GET /metrics: the node's Prometheus metrics, read by prometheus_client's own parser, against a
real server, real stations (raw OCPP-J frames over a real socket) and real PostgreSQL."""
from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

import aiohttp
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from conftest import psql_bin, start_server, wait_for

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "M1"}


async def scrape(server, token: str | None = None) -> tuple[int, str, str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as s:
        async with s.get(f"http://127.0.0.1:{server.port}/metrics", headers=headers) as r:
            return r.status, r.headers.get("Content-Type", ""), await r.text()


async def samples(server) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of one scrape."""
    status, content_type, text = await scrape(server)
    assert status == 200 and content_type.startswith("text/plain"), (status, content_type)
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def metric(server, name: str, **labels: str) -> float:
    return value(await samples(server), name, **labels)


async def call(ws, unique_id: str, action: str, payload: dict) -> list:
    await ws.send(json.dumps([2, unique_id, action, payload]))
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_the_exposition_parses_and_names_the_node(server):
    found = await samples(server)
    info = [labels for (name, labels), v in found.items() if name == "ocpp_cs_node_info" and v == 1]
    assert len(info) == 1 and ("node", server.config.node) in info[0]
    for name in ("ocpp_cs_stations_connected", "ocpp_cs_message_log_backlog",
                 "ocpp_cs_db_pool_size", "ocpp_cs_db_pool_connections",
                 "ocpp_cs_command_queue_depth", "ocpp_cs_call_latency_seconds_count"):
        assert any(n == name for n, _ in found), name
    assert value(found, "ocpp_cs_database_up") == 1
    assert value(found, "ocpp_cs_db_pool_size") >= 1


async def test_stations_calls_errors_and_latency_are_counted(server):
    assert await metric(server, "ocpp_cs_stations_connected", version="1.6") == 0
    async with websockets.connect(f"{server.url}/MET1", subprotocols=["ocpp1.6"]) as ws:
        async def connected():
            return await metric(server, "ocpp_cs_stations_connected", version="1.6") == 1
        await wait_for(connected)
        assert (await call(ws, "b1", "BootNotification", BOOT))[0] == 3
        for i in range(3):
            assert (await call(ws, f"h{i}", "Heartbeat", {}))[0] == 3
        # an unknown field: a CALL that gets a CALLERROR
        reply = await call(ws, "bad1", "Heartbeat", {"unexpected": 1})
        assert reply[:3] == [4, "bad1", "FormationViolation"]
        # an action no version knows: counted as "other", not under its name
        reply = await call(ws, "bad2", "MadeUpAction", {})
        assert reply[:3] == [4, "bad2", "NotImplemented"]

        found = await samples(server)
        assert value(found, "ocpp_cs_station_calls_total", action="BootNotification",
                     version="1.6") == 1
        assert value(found, "ocpp_cs_station_calls_total", action="Heartbeat", version="1.6") == 4
        assert value(found, "ocpp_cs_station_calls_total", action="other", version="1.6") == 1
        assert not any(dict(labels).get("action") == "MadeUpAction" for _, labels in found)
        assert value(found, "ocpp_cs_callerrors_sent_total", code="FormationViolation") == 1
        assert value(found, "ocpp_cs_callerrors_sent_total", code="NotImplemented") == 1
        # every CALL answered was timed, once
        assert value(found, "ocpp_cs_call_latency_seconds_count") == 6
        assert value(found, "ocpp_cs_call_latency_seconds_bucket", le="+Inf") == 6
        assert 0 < value(found, "ocpp_cs_call_latency_seconds_sum") < 6 * 5

    async def disconnected():
        return await metric(server, "ocpp_cs_stations_connected", version="1.6") == 0
    await wait_for(disconnected)


async def test_a_frame_without_a_call_gets_its_callerror_counted(server):
    async with websockets.connect(f"{server.url}/MET2", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[2,"x1","Heartbeat"]')  # three elements: not a CALL
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[0] == 4 and reply[1] == "x1"
        found = await samples(server)
        assert value(found, "ocpp_cs_callerrors_sent_total", code=reply[2]) == 1
        assert value(found, "ocpp_cs_call_latency_seconds_count") == 1
        assert not any(n == "ocpp_cs_station_calls_total" for n, _ in found)


async def test_message_log_rows_are_counted_as_written(server):
    async with websockets.connect(f"{server.url}/MET3", subprotocols=["ocpp1.6"]) as ws:
        await call(ws, "h1", "Heartbeat", {})

    async def written():
        found = await samples(server)
        return (value(found, "ocpp_cs_message_log_written_total") >= 4  # connect, in, out, disconnect
                and value(found, "ocpp_cs_message_log_backlog") == 0)
    await wait_for(written)


async def test_command_queue_depth_and_commands_sent(server, db):
    db.psql("select ocpp.add_station('OFF1')")
    db.psql("""select ocpp.send('OFF1', 'Reset', '{"type": "Soft"}', interval '1 hour')""")
    found = await samples(server)
    assert value(found, "ocpp_cs_command_queue_depth", status="queued") == 1
    assert value(found, "ocpp_cs_command_queue_depth", status="sent") == 0

    async with websockets.connect(f"{server.url}/OFF1", subprotocols=["ocpp1.6"]) as ws:
        # the queued command goes out once the station is here; it answers
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert frame[0] == 2 and frame[2] == "Reset"
        assert await metric(server, "ocpp_cs_command_queue_depth", status="sent") == 1
        await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))

        async def answered():
            return await metric(server, "ocpp_cs_commands_sent_total", action="Reset",
                                outcome="answered") == 1
        await wait_for(answered)

    async def drained():  # the counter moves when the answer is read, the queue when SQL committed it
        found = await samples(server)
        return (value(found, "ocpp_cs_command_queue_depth", status="queued") == 0
                and value(found, "ocpp_cs_command_queue_depth", status="sent") == 0)
    await wait_for(drained)


def psql_admin(db, sql: str) -> None:
    """SQL run from the postgres database: the test database may refuse connections."""
    subprocess.run([psql_bin(db.cluster), *db.cluster.psql_args("postgres"), "-v",
                    "ON_ERROR_STOP=1", "-tAqc", sql], check=True, capture_output=True)


async def test_the_scrape_answers_while_postgresql_is_away(server, db):
    await samples(server)  # a first figure to keep
    psql_admin(db, f"alter database {db.name} with allow_connections false")
    try:
        psql_admin(db, "select pg_terminate_backend(pid) from pg_stat_activity "
                       f"where datname = '{db.name}'")
        found = await samples(server)
        assert any(n == "ocpp_cs_command_queue_depth" for n, _ in found)
        assert value(found, "ocpp_cs_database_up") == 0
    finally:
        psql_admin(db, f"alter database {db.name} with allow_connections true")

    async def back():
        return await metric(server, "ocpp_cs_database_up") == 1
    await wait_for(back)


async def test_a_token_is_required_when_configured(server_config, db):
    server_config.metrics.token = "scrape-secret"
    srv, runner = await start_server(db, server_config)
    try:
        status, _, _ = await scrape(srv)
        assert status == 401
        assert (await scrape(srv, "wrong"))[0] == 401
        status, content_type, text = await scrape(srv, "scrape-secret")
        assert status == 200 and content_type.startswith("text/plain")
        assert any(f.name == "ocpp_cs_node_info" for f in text_string_to_metric_families(text))
    finally:
        await runner.cleanup()


async def test_disabled_metrics_are_not_served(server_config, db):
    server_config.metrics.enabled = False
    srv, runner = await start_server(db, server_config)
    try:
        assert (await scrape(srv))[0] == 404
        # the stations are served as before
        async with websockets.connect(f"{srv.url}/MET4", subprotocols=["ocpp1.6"]) as ws:
            assert (await call(ws, "h1", "Heartbeat", {}))[0] == 3
    finally:
        await runner.cleanup()


async def test_the_docs_and_the_dashboard_name_what_is_served(server):
    """docs/metrics.md lists every metric the node serves, and the Grafana dashboard asks only for
    served ones (valid JSON, PromQL on the names of the exposition)."""
    root = Path(__file__).resolve().parents[1]
    _, _, text = await scrape(server)
    served = {f.name for f in text_string_to_metric_families(text)
              if f.name.startswith("ocpp_cs_") and not f.name.endswith("_created")}
    documented = set(re.findall(r"^\| `(ocpp_cs_\w+)`", (root / "docs" / "metrics.md").read_text(),
                                re.M))
    # prometheus_client names a counter family without _total
    assert {re.sub(r"_total$", "", n) for n in documented} == served
    dashboard = json.loads((root / "docs" / "grafana-ocpp-cs.json").read_text())
    asked = {re.sub(r"_(total|bucket|sum|count)$", "", name)
             for panel in dashboard["panels"] for target in panel["targets"]
             for name in re.findall(r"ocpp_cs_\w+", target["expr"])}
    assert asked and asked <= served, asked - served
    assert served <= asked, f"no panel for {served - asked}"
