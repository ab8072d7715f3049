"""End to end with an independent client: the `ocpp` package's v16 ChargePoint over a real socket,
a real server and a real PostgreSQL; the database state is checked after each step."""
from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timezone

import websockets
from ocpp.v16 import ChargePoint, call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus

from conftest import wait_for


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@contextlib.asynccontextmanager
async def station(url: str, identity: str, *, cls: type = ChargePoint, version: str = "1.6",
                  **connect):
    """An `ocpp` package ChargePoint (cls) connected as identity, running until the block ends."""
    async with websockets.connect(f"{url}/{identity}", subprotocols=[f"ocpp{version}"],
                                  **connect) as ws:
        cp = cls(identity, ws)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_full_session_is_recorded(server, db):
    async with station(server.url, "CP1") as cp:
        boot = await cp.call(call.BootNotification(
            charge_point_vendor="Acme", charge_point_model="Fast-22",
            charge_point_serial_number="SN-1", firmware_version="1.2.3", iccid="8931",
            imsi="2620", meter_type="Eastron", meter_serial_number="M-9"))
        assert boot.status == "Accepted"
        assert boot.interval == 300
        assert boot.current_time.endswith("Z")

        for connector in (0, 1):
            await cp.call(call.StatusNotification(connector_id=connector,
                                                  error_code=ChargePointErrorCode.no_error,
                                                  status=ChargePointStatus.available,
                                                  timestamp=now()))
        await cp.call(call.StatusNotification(connector_id=1, error_code="NoError",
                                              status="Preparing", timestamp=now()))
        auth = await cp.call(call.Authorize(id_tag="TAG-1"))
        assert auth.id_tag_info["status"] == "Accepted"

        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="TAG-1",
                                                    meter_start=1000, timestamp=now()))
        tx = start.transaction_id
        assert isinstance(tx, int) and start.id_tag_info["status"] == "Accepted"

        await cp.call(call.MeterValues(connector_id=1, transaction_id=tx, meter_value=[{
            "timestamp": now(),
            "sampledValue": [
                {"value": "1500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "7400.5", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": "230.1", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
            ]}]))
        stop = await cp.call(call.StopTransaction(
            transaction_id=tx, meter_stop=2500, timestamp=now(), id_tag="TAG-1", reason="Local",
            transaction_data=[{"timestamp": now(), "sampledValue": [{"value": "2500"}]}]))
        assert stop.id_tag_info["status"] == "Accepted"
        hb = await cp.call(call.Heartbeat())
        assert hb.current_time.endswith("Z")

    row = await db.sql("select vendor, model, charge_point_serial_number, firmware_version, iccid, "
                       "imsi, meter_type, meter_serial_number from cs.station where identity = 'CP1'")
    assert row == "Acme|Fast-22|SN-1|1.2.3|8931|2620|Eastron|M-9"
    assert await db.sql("select evse_id || '/' || connector_id || '=' || status from cs.connector "
                        "order by 1") == "0/0=Available\n1/1=Preparing"
    assert await db.sql("select count(*) from cs.status_notification") == "3"
    assert await db.sql(f"select meter_start, meter_stop, stop_reason, stop_id_tag from cs.transaction "
                        f"where id = {tx}") == "1000|2500|Local|TAG-1"
    assert await db.sql(f"select measurand || ':' || numeric_value || unit || ':' || coalesce(phase, '') "
                        f"from cs.meter_value where transaction_id = {tx} order by id") == (
        "Energy.Active.Import.Register:1500Wh:\nPower.Active.Import:7400.5W:\n"
        "Voltage:230.1V:L1-N\nEnergy.Active.Import.Register:2500Wh:")

    # Every frame in the message log: 9 CALLs in, 9 replies out, plus connect and disconnect.
    async def logged():
        n = await db.sql("select count(*) from cs.message_log where identity = 'CP1'")
        return n == "20" and n
    await wait_for(logged)
    assert await db.sql("select direction || ' ' || message_type || ' ' || action from cs.message_log "
                        "where identity = 'CP1' and action = 'StartTransaction' order by id") == \
        "in 2 StartTransaction\nout 3 StartTransaction"
    latency = await db.sql("select latency_ms from cs.message_log where direction = 'out' "
                           "and action = 'Heartbeat'")
    assert float(latency) > 0


async def test_chargepointlist_shows_the_connection(server, db):
    async with station(server.url, "CP7") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        await cp.call(call.StatusNotification(connector_id=2, error_code="NoError",
                                              status="Charging"))
        stations = json.loads(await db.sql("select ocpp.chargepointlist()"))
        cp7 = next(s for s in stations if s["identity"] == "CP7")
        assert cp7["connected"] is True and cp7["version"] == "1.6"
        assert cp7["node"] == server.config.node
        assert cp7["boot"]["chargePointVendor"] == "V"
        assert [(c["connectorId"], c["status"]) for c in cp7["connectors"]] == [(1, "Charging")] \
            or [(c["evseId"], c["status"]) for c in cp7["connectors"]] == [(2, "Charging")]

    async def disconnected():
        s = json.loads(await db.sql("select ocpp.chargepointlist()"))
        return not next(x for x in s if x["identity"] == "CP7")["connected"]
    await wait_for(disconnected)


async def test_account_segment_is_passed_to_sql(server, db):
    async with station(server.url, "ACME/CP%2F9") as cp:
        await cp.call(call.Heartbeat())
    assert await db.sql("select account from cs.station where identity = 'CP/9'") == "ACME"


async def test_reconnect_without_boot_is_served(server, db):
    async with station(server.url, "CP2") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
    async with station(server.url, "CP2") as cp:  # a reconnect that skips BootNotification
        result = await cp.call(call.StatusNotification(connector_id=1, error_code="NoError",
                                                       status="Available"))
        assert result is not None
    assert await db.sql("select status from cs.connector c join cs.station s on s.id = c.station_id "
                        "where s.identity = 'CP2'") == "Available"


async def test_retried_start_transaction_returns_the_same_id(server, db):
    stamp = now()
    async with station(server.url, "CP3") as cp:
        first = await cp.call(call.StartTransaction(connector_id=1, id_tag="T", meter_start=5,
                                                    timestamp=stamp))
        second = await cp.call(call.StartTransaction(connector_id=1, id_tag="T", meter_start=5,
                                                     timestamp=stamp))
    assert first.transaction_id == second.transaction_id
    assert await db.sql("select count(*) from cs.transaction") == "1"


async def test_unknown_transaction_stop_is_acknowledged_and_kept_for_review(server, db):
    async with station(server.url, "CP4") as cp:
        result = await cp.call(call.StopTransaction(transaction_id=987654, meter_stop=10,
                                                    timestamp=now()))
        assert result is not None
    assert await db.sql("select action from cs.review") == "StopTransaction"
