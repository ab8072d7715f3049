"""Issue 13 ("Hold up in the field") end to end with the `ocpp` package's stations: transactions a
station never stopped are closed by its next BootNotification or an Available connector and no
longer lock the driver out; a 2.0.1 station that repeats a seqNo loses no data; a missing unit is
the measurand's own; the operator's heartbeat interval survives a boot."""
from __future__ import annotations

import pytest
from ocpp.v16 import call
from ocpp.v201 import call as call201

from test_station_flow import now, station
from test_v201 import station as station201


@pytest.fixture
def server_config(server_config):
    server_config.ocpp.versions = ["2.0.1", "1.6"]
    return server_config


async def test_boot_and_available_close_dead_transactions(server, db):
    async with station(server.url, "DEAD-1") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="ZOMBIE", meter_start=1000,
                                                    timestamp=now()))
        await cp.call(call.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=[{
            "timestamp": now(), "sampledValue": [{"value": "1500"}, {"value": "7400", "measurand": "Power.Active.Import"}]}]))
    # the station died without a StopTransaction: the driver is locked out everywhere
    async with station(server.url, "DEAD-2") as other:
        assert (await other.call(call.Authorize(id_tag="ZOMBIE"))).id_tag_info["status"] == "ConcurrentTx"

        async with station(server.url, "DEAD-1") as cp:   # back after a power loss
            boot = await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            assert boot.status == "Accepted"
        assert await db.sql(f"select stop_reason || ' ' || meter_stop || ' ' || closed_by from cs.transaction "
                            f"where id = {start.transaction_id}") == "PowerLoss 1500 BootNotification"
        assert await db.sql("select reason from cs.review where action = 'BootNotification'") == \
            "transaction closed: the station booted"
        assert (await other.call(call.Authorize(id_tag="ZOMBIE"))).id_tag_info["status"] == "Accepted"

        # a StartTransaction answered ConcurrentTx elsewhere, then the connector goes Available
        again = await other.call(call.StartTransaction(connector_id=2, id_tag="ZOMBIE", meter_start=0,
                                                       timestamp=now()))
        await other.call(call.StatusNotification(connector_id=2, error_code="NoError", status="Available",
                                                 timestamp=now()))
        assert await db.sql(f"select stop_reason || ' ' || closed_by from cs.transaction "
                            f"where id = {again.transaction_id}") == "Other StatusNotification"
    # a missing unit is the measurand's own, not Wh for everything
    assert await db.sql("select string_agg(measurand || '=' || unit, ' ' order by id) from cs.meter_value") == \
        "Energy.Active.Import.Register=Wh Power.Active.Import=W"


async def test_201_repeated_seqno_keeps_every_event(server, db):
    async with station201(server.url, "SEQ-1", "2.0.1") as cp:
        info = {"transactionId": "T-SEQ"}
        await cp.call(call201.TransactionEvent(
            event_type="Started", timestamp=now(), trigger_reason="Authorized", seq_no=0, transaction_info=info,
            evse={"id": 1, "connectorId": 1}, id_token={"idToken": "SEQ-TAG", "type": "Central"},
            meter_value=[{"timestamp": now(), "sampledValue": [{"value": 100, "context": "Transaction.Begin"}]}]))
        for n in range(1, 6):   # the station's firmware sends seqNo 1 again and again
            await cp.call(call201.TransactionEvent(
                event_type="Updated", timestamp=now(), trigger_reason="MeterValuePeriodic", seq_no=1,
                transaction_info=info,
                meter_value=[{"timestamp": now(), "sampledValue": [{"value": 100 + n * 10}]}]))
        await cp.call(call201.TransactionEvent(
            event_type="Ended", timestamp=now(), trigger_reason="EVDeparted", seq_no=1,
            transaction_info={**info, "stoppedReason": "EVDisconnected"},
            meter_value=[{"timestamp": now(), "sampledValue": [{"value": 200, "context": "Transaction.End"}]}]))
    assert await db.sql("select count(*) from cs.meter_value m join cs.transaction t on t.id = m.transaction_id "
                        "where t.transaction_ref = 'T-SEQ'") == "7"
    assert await db.sql("select stop_reason || ' ' || meter_stop from cs.transaction "
                        "where transaction_ref = 'T-SEQ'") == "EVDisconnected 200"
    assert await db.sql("select count(*) from cs.review where reason = 'duplicate seqNo with other content'") == "5"


async def test_heartbeat_interval_of_the_station_survives_boot(server, db):
    await db.sql("select ocpp.add_station('HB-16'), ocpp.add_station('HB-201')")
    await db.sql("select ocpp.set_station_heartbeat_interval('HB-16', 900), "
                 "ocpp.set_station_heartbeat_interval('HB-201', 1200)")
    async with station(server.url, "HB-16") as cp:
        boot = await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        assert boot.interval == 900
    async with station201(server.url, "HB-201", "2.0.1") as cp:
        boot = await cp.call(call201.BootNotification(
            charging_station={"model": "M", "vendorName": "V"}, reason="PowerUp"))
        assert boot.interval == 1200
