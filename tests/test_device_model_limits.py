"""Device-model limits, N10.FR.02 and the Pending policy end to end, with the `ocpp` package's v201
ChargePoint as the independent station: a station that reports ItemsPerMessage 2 receives a GetVariables
of 5 items as 3 CALLs and the caller's command holds the 5 results; SetVariableMonitoring likewise; a
cleared customer's token leaves the station's local list by a differential SendLocalList; a Pending
station under station.pending_policy strict gets SecurityError for what nobody asked, tolerant answers."""
from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
import websockets
from ocpp.exceptions import SecurityError
from ocpp.routing import on
from ocpp.v201 import ChargePoint
from ocpp.v201 import call
from ocpp.v201 import call_result

from conftest import wait_for
from test_station_flow import now


@pytest.fixture(scope="module")
def shared_server_config(shared_server_config):
    shared_server_config.ocpp.versions = ["2.0.1", "1.6"]
    return shared_server_config


class Station(ChargePoint):
    """Answers what the central system asks and keeps every request it received, in order."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.requests: list[tuple[str, dict]] = []

    @on("GetBaseReport")
    async def on_base_report(self, request_id, report_base, **kw):
        async def report():
            await self.call(call.NotifyReport(request_id=request_id, generated_at=now(), seq_no=0, tbc=False,
                                              report_data=[
                {"component": {"name": "DeviceDataCtrlr"},
                 "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"},
                 "variableAttribute": [{"type": "Actual", "value": "2", "mutability": "ReadOnly"}]},
                {"component": {"name": "MonitoringCtrlr"},
                 "variable": {"name": "ItemsPerMessage", "instance": "SetVariableMonitoring"},
                 "variableAttribute": [{"type": "Actual", "value": "2", "mutability": "ReadOnly"}]}]))
        asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(report()))
        return call_result.GetBaseReport(status="Accepted")

    @on("GetVariables")
    async def on_get_variables(self, get_variable_data, **kw):
        self.requests.append(("GetVariables", {"items": get_variable_data}))
        return call_result.GetVariables(get_variable_result=[
            {"attribute_status": "Accepted", "attribute_value": f"value-{d['variable']['name']}",
             "component": d["component"], "variable": d["variable"]} for d in get_variable_data])

    @on("SetVariableMonitoring")
    async def on_set_monitoring(self, set_monitoring_data, **kw):
        self.requests.append(("SetVariableMonitoring", {"items": set_monitoring_data}))
        return call_result.SetVariableMonitoring(set_monitoring_result=[
            {"id": int(d["value"]), "status": "Accepted", "type": d["type"], "severity": d["severity"],
             "component": d["component"], "variable": d["variable"]} for d in set_monitoring_data])

    @on("SendLocalList")
    async def on_send_local_list(self, version_number, update_type, local_authorization_list=None, **kw):
        self.requests.append(("SendLocalList", {"version": version_number, "update": update_type,
                                                "list": local_authorization_list or []}))
        return call_result.SendLocalList(status="Accepted")

    @on("CustomerInformation")
    async def on_customer_information(self, request_id, report, clear, **kw):
        self.requests.append(("CustomerInformation", {"clear": clear, **kw}))
        return call_result.CustomerInformation(status="Accepted")

    @on("TriggerMessage")
    async def on_trigger(self, requested_message, **kw):
        self.requests.append(("TriggerMessage", {"requested_message": requested_message}))
        return call_result.TriggerMessage(status="Accepted")

    def received(self, action: str) -> list[dict]:
        return [r for a, r in self.requests if a == action]


@contextlib.asynccontextmanager
async def station(url: str, identity: str, expect: str = "Accepted"):
    async with websockets.connect(f"{url}/{identity}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = Station(identity, ws)
        task = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(call.BootNotification(
                charging_station={"model": "M-2", "vendorName": "Acme"}, reason="PowerUp"))
            assert boot.status == expect
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def final(db, cid: int, timeout: float = 15) -> dict:
    async def done():
        c = json.loads(await db.sql(f"select ocpp.command({cid})"))
        return c if c["status"] not in ("queued", "sent") else None
    return await wait_for(done, timeout)


async def send(db, identity: str, action: str, payload: dict) -> int:
    text = json.dumps(payload).replace("'", "''")
    return int(await db.sql(f"select ocpp.send('{identity}', '{action}', '{text}')"))


async def reported_limits(db, identity: str) -> None:
    """Asks for the base report and waits until the station's limits are stored."""
    await final(db, await send(db, identity, "GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}))

    async def stored():
        return await db.sql(f"select cs.device_limit(cs.station_id('{identity}'), 'MonitoringCtrlr', "
                            "'ItemsPerMessage', 'SetVariableMonitoring')") == "2"
    await wait_for(stored)


async def test_get_variables_of_5_items_go_as_3_calls(shared_server, shared_db):
    async with station(shared_server.url, "DML-1") as cp:
        await reported_limits(shared_db, "DML-1")
        data = [{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": f"V{i}"}} for i in range(1, 6)]
        command = await final(shared_db, await send(shared_db, "DML-1", "GetVariables", {"getVariableData": data}))

        assert [len(r["items"]) for r in cp.received("GetVariables")] == [2, 2, 1]
        assert command["status"] == "answered" and command["parts"] == 3
        results = command["response"]["getVariableResult"]
        assert [r["attributeValue"] for r in results] == [f"value-V{i}" for i in range(1, 6)]
        parts = json.loads(await shared_db.sql(
            f"select json_agg(status order by id) from cs.command where parent_id = {command['id']}"))
        assert parts == ["answered"] * 3


async def test_set_variable_monitoring_is_split_too(shared_server, shared_db):
    async with station(shared_server.url, "DML-2") as cp:
        await reported_limits(shared_db, "DML-2")
        data = [{"value": i, "type": "UpperThreshold", "severity": 5, "component": {"name": "EVSE"},
                 "variable": {"name": "Power"}} for i in range(11, 16)]
        command = await final(shared_db, await send(shared_db, "DML-2", "SetVariableMonitoring",
                                                    {"setMonitoringData": data}))

        assert [len(r["items"]) for r in cp.received("SetVariableMonitoring")] == [2, 2, 1]
        assert command["status"] == "answered"
        assert [r["id"] for r in command["response"]["setMonitoringResult"]] == list(range(11, 16))
        assert await shared_db.sql("select count(*) from cs.variable_monitor "
                                   "where station_id = cs.station_id('DML-2')") == "5"


async def test_customer_clear_removes_the_token_from_the_local_list(shared_server, shared_db):
    await shared_db.sql("select ocpp.set_id_tag('CLEAR-ME')")
    async with station(shared_server.url, "DML-3") as cp:
        full = int(await shared_db.sql("select ocpp.send_local_list('DML-3', 'Full', '{CLEAR-ME}')"))
        assert (await final(shared_db, full))["status"] == "answered"
        clear = await send(shared_db, "DML-3", "CustomerInformation", {
            "requestId": 9, "report": False, "clear": True,
            "idToken": {"idToken": "CLEAR-ME", "type": "ISO14443"}})
        assert (await final(shared_db, clear))["status"] == "answered"

        async def removed():
            return await shared_db.sql("select count(*) from cs.local_list_entry "
                                       "where station_id = cs.station_id('DML-3')") == "0"
        await wait_for(removed)
        lists = cp.received("SendLocalList")
        assert len(lists) == 2
        assert lists[1] == {"version": lists[0]["version"] + 1, "update": "Differential",
                            "list": [{"id_token": {"id_token": "CLEAR-ME", "type": "ISO14443"}}]}


async def test_pending_station_strict_and_tolerant(shared_server, shared_db):
    await shared_db.sql("select ocpp.add_station('DML-P', 'Pending')")
    async with station(shared_server.url, "DML-P", expect="Pending") as cp:
        heartbeat = await cp.call(call.Heartbeat())
        assert heartbeat.current_time.endswith("Z")  # tolerant, the default

        await shared_db.sql("select ocpp.set_setting('station.pending_policy', '\"strict\"')")
        try:
            with pytest.raises(SecurityError):
                await cp.call(call.Heartbeat(), suppress=False)
            status = call.StatusNotification(timestamp=now(), connector_status="Available", evse_id=1,
                                             connector_id=1)
            with pytest.raises(SecurityError):
                await cp.call(status, suppress=False)

            trigger = await send(shared_db, "DML-P", "TriggerMessage", {"requestedMessage": "StatusNotification"})
            assert (await final(shared_db, trigger))["status"] == "answered"
            assert await cp.call(status, suppress=False) is not None  # triggered: answered
            with pytest.raises(SecurityError):
                await cp.call(call.Heartbeat(), suppress=False)
        finally:
            await shared_db.sql("select ocpp.set_setting('station.pending_policy', '\"tolerant\"')")
        assert (await cp.call(call.Heartbeat(), suppress=False)).current_time.endswith("Z")
