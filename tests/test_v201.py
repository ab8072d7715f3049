"""OCPP 2.0.1 and 2.1 end to end with independent stations (the `ocpp` package's v201 and v21
ChargePoint): a full session started and stopped from SQL, a device model report, the framework
errors of 2.0.1, 2.1's SEND, and one API and one set of lists for a mixed fleet. The tests share one
server per module (each with station identities of its own), except the one whose local list must hold
only its own id token."""
from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21

from conftest import wait_for
from test_station_flow import now
from test_station_flow import station as station16
from ocpp.v16 import call as call16


VERSIONS = ["2.1", "2.0.1", "1.6"]


@pytest.fixture
def server_config(server_config):
    server_config.ocpp.versions = VERSIONS
    return server_config


@pytest.fixture(scope="module")
def shared_server_config(shared_server_config):
    shared_server_config.ocpp.versions = VERSIONS
    return shared_server_config


def station_class(base, call, call_result):
    """A 2.x station that starts and stops transactions when the CSMS asks, as a real one does."""

    class Station(base):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.seq = 0
            self.tx: dict[str, Any] | None = None
            self.requests: list[tuple[str, dict]] = []

        async def event(self, event_type: str, trigger: str, **extra):
            self.seq += 1
            return await self.call(call.TransactionEvent(
                event_type=event_type, timestamp=now(), trigger_reason=trigger, seq_no=self.seq,
                **extra))

        @on("RequestStartTransaction")
        async def on_start(self, id_token, remote_start_id, evse_id=None, **kw):
            self.requests.append(("RequestStartTransaction", {"remote_start_id": remote_start_id}))
            self.tx = {"id": f"TX-{remote_start_id}", "id_token": id_token,
                       "remote_start_id": remote_start_id, "evse": evse_id or 1}
            asyncio.get_running_loop().call_later(0.1, lambda: asyncio.ensure_future(self.run_tx()))
            return call_result.RequestStartTransaction(status="Accepted")

        async def run_tx(self):
            tx = self.tx
            await self.event("Started", "RemoteStart", id_token=tx["id_token"],
                             evse={"id": tx["evse"], "connectorId": 1},
                             transaction_info={"transactionId": tx["id"], "chargingState": "Charging",
                                               "remoteStartId": tx["remote_start_id"]},
                             meter_value=[{"timestamp": now(), "sampledValue": [
                                 {"value": 1000, "measurand": "Energy.Active.Import.Register"}]}])
            await self.event("Updated", "MeterValuePeriodic",
                             transaction_info={"transactionId": tx["id"], "chargingState": "Charging"},
                             meter_value=[{"timestamp": now(), "sampledValue": [
                                 {"value": 1800, "measurand": "Energy.Active.Import.Register"},
                                 {"value": 7200.5, "measurand": "Power.Active.Import"}]}])

        @on("RequestStopTransaction")
        async def on_stop(self, transaction_id, **kw):
            self.requests.append(("RequestStopTransaction", {"transaction_id": transaction_id}))
            asyncio.get_running_loop().call_later(0.1, lambda: asyncio.ensure_future(self.end_tx()))
            return call_result.RequestStopTransaction(status="Accepted")

        async def end_tx(self):
            tx = self.tx
            await self.event("Ended", "RemoteStop",
                             transaction_info={"transactionId": tx["id"], "chargingState": "Idle",
                                               "stoppedReason": "Remote"},
                             meter_value=[{"timestamp": now(), "sampledValue": [
                                 {"value": 2500, "measurand": "Energy.Active.Import.Register",
                                  "context": "Transaction.End"}]}])

        @on("GetBaseReport")
        async def on_report(self, request_id, report_base, **kw):
            asyncio.get_running_loop().call_later(0.1, lambda: asyncio.ensure_future(
                self.report(request_id)))
            return call_result.GetBaseReport(status="Accepted")

        async def report(self, request_id):
            await self.call(call.NotifyReport(request_id=request_id, generated_at=now(), seq_no=0,
                                              tbc=False, report_data=[
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"},
                 "variableAttribute": [{"type": "Actual", "value": "300", "mutability": "ReadWrite"}],
                 "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": False}},
                {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"},
                 "variableAttribute": [{"type": "MaxSet", "value": "22000", "mutability": "ReadOnly"}],
                 "variableCharacteristics": {"dataType": "decimal", "unit": "W",
                                             "supportsMonitoring": True}},
            ]))

        @on("ReserveNow")
        async def on_reserve(self, id, **kw):
            self.requests.append(("ReserveNow", {"id": id, **kw}))
            return call_result.ReserveNow(status="Accepted")

        @on("SendLocalList")
        async def on_local_list(self, version_number, update_type, **kw):
            self.requests.append(("SendLocalList", {"version_number": version_number, **kw}))
            return call_result.SendLocalList(status="Accepted")

        @on("SetChargingProfile")
        async def on_profile(self, evse_id, charging_profile, **kw):
            self.requests.append(("SetChargingProfile", {"evse_id": evse_id}))
            return call_result.SetChargingProfile(status="Accepted")

        @on("UpdateFirmware")
        async def on_firmware(self, request_id, firmware, **kw):
            self.requests.append(("UpdateFirmware", {"request_id": request_id}))
            async def sequence():
                for status in ("Downloading", "Downloaded", "Installing", "Installed"):
                    await self.call(call.FirmwareStatusNotification(status=status,
                                                                    request_id=request_id))
            asyncio.get_running_loop().call_later(0.1, lambda: asyncio.ensure_future(sequence()))
            return call_result.UpdateFirmware(status="Accepted")

        @on("Reset")
        async def on_reset(self, type, **kw):
            self.requests.append(("Reset", {"type": type}))
            return call_result.Reset(status="Accepted")

    return Station


Station201 = station_class(ChargePoint201, call201, result201)
Station21 = station_class(ChargePoint21, call21, result21)


@contextlib.asynccontextmanager
async def station(url: str, identity: str, version: str):
    cls = Station201 if version == "2.0.1" else Station21
    async with websockets.connect(f"{url}/{identity}", subprotocols=[f"ocpp{version}"]) as ws:
        assert ws.subprotocol == f"ocpp{version}"
        cp = cls(identity, ws)
        task = asyncio.create_task(cp.start())
        try:
            boot = await cp.call((call201 if version == "2.0.1" else call21).BootNotification(
                charging_station={"model": "M-2", "vendorName": "Acme", "serialNumber": "S-1",
                                  "firmwareVersion": "2.0"}, reason="PowerUp"))
            assert boot.status == "Accepted" and boot.current_time.endswith("Z")
            await cp.call((call201 if version == "2.0.1" else call21).StatusNotification(
                timestamp=now(), connector_status="Available", evse_id=1, connector_id=1))
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def final(db, cid: int, timeout: float = 10) -> dict:
    async def done():
        c = json.loads(await db.sql(f"select ocpp.command({cid})"))
        return c if c["status"] not in ("queued", "sent") else None
    return await wait_for(done, timeout)


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_session_started_and_stopped_from_sql(shared_server, shared_db, version):
    identity = "V" + version.replace(".", "")
    async with station(shared_server.url, identity, version) as cp:
        start = int(await shared_db.sql(f"select ocpp.request_start_transaction('{identity}', 'TOKEN-1', "
                                        f"'ISO14443', 1)"))
        assert (await final(shared_db, start))["status"] == "answered"

        async def charging():
            return await shared_db.sql("select count(*) from cs.transaction_event e join cs.transaction t "
                                       "on t.id = e.transaction_id where t.transaction_ref like 'TX-%' "
                                       "and e.event_type = 'Updated' and t.station_id = "
                                       f"(select id from cs.station where identity = '{identity}')") == "1"
        await wait_for(charging)
        ref = cp.tx["id"]
        stop = int(await shared_db.sql(f"select ocpp.request_stop_transaction('{identity}', '{ref}')"))
        assert (await final(shared_db, stop))["status"] == "answered"

        async def ended():
            return await shared_db.sql(f"select stopped_reason from cs.transaction "
                                       f"where transaction_ref = '{ref}'") == "Remote"
        await wait_for(ended)
    row = await shared_db.sql(f"select t.remote_start_command, t.id_tag from cs.transaction t "
                              f"where t.transaction_ref = '{ref}'")
    assert row == f"{start}|TOKEN-1"
    assert await shared_db.sql(f"select string_agg(e.event_type, ',' order by e.seq_no) from cs.transaction_event e "
                   f"join cs.transaction t on t.id = e.transaction_id where t.transaction_ref = '{ref}'") \
        == "Started,Updated,Ended"
    assert await shared_db.sql(f"select string_agg(m.numeric_value::text, ',' order by m.id) from cs.meter_value m "
                   f"join cs.transaction t on t.id = m.transaction_id where t.transaction_ref = '{ref}' "
                   f"and m.measurand = 'Energy.Active.Import.Register'") == "1000,1800,2500"
    assert await shared_db.sql(f"select vendor, model from cs.station where identity = '{identity}'") == "Acme|M-2"


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_base_report_fills_the_device_model(shared_server, shared_db, version):
    identity = "R" + version.replace(".", "")
    async with station(shared_server.url, identity, version):
        cid = int(await shared_db.sql(f"select ocpp.get_base_report('{identity}', 'FullInventory')"))
        assert (await final(shared_db, cid))["status"] == "answered"

        async def stored():
            return await shared_db.sql("select count(*) from cs.device_variable d join cs.station s "
                                       f"on s.id = d.station_id where s.identity = '{identity}'") == "2"
        await wait_for(stored)
    assert await shared_db.sql("select component || '/' || evse_id || '/' || variable || '/' || attribute_type "
                   "|| '=' || value || ' ' || mutability from cs.device_variable d join cs.station s "
                   f"on s.id = d.station_id where s.identity = '{identity}' order by 1") == (
        "EVSE/1/Power/MaxSet=22000 ReadOnly\n"
        "OCPPCommCtrlr/0/HeartbeatInterval/Actual=300 ReadWrite")


async def test_mixed_fleet_one_api_one_list(shared_server, shared_db):
    async with station(shared_server.url, "MIX201", "2.0.1") as cp201, \
            station16(shared_server.url, "MIX16") as cp16:
        await cp16.call(call16.BootNotification(charge_point_vendor="Old", charge_point_model="T"))
        stations = {s["identity"]: s for s in json.loads(await shared_db.sql("select ocpp.chargepointlist()"))}
        assert stations["MIX201"]["version"] == "2.0.1" and stations["MIX16"]["version"] == "1.6"
        assert stations["MIX201"]["connected"] and stations["MIX16"]["connected"]
        assert [(c["evseId"], c["connectorId"], c["status"]) for c in stations["MIX201"]["connectors"]] \
            == [(1, 1, "Available")]
        # the 1.6 words work on the 2.0.1 station: Reset Hard becomes Immediate
        cid = int(await shared_db.sql("select ocpp.reset('MIX201', 'Hard')"))
        c = await final(shared_db, cid)
        assert c["status"] == "answered" and c["action"] == "Reset"
        assert cp201.requests[-1] == ("Reset", {"type": "Immediate"})


async def test_201_framework_errors(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/ERR201", subprotocols=["ocpp2.0.1"]) as ws:
        for frame, code in [
            ('[2,"e1","Heartbeat",{}', "RpcFrameworkError"),
            ('[7,"e2","Heartbeat",{}]', "MessageTypeNotSupported"),
            ('[2,"e3","Heartbeat",[1]]', "FormatViolation"),
            ('[2,"e4","Authorize",{}]', "OccurrenceConstraintViolation"),
            ('[2,"e5","Authorize",{"idToken":{"idToken":"x","type":"Telepathy"}}]',
             "PropertyConstraintViolation"),
            ('[2,"e6","RequestStartTransaction",{"idToken":{"idToken":"x","type":"Central"},'
             '"remoteStartId":1}]', "NotSupported"),
            ('[2,"e7","Teleport",{}]', "NotImplemented"),
        ]:
            await ws.send(frame)
            reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert reply[:3] == [4, frame.split('"')[1], code], frame
        await ws.send('[2,"hb","Heartbeat",{}]')
        assert json.loads(await ws.recv())[0] == 3


async def test_21_send_gets_no_reply_and_is_stored(shared_server, shared_db):
    async with websockets.connect(f"{shared_server.url}/SEND21", subprotocols=["ocpp2.1"]) as ws:
        await ws.send(json.dumps([6, "s1", "NotifyPeriodicEventStream", {
            "id": 1, "pending": 0, "basetime": now(), "data": [{"t": 0.5, "v": "230.1"}]}]))
        await ws.send('[2,"hb","Heartbeat",{}]')
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[:2] == [3, "hb"]  # the first answer on the socket is the Heartbeat's
    async def logged():
        return await shared_db.sql("select count(*) from cs.message_log where message_type = 6 "
                                   "and action = 'NotifyPeriodicEventStream' and error_code is null "
                                   "and identity = 'SEND21'") == "1"
    await wait_for(logged)


def minimal(schema: dict, node: dict | None = None) -> Any:
    """The smallest payload a schema accepts: required fields only, first enum values."""
    node = schema if node is None else node
    if "$ref" in node:
        return minimal(schema, schema["definitions"][node["$ref"].rsplit("/", 1)[1]])
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {k: minimal(schema, node["properties"][k]) for k in node.get("required", [])}
    if kind == "array":
        return [minimal(schema, node["items"]) for _ in range(max(1, node.get("minItems", 1)))]
    if kind == "string":
        return {"date-time": now(), "uri": "https://example.test/x"}.get(node.get("format"), "x")
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return max(1.0, node.get("minimum", 1.0))
    if kind == "boolean":
        return False
    raise AssertionError(f"no minimal value for {node}")


def all_actions(version: str) -> list[str]:
    from ocpp_cs.validation import schemas_for
    return sorted(schemas_for(version).actions)


EVERY_ACTION = [(v, a) for v in ("1.6", "2.0.1", "2.1") for a in all_actions(v)]


@pytest.mark.parametrize("version, action", EVERY_ACTION, ids=[f"{v}-{a}" for v, a in EVERY_ACTION])
async def test_every_message_is_handled_or_refused_exactly(shared_server, shared_db, version, action):
    """Each action of the version's schema set, sent by a station with its smallest valid payload:
    a station message gets a CALLRESULT that passes its schema, a central-system one NotSupported,
    a SEND nothing (and a row in the message log)."""
    from pathlib import Path
    from ocpp_cs.validation import schemas_for
    schemas = schemas_for(version)
    folder = Path(__file__).resolve().parents[1] / "server" / "validation" / "schemas" / version
    path = folder / f"{action}Request.json"
    schema = json.loads((path if path.exists() else folder / f"{action}.json").read_text())
    payload = minimal(schema)
    schemas.check_request(action, payload)  # the generator itself is right
    identity = "ALL" + version.replace(".", "") + "-" + action  # a new station, as on a fresh server
    async with websockets.connect(f"{shared_server.url}/{identity}",
                                  subprotocols=[f"ocpp{version}"]) as ws:
        if action in schemas.send_actions:
            await ws.send(json.dumps([6, "m1", action, payload]))
            async def stored():
                return await shared_db.sql(
                    f"select count(*) from cs.message_log where action = '{action}' "
                    f"and message_type = 6 and error_code is null and identity = '{identity}'") == "1"
            await wait_for(stored)
            return
        await ws.send(json.dumps([2, "m1", action, payload]))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    if action in schemas.station_actions:
        assert reply[0] == 3, reply
        schemas.check_response(action, reply[2])
    else:
        assert reply[:3] == [4, "m1", "NotSupported"], reply


async def test_reservation_local_list_charging_profile_and_firmware_201(server, db):
    await db.sql("select ocpp.set_id_token('CARD-1', 'Accepted', 'ISO14443')")
    async with station(server.url, "OPS201", "2.0.1") as cp:
        reserve = int(await db.sql("select ocpp.reserve_now('OPS201', null, 'CARD-1', "
                                   "now() + interval '1 hour', evse_id => 1, id_token_type => 'ISO14443')"))
        assert (await final(db, reserve))["status"] == "answered"
        local = int(await db.sql("select ocpp.send_local_list('OPS201', 'Full')"))
        assert (await final(db, local))["status"] == "answered"
        profile = {"id": 7, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
                   "chargingProfileKind": "Absolute", "chargingSchedule": [
                       {"id": 1, "chargingRateUnit": "W", "startSchedule": now(),
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.5}]}]}
        charging = int(await db.sql(f"select ocpp.set_charging_profile('OPS201', null, "
                                    f"$j${json.dumps(profile)}$j$::jsonb, evse_id => 1)"))
        assert (await final(db, charging))["status"] == "answered"
        firmware = int(await db.sql("select ocpp.update_firmware('OPS201', 'https://example.test/fw.bin', "
                                    "request_id => 31)"))
        assert (await final(db, firmware))["status"] == "answered"

        async def installed():
            return await db.sql("select status from cs.file_transfer where request_id = 31") == "Installed"
        await wait_for(installed)
        # a reservation the station lets expire
        await cp.call(call201.ReservationStatusUpdate(
            reservation_id=cp.requests[0][1]["id"], reservation_update_status="Expired"))
    assert [a for a, _ in cp.requests] == ["ReserveNow", "SendLocalList", "SetChargingProfile",
                                           "UpdateFirmware"]
    assert await db.sql(f"select status, id_tag from cs.reservation where id = {cp.requests[0][1]['id']}") \
        == "Expired|CARD-1"
    sent = cp.requests[1][1]
    assert sent["version_number"] == int(await db.sql(
        "select l.version from cs.local_list l join cs.station s on s.id = l.station_id "
        "where s.identity = 'OPS201'"))
    assert [e["id_token"]["id_token"] for e in sent["local_authorization_list"]] == ["CARD-1"]
    assert await db.sql("select p.id || ' ' || p.purpose || ' ' || p.status from cs.charging_profile p "
                        "join cs.station s on s.id = p.station_id where s.identity = 'OPS201'") == \
        "7 TxDefaultProfile Installed"
