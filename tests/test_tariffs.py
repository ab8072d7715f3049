"""Tariffs and cost end to end (docs/tariffs.md) with independent stations, the `ocpp` package's
ChargePoints: totalCost on a 2.0.1 Ended event and CostUpdated during the transaction (v201), a stored
tariff sent to a 2.1 station (v21, SetDefaultTariff), the stored cost of a 1.6 transaction in the REST
API with the California Pricing FinalCost message to a station that announces it and its RunningCost
messages during the transaction (v16), the REST
tariff resources and their errors, and the cost on the web UI's transaction page."""
from __future__ import annotations

import asyncio
import contextlib
import json

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21

from browser import expect
from conftest import wait_for
from test_api import Api, token
from test_station_flow import now
from test_webui import chromium, operator, ui  # noqa: F401 (fixtures)


class Station201(ChargePoint201):
    """A 2.0.1 station that keeps the CostUpdated messages it receives."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.costs: list[dict] = []
        self.seq = -1

    @on("CostUpdated")
    async def on_cost_updated(self, total_cost, transaction_id, **kw):
        self.costs.append({"totalCost": total_cost, "transactionId": transaction_id})
        return result201.CostUpdated()

    async def event(self, event_type: str, trigger: str, wh: int, **extra):
        self.seq += 1
        return await self.call(call201.TransactionEvent(
            event_type=event_type, timestamp=now(), trigger_reason=trigger, seq_no=self.seq,
            transaction_info={"transactionId": "TX-COST"},
            meter_value=[{"timestamp": now(), "sampledValue": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}], **extra))


class Station16(ChargePoint16):
    """A 1.6 station that announces California Pricing (or not) and keeps the DataTransfers."""

    def __init__(self, *a, california: bool = True, **kw):
        super().__init__(*a, **kw)
        self.california = california
        self.transfers: list[dict] = []

    @on("GetConfiguration")
    async def on_get_configuration(self, key=None, **kw):
        return result16.GetConfiguration(configuration_key=[
            {"key": "CustomDisplayCostAndPrice", "readonly": True, "value": str(self.california).lower()}])

    @on("DataTransfer")
    async def on_data_transfer(self, vendor_id, message_id=None, data=None, **kw):
        self.transfers.append({"vendorId": vendor_id, "messageId": message_id, "data": data})
        return result16.DataTransfer(status="Accepted")


class Station21(ChargePoint21):
    """A 2.1 station that accepts the default tariffs it is sent and keeps them."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.tariffs: list[dict] = []

    @on("SetDefaultTariff")
    async def on_set_default_tariff(self, evse_id, tariff, **kw):
        self.tariffs.append({"evseId": evse_id, "tariff": tariff})
        return result21.SetDefaultTariff(status="Accepted")


@contextlib.asynccontextmanager
async def connected(url: str, identity: str, cls, version: str, **kw):
    async with websockets.connect(f"{url}/{identity}", subprotocols=[f"ocpp{version}"]) as ws:
        cp = cls(identity, ws, **kw)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def having(items: list):
    """An async predicate for wait_for: items is not empty."""
    async def check():
        return bool(items)
    return check


async def answered(db, cid: int) -> None:
    async def done():
        return json.loads(await db.sql(f"select ocpp.command({cid})"))["status"] == "answered"
    await wait_for(done)


async def price(db) -> None:
    """0.30 per kWh and a 1.00 fee, no time price, no VAT: the cost does not depend on the clock."""
    await db.sql("select ocpp.set_tariff('STD', 'EUR', 0.30, session_fee => 1.00)")
    await db.sql("select ocpp.assign_tariff('STD')")


async def test_v201_total_cost_on_ended_and_cost_updated_while_charging(server, db):
    await price(db)
    await db.sql("select ocpp.set_setting('tariff.cost_updated_interval', '1')")
    async with connected(server.url, "TAR201", Station201, "2.0.1") as cp:
        boot = await cp.call(call201.BootNotification(
            charging_station={"model": "M", "vendorName": "V"}, reason="PowerUp"))
        assert boot.status == "Accepted"
        started = await cp.event("Started", "Authorized", 0, evse={"id": 1, "connectorId": 1},
                                 id_token={"idToken": "TOK-1", "type": "ISO14443"})
        assert started.total_cost is None
        await asyncio.sleep(1.1)   # the interval counts from the start
        updated = await cp.event("Updated", "MeterValuePeriodic", 5000)
        assert updated.total_cost is None    # 2.0.1: totalCost only when the transaction ended
        await wait_for(having(cp.costs))
        assert cp.costs == [{"totalCost": 2.5, "transactionId": "TX-COST"}]   # 5 kWh + fee
        ended = await cp.event("Ended", "EVDeparted", 10000)
        assert ended.total_cost == 4.0
    listed = json.loads(await db.sql("select ocpp.transactionlist('TAR201', 1)"))[0]
    assert {k: listed["cost"][k] for k in ("total", "currency", "energy", "time", "fee", "vat", "final")} \
        == {"total": 4.0, "currency": "EUR", "energy": 3.0, "time": 0, "fee": 1.0, "vat": 0, "final": True}


async def test_v21_station_gets_a_stored_tariff(server, db):
    await db.sql("select ocpp.set_tariff('NIGHT', 'EUR', 0.40, session_fee => 0.5, vat_percent => 10, "
                 "periods => '[{\"start\": \"22:00\", \"end\": \"06:00\", \"energyPrice\": 0.2}]')")
    async with connected(server.url, "TAR21", Station21, "2.1") as cp:
        boot = await cp.call(call21.BootNotification(
            charging_station={"model": "M", "vendorName": "V"}, reason="PowerUp"))
        assert boot.status == "Accepted"
        await answered(db, int(await db.sql("select ocpp.set_default_tariff('TAR21', 'NIGHT', 1)")))
    [sent] = cp.tariffs
    # the ocpp package hands the payload over in snake_case
    assert sent["evseId"] == 1 and sent["tariff"]["tariff_id"] == "NIGHT"
    assert [p["price_kwh"] for p in sent["tariff"]["energy"]["prices"]] == [0.2, 0.4]
    assert sent["tariff"]["energy"]["prices"][0]["conditions"] == {"start_time_of_day": "22:00",
                                                                    "end_time_of_day": "06:00"}
    assert sent["tariff"]["fixed_fee"]["prices"] == [{"price_fixed": 0.5}]
    assert await db.sql("select string_agg(evse_id || ':' || tariff_id, ',') from cs.station_tariff") == "1:NIGHT"


async def v16_session(server, db, identity: str, california: bool, wh: int = 10000):
    """Boots, reports its configuration, charges wh and stops; returns (station, transactionId)."""
    async with connected(server.url, identity, Station16, "1.6", california=california) as cp:
        await cp.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        await answered(db, int(await db.sql(f"select ocpp.get_configuration('{identity}')")))
        start = await cp.call(call16.StartTransaction(connector_id=1, id_tag="TOK-16", meter_start=0,
                                                      timestamp=now()))
        await cp.call(call16.StopTransaction(meter_stop=wh, timestamp=now(),
                                             transaction_id=start.transaction_id))
        if california:
            await wait_for(having(cp.transfers))
        else:
            # a command queued with the stop would be sent at once: a round trip later none came
            await answered(db, int(await db.sql(f"select ocpp.get_configuration('{identity}')")))
        return cp, start.transaction_id


async def test_v16_cost_in_the_rest_api_and_california_pricing(server, db):
    api = Api(server, token(db))
    status, tariff = await api.post("/api/v1/tariffs", {"id": "STD", "currency": "EUR", "energyPrice": 0.3,
                                                        "sessionFee": 1, "vatPercent": 20,
                                                        "periods": [{"start": "22:00", "end": "06:00",
                                                                     "energyPrice": 0.3}]})
    assert status == 201 and tariff["periods"][0]["days"] is None
    status, assignment = await api.post("/api/v1/tariff-assignments", {"tariffId": "STD"})
    assert status == 201 and assignment["identity"] is None

    cp, tx = await v16_session(server, db, "TAR16", california=True)
    status, body = await api.get(f"/api/v1/transactions/{tx}")
    assert status == 200
    assert {k: body["cost"][k] for k in ("total", "currency", "energy", "fee", "vat", "final")} \
        == {"total": 4.8, "currency": "EUR", "energy": 3.0, "fee": 1.0, "vat": 0.8, "final": True}
    assert [(t["vendorId"], t["messageId"]) for t in cp.transfers] \
        == [("org.openchargealliance.costmsg", "FinalCost")]
    data = json.loads(cp.transfers[0]["data"])
    assert data["transactionId"] == tx and data["cost"] == 4.8 and "EUR" in data["priceText"]

    quiet, _ = await v16_session(server, db, "TAR16-B", california=False)
    assert quiet.transfers == []

    # a price change, then a recompute through the API
    status, body, _ = await api.request("PUT", "/api/v1/tariffs/STD", json={"vatPercent": 0})
    assert status == 200 and body["energyPrice"] == 0.3 and body["vatPercent"] == 0
    status, cost = await api.post(f"/api/v1/transactions/{tx}/cost")
    assert status == 200 and cost["total"] == 4.0


async def test_v16_california_pricing_running_cost_during_a_transaction(server, db):
    await price(db)
    await db.sql("select ocpp.set_setting('tariff.cost_updated_interval', '1')")
    async with connected(server.url, "TAR16-RC", Station16, "1.6", california=True) as cp:
        await cp.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        await answered(db, int(await db.sql("select ocpp.get_configuration('TAR16-RC')")))
        start = await cp.call(call16.StartTransaction(connector_id=1, id_tag="TOK-16", meter_start=0,
                                                      timestamp=now()))
        await asyncio.sleep(1.1)   # the interval counts from the start
        await cp.call(call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=[
            {"timestamp": now(), "sampledValue": [{"value": "5000", "measurand": "Energy.Active.Import.Register",
                                                   "unit": "Wh"}]}]))
        await wait_for(having(cp.transfers))
        assert [(t["vendorId"], t["messageId"]) for t in cp.transfers] \
            == [("org.openchargealliance.costmsg", "RunningCost")]
        data = json.loads(cp.transfers[0]["data"])
        assert {k: data[k] for k in ("transactionId", "meterValue", "cost", "state")} \
            == {"transactionId": start.transaction_id, "meterValue": 5000, "cost": 2.5, "state": "Charging"}
        assert data["chargingPrice"] == {"kWhPrice": 0.3, "hourPrice": 0, "flatFee": 1.0}
        await cp.call(call16.StopTransaction(meter_stop=10000, timestamp=now(),
                                             transaction_id=start.transaction_id))
        await wait_for(lambda: _at_least(cp.transfers, 2))
        assert [t["messageId"] for t in cp.transfers] == ["RunningCost", "FinalCost"]
        assert json.loads(cp.transfers[1]["data"])["cost"] == 4.0


async def _at_least(items: list, n: int) -> bool:
    return len(items) >= n


async def test_rest_tariff_resources_and_their_errors(server, db):
    api = Api(server, token(db))
    assert (await api.post("/api/v1/tariffs", {"id": "BAD", "currency": "euro"}))[0] == 400
    assert (await api.post("/api/v1/tariffs", {"currency": "EUR"}))[0] == 400
    assert (await api.post("/api/v1/tariffs", {"id": "P", "currency": "EUR",
                                               "periods": [{"start": "25:00", "end": "01:00"}]}))[0] == 400
    assert (await api.get("/api/v1/tariffs/NOPE"))[0] == 404
    assert (await api.request("PUT", "/api/v1/tariffs/NOPE", json={"energyPrice": 1}))[0] == 404
    assert (await api.request("DELETE", "/api/v1/tariffs/NOPE"))[0] == 404
    assert (await api.post("/api/v1/tariff-assignments", {"tariffId": "NOPE"}))[0] == 404
    assert (await api.request("DELETE", "/api/v1/tariff-assignments/999"))[0] == 404
    assert (await api.post("/api/v1/transactions/999999/cost"))[0] == 404

    assert (await api.post("/api/v1/tariffs", {"id": "T1", "currency": "CHF", "energyPrice": 0.5}))[0] == 201
    status, a = await api.post("/api/v1/tariff-assignments", {"tariffId": "T1", "idTokenGroup": "FLEET"})
    assert status == 201 and a["idTokenGroup"] == "FLEET"
    status, listed = await api.get("/api/v1/tariffs")
    assert status == 200 and [(t["id"], [x["id"] for x in t["assignments"]]) for t in listed] == [("T1", [a["id"]])]
    assert (await api.get("/api/v1/tariff-assignments"))[1] == [a]
    assert (await api.request("DELETE", f"/api/v1/tariff-assignments/{a['id']}"))[0] == 204
    assert (await api.request("DELETE", "/api/v1/tariffs/T1"))[0] == 204
    assert await api.get("/api/v1/tariffs") == (200, [])
    # a read token may look but not change
    reader = Api(server, token(db, "read", "reader"))
    assert (await reader.get("/api/v1/tariffs"))[0] == 200
    assert (await reader.post("/api/v1/tariffs", {"id": "R", "currency": "EUR"}))[0] == 403


async def test_the_transaction_page_shows_the_cost(server, db, operator, ui):  # noqa: F811
    await price(db)
    _, tx = await v16_session(server, db, "TARUI", california=False, wh=12000)
    await ui.sign_in(operator)
    await ui.open(f"#/transactions/{tx}")
    await expect(ui.page.locator("#tx-cost")).to_contain_text("4.60 EUR")
    await ui.go("#/transactions")
    await expect(ui.page.locator("#transactions tbody tr").first).to_contain_text("4.60 EUR")
