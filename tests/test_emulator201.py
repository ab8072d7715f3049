"""The emulator's OCPP 2.0.1 stations.

Two halves. Against a tiny central system of this file's own (FakeCsms: it answers what the station
sends, checks every frame both ways against the 2.0.1 schemas, and sends CALLs), the station's
behaviour in detail: boot, statuses, sessions, remote start and stop, the device model, resets,
availability, reservations, profiles, firmware and log sequences, monitoring, offline queueing, and
every CSMS-initiated operation answered within the schema. Against the real server and a real
PostgreSQL (skipped while the server refuses the ocpp2.0.1 subprotocol), the same station end to
end: boot and status in the tables, a scenario session in cs.transaction and cs.meter_value,
commands from SQL, GetBaseReport into cs.device_variable.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from conftest import free_port, start_server, wait_for
from ocpp_cs.config import Config, OcppConfig
from ocpp_emulator import Emulator, StationOptions, load_stations
from ocpp_emulator.run import new_http_session
from ocpp_emulator.scenario import Session, run_sessions
from ocpp_emulator.station201 import CSMS_ACTIONS, Station201
from ocpp_cs.protocol import Call, CallError, CallResult, decode
from ocpp_cs.validation import ValidationError, schemas_for

SCHEMAS = schemas_for("2.0.1")
CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
FAST = dict(step_delay=0.05, reboot_delay=0.1, unplug_delay=0.2, backoff_min=0.1,
            backoff_max=0.5, call_timeout=5.0)
SERVER_SPEAKS_201 = "2.0.1" in OcppConfig().versions
needs_server_201 = pytest.mark.skipif(
    not SERVER_SPEAKS_201, reason="the server does not accept the ocpp2.0.1 subprotocol yet")


def in_seconds(s: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=s)).isoformat().replace("+00:00", "Z")


def token(value: str, kind: str = "ISO14443") -> dict[str, str]:
    return {"idToken": value, "type": kind}


def station_file(folder: Path, name: str = "EM201", **keys: str) -> Path:
    """A 2.0.1 station with two EVSEs: 1 is AC with one connector, 2 is DC with two."""
    values = {"HeartbeatInterval": "300", "MeterValueSampleInterval": "1",
              "AuthorizeRemoteTxRequests": "true", **keys}
    (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / name / "configuration.json").write_text(json.dumps({
        "OcppVersion": "2.0.1", "ChargeBoxIdentity": name, "ChargePointVendor": "TestVendor",
        "ChargePointModel": "TestModel", "ChargePointSerialNumber": f"SN-{name}",
        "ChargePointSoftwareVersion": "9.9", "CentralSystemURL": "ws://127.0.0.1:1/ocpp/",
        "Evses": [{"evseId": 1, "power": 11000, "connectors": [{"connectorId": 1,
                                                                "type": "cType2"}]},
                  {"evseId": 2, "power": 50000, "connectors": [
                      {"connectorId": 1, "type": "cCCS2"}, {"connectorId": 2, "type": "cG105"}]}],
        "ConfigurationKeys": {k: {"value": v, "readonly": False} for k, v in values.items()}}))
    return folder


# Every CSMS-initiated 2.0.1 operation with a valid request (EM201's vendor is TestVendor).
REQUESTS: dict[str, dict[str, Any]] = {
    "CancelReservation": {"reservationId": 991},
    "CertificateSigned": {"certificateChain": CERT,
                          "certificateType": "ChargingStationCertificate"},
    "ChangeAvailability": {"operationalStatus": "Operative"},
    "ClearCache": {},
    "ClearChargingProfile": {"chargingProfileId": 991},
    "ClearDisplayMessage": {"id": 991},
    "ClearVariableMonitoring": {"id": [991]},
    "CostUpdated": {"totalCost": 1.5, "transactionId": "no-such-transaction"},
    "CustomerInformation": {"requestId": 1, "report": True, "clear": False,
                            "idToken": token("CUST-1")},
    "DataTransfer": {"vendorId": "TestVendor", "messageId": "ping", "data": "x"},
    "DeleteCertificate": {"certificateHashData": {
        "hashAlgorithm": "SHA256", "issuerNameHash": "a" * 64, "issuerKeyHash": "b" * 64,
        "serialNumber": "01"}},
    "GetBaseReport": {"requestId": 2, "reportBase": "SummaryInventory"},
    "GetChargingProfiles": {"requestId": 3,
                            "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"}},
    "GetCompositeSchedule": {"duration": 3600, "evseId": 1, "chargingRateUnit": "W"},
    "GetDisplayMessages": {"requestId": 4},
    "GetInstalledCertificateIds": {"certificateType": ["CSMSRootCertificate"]},
    "GetLocalListVersion": {},
    "GetLog": {"logType": "DiagnosticsLog", "requestId": 5,
               "log": {"remoteLocation": "https://example.test/upload"}},
    "GetMonitoringReport": {"requestId": 6},
    "GetReport": {"requestId": 7, "componentCriteria": ["Available"]},
    "GetTransactionStatus": {},
    "GetVariables": {"getVariableData": [{"component": {"name": "OCPPCommCtrlr"},
                                          "variable": {"name": "HeartbeatInterval"}}]},
    "InstallCertificate": {"certificateType": "CSMSRootCertificate", "certificate": CERT},
    "PublishFirmware": {"location": "https://example.test/fw.bin", "checksum": "0" * 32,
                        "requestId": 8},
    "RequestStartTransaction": {"idToken": token("REMOTE-1", "Central"), "remoteStartId": 1,
                                "evseId": 1},
    "RequestStopTransaction": {"transactionId": "no-such-transaction"},
    "ReserveNow": {"id": 1, "expiryDateTime": "2099-01-01T00:00:00Z",
                   "idToken": token("RES-1"), "evseId": 2},
    "Reset": {"type": "OnIdle", "evseId": 2},
    "SendLocalList": {"versionNumber": 1, "updateType": "Full", "localAuthorizationList": [
        {"idToken": token("LOCAL-1"), "idTokenInfo": {"status": "Accepted"}}]},
    "SetChargingProfile": {"evseId": 0, "chargingProfile": {
        "id": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": [{
            "id": 1, "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000}]}]}},
    "SetDisplayMessage": {"message": {"id": 1, "priority": "NormalCycle",
                                      "message": {"format": "UTF8", "content": "Hello"}}},
    "SetMonitoringBase": {"monitoringBase": "All"},
    "SetMonitoringLevel": {"severity": 5},
    "SetNetworkProfile": {"configurationSlot": 2, "connectionData": {
        "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": "wss://csms.example/ocpp",
        "messageTimeout": 30, "securityProfile": 1, "ocppInterface": "Wired0"}},
    "SetVariableMonitoring": {"setMonitoringData": [{
        "value": 1, "type": "Delta", "severity": 5,
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "AvailabilityState"}}]},
    "SetVariables": {"setVariableData": [{"attributeValue": "300",
                                          "component": {"name": "OCPPCommCtrlr"},
                                          "variable": {"name": "HeartbeatInterval"}}]},
    "TriggerMessage": {"requestedMessage": "Heartbeat"},
    "UnlockConnector": {"evseId": 1, "connectorId": 1},
    "UnpublishFirmware": {"checksum": "0" * 32},
    "UpdateFirmware": {"requestId": 9, "firmware": {
        "location": "https://fail.example.test/fw.bin",
        "retrieveDateTime": "2020-01-01T00:00:00Z"}},
}


# ---------------------------------------------------------------------------------------- fake CSMS
class FakeCsms:
    """A tiny OCPP 2.0.1 central system: answers what the station sends, records it, sends CALLs.
    Every frame is checked against the 2.0.1 schemas in both directions."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[str] = []
        self.boot_answers: list[dict[str, Any]] = []     # answers to the next boots, then Accepted
        self.token_status: dict[str, str] = {}           # idToken → status (default Accepted)
        self.accepting = True                            # False: handshakes get HTTP 503
        self.ws: web.WebSocketResponse | None = None
        self.connected = asyncio.Event()
        self._pending: dict[str, asyncio.Future] = {}
        self._ids = itertools.count(1)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.accepting:
            return web.Response(status=503)
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",))
        await ws.prepare(request)
        self.ws = ws
        self.connected.set()
        async for msg in ws:
            message = decode(msg.data)
            if isinstance(message, Call):
                self._check(SCHEMAS.check_request, message.action, message.payload, "station sent")
                self.messages.append((message.action, message.payload))
                answer = self.reply(message.action, message.payload)
                self._check(SCHEMAS.check_response, message.action, answer, "we answered")
                await ws.send_str(json.dumps([3, message.unique_id, answer]))
            else:
                future = self._pending.pop(message.unique_id, None)
                if future is not None and not future.done():
                    future.set_result(message)
        if self.ws is ws:
            self.ws = None
            self.connected.clear()
        return ws

    def _check(self, check: Callable, action: str, payload: dict[str, Any], who: str) -> None:
        try:
            check(action, payload)
        except ValidationError as e:
            self.errors.append(f"{who} {action}: {e.code} {e.description}")

    def reply(self, action: str, p: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        if action == "BootNotification":
            if self.boot_answers:
                return {"currentTime": now, **self.boot_answers.pop(0)}
            return {"currentTime": now, "interval": 300, "status": "Accepted"}
        if action == "Heartbeat":
            return {"currentTime": now}
        if action == "Authorize" or (action == "TransactionEvent" and "idToken" in p):
            status = self.token_status.get(p["idToken"]["idToken"], "Accepted")
            return {"idTokenInfo": {"status": status}}
        if action in ("SignCertificate", "DataTransfer"):
            return {"status": "Accepted"}
        return {}

    async def call(self, action: str, payload: dict[str, Any],
                   timeout: float = 15.0) -> dict[str, Any] | CallError:
        """Send a CALL and return the answer's payload (or the CallError)."""
        SCHEMAS.check_request(action, payload)
        await asyncio.wait_for(self.connected.wait(), timeout)
        assert self.ws is not None
        uid = f"csms-{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self._pending[uid] = future
        await self.ws.send_str(json.dumps([2, uid, action, payload]))
        answer = await asyncio.wait_for(future, timeout)
        if isinstance(answer, CallError):
            return answer
        assert isinstance(answer, CallResult)
        SCHEMAS.check_response(action, answer.payload)
        return answer.payload

    def sent(self, action: str, where: Callable[[dict[str, Any]], bool] = lambda p: True
             ) -> list[dict[str, Any]]:
        return [p for a, p in self.messages if a == action and where(p)]

    async def wait(self, action: str, where: Callable[[dict[str, Any]], bool] = lambda p: True,
                   count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        async def enough():
            found = self.sent(action, where)
            return found if len(found) >= count else None
        return await wait_for(enough, timeout)

    def mark(self) -> int:
        return len(self.messages)

    def since(self, mark: int) -> list[tuple[str, dict[str, Any]]]:
        return self.messages[mark:]


@pytest_asyncio.fixture
async def csms() -> AsyncIterator[tuple[FakeCsms, str]]:
    fake = FakeCsms()
    app = web.Application()
    app.router.add_get("/ocpp/{identity}", fake.handle)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield fake, f"ws://127.0.0.1:{port}/ocpp/"
    await runner.cleanup()
    assert fake.errors == []


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    session = new_http_session()
    yield session
    await session.close()


async def start_station(url: str, http: aiohttp.ClientSession, folder: Path,
                        **keys: str) -> Station201:
    config = load_stations(station_file(folder, **keys))[0]
    station = Station201(config, http, url=url, options=StationOptions(**FAST))
    station.start()
    return station


@pytest_asyncio.fixture
async def station(csms, http, tmp_path) -> AsyncIterator[Station201]:
    fake, url = csms
    s = await start_station(url, http, tmp_path)
    await asyncio.wait_for(s.booted.wait(), 5)
    await fake.wait("StatusNotification", count=3)
    yield s
    await s.stop()
    assert s.stats.errors == 0, s.stats.last_errors


def events(fake: FakeCsms, since: int = 0, evse: int | None = None) -> list[dict[str, Any]]:
    return [p for a, p in fake.since(since) if a == "TransactionEvent"
            and (evse is None or p["evse"]["id"] == evse)]


def measured(event: dict[str, Any], measurand: str) -> list[float]:
    return [v["value"] for mv in event.get("meterValue", []) for v in mv["sampledValue"]
            if v.get("measurand") == measurand]


async def remote_start(fake: FakeCsms, evse: int, tag: str = "REMOTE-1",
                       remote_start_id: int = 7) -> str:
    mark = fake.mark()
    answer = await fake.call("RequestStartTransaction", {
        "idToken": token(tag, "Central"), "remoteStartId": remote_start_id, "evseId": evse})
    assert answer["status"] == "Accepted"

    async def charging():
        return [e for e in events(fake, mark, evse) if e["transactionInfo"].get("chargingState")
                == "Charging"]
    found = await wait_for(charging, 15)
    return found[0]["transactionInfo"]["transactionId"]


# --------------------------------------------------------------------------------------------- boot
async def test_boot_retried_while_pending_and_status_of_every_connector(csms, http, tmp_path):
    fake, url = csms
    fake.boot_answers = [{"interval": 1, "status": "Pending"},
                         {"interval": 30, "status": "Pending"}]
    s = await start_station(url, http, tmp_path)
    try:
        boots = await fake.wait("BootNotification", count=2)
        assert boots[0] == {"chargingStation": {"model": "TestModel", "vendorName": "TestVendor",
                                                "serialNumber": "SN-EM201",
                                                "firmwareVersion": "9.9"}, "reason": "PowerUp"}
        assert not s.booted.is_set()
        # While Pending the CSMS may ask things, and a TriggerMessage brings the boot forward.
        assert (await fake.call("GetVariables", REQUESTS["GetVariables"]))[
            "getVariableResult"][0]["attributeStatus"] == "Accepted"
        assert await fake.call("TriggerMessage", {"requestedMessage": "BootNotification"}) == \
            {"status": "Accepted"}
        await asyncio.wait_for(s.booted.wait(), 5)
        assert fake.sent("BootNotification")[-1]["reason"] == "Triggered"
        statuses = await fake.wait("StatusNotification", count=3)
        assert sorted((p["evseId"], p["connectorId"], p["connectorStatus"]) for p in statuses) == [
            (1, 1, "Available"), (2, 1, "Available"), (2, 2, "Available")]
        # Once Accepted, a triggered BootNotification is refused (F06.FR.17).
        assert await fake.call("TriggerMessage", {"requestedMessage": "BootNotification"}) == \
            {"status": "Rejected"}
        assert s.heartbeat == 300
    finally:
        await s.stop()


async def test_heartbeat_interval_from_boot_and_from_set_variables(station, csms):
    fake, _ = csms
    assert await fake.call("SetVariables", {"setVariableData": [{
        "attributeValue": "1", "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"}}]}) == {"setVariableResult": [{
            "attributeType": "Actual", "attributeStatus": "Accepted",
            "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]}
    assert station.heartbeat == 1
    await fake.wait("Heartbeat", count=1, timeout=3)


# ----------------------------------------------------------------------------------------- sessions
async def test_session_from_a_scenario(station, csms):
    fake, _ = csms
    mark = fake.mark()
    results = await run_sessions({"EM201": station}, [Session("EM201", 2, "SCEN-1", 2.5)],
                                 pause=0.1)
    assert [r.error for r in results] == [None]
    tx = results[0].transaction_id
    assert isinstance(tx, str) and results[0].energy > 0
    flow = [(a, p.get("connectorStatus") or p.get("eventType"),
             p.get("triggerReason") or p.get("evseId")) for a, p in fake.since(mark)
            if a in ("StatusNotification", "Authorize", "TransactionEvent")
            and p.get("triggerReason") not in ("MeterValuePeriodic",)]
    assert flow == [
        ("StatusNotification", "Occupied", 2), ("StatusNotification", "Unavailable", 2),
        ("TransactionEvent", "Started", "CablePluggedIn"),
        ("Authorize", None, None),
        ("TransactionEvent", "Updated", "Authorized"),
        ("TransactionEvent", "Ended", "StopAuthorized"),
        ("StatusNotification", "Available", 2), ("StatusNotification", "Available", 2)]
    evs = events(fake, mark)
    assert {e["transactionInfo"]["transactionId"] for e in evs} == {tx}
    assert [e["seqNo"] for e in evs] == list(range(len(evs)))
    started, authorized, ended = evs[0], evs[1], evs[-1]
    assert started["evse"] == {"id": 2, "connectorId": 1}
    assert started["transactionInfo"]["chargingState"] == "EVConnected"
    assert authorized["idToken"] == token("SCEN-1")
    assert authorized["transactionInfo"]["chargingState"] == "Charging"
    assert ended["transactionInfo"]["stoppedReason"] == "Local"
    assert ended["idToken"] == token("SCEN-1")
    periodic = [e for e in evs if e["triggerReason"] == "MeterValuePeriodic"]
    assert len(periodic) >= 1
    sample = {v["measurand"]: v for v in periodic[0]["meterValue"][0]["sampledValue"]}
    assert set(sample) == {"Energy.Active.Import.Register", "Power.Active.Import",
                           "Current.Import", "Voltage", "SoC"}         # SoC: EVSE 2 is DC
    assert sample["Power.Active.Import"]["unitOfMeasure"] == {"unit": "W"}
    assert sample["SoC"]["location"] == "EV"
    energy = [measured(e, "Energy.Active.Import.Register")[0] for e in (started, *periodic, ended)]
    assert energy == sorted(energy) and energy[-1] > energy[0]
    assert ended["meterValue"][0]["sampledValue"][0]["context"] == "Transaction.End"


async def test_remote_start_and_stop(station, csms):
    fake, _ = csms
    mark = fake.mark()
    tx = await remote_start(fake, 1, "REMOTE-1", 7)
    flow = [(a, p.get("triggerReason"), p.get("connectorStatus")) for a, p in fake.since(mark)
            if a in ("Authorize", "TransactionEvent", "StatusNotification")][:4]
    assert flow == [("Authorize", None, None), ("TransactionEvent", "RemoteStart", None),
                    ("StatusNotification", None, "Occupied"),
                    ("TransactionEvent", "CablePluggedIn", None)]
    started = events(fake, mark, 1)[0]
    assert started["eventType"] == "Started"
    assert started["transactionInfo"]["remoteStartId"] == 7
    assert started["idToken"] == token("REMOTE-1", "Central")
    # A second remote start on the same EVSE is refused; the station's own id goes back when a
    # transaction is already there (the EV was plugged in first).
    assert (await fake.call("RequestStartTransaction", REQUESTS["RequestStartTransaction"]))[
        "status"] == "Rejected"
    await station.plug_in(2)
    answer = await fake.call("RequestStartTransaction", {
        "idToken": token("REMOTE-2", "Central"), "remoteStartId": 8, "evseId": 2})
    assert answer == {"status": "Accepted", "transactionId": station.evses[2].transaction_id}
    await fake.wait("TransactionEvent", lambda p: p["triggerReason"] == "RemoteStart"
                    and p["transactionInfo"].get("remoteStartId") == 8)

    mark = fake.mark()
    assert await fake.call("RequestStopTransaction", {"transactionId": tx}) == \
        {"status": "Accepted"}
    ended = (await fake.wait("TransactionEvent", lambda p: p["eventType"] == "Ended"))[0]
    assert (ended["triggerReason"], ended["transactionInfo"]["stoppedReason"]) == \
        ("RemoteStop", "Remote")
    await fake.wait("StatusNotification", lambda p: p["evseId"] == 1
                    and p["connectorStatus"] == "Available")
    assert await fake.call("RequestStopTransaction", {"transactionId": tx}) == \
        {"status": "Rejected"}
    assert (await fake.call("GetTransactionStatus", {"transactionId": tx})) == \
        {"messagesInQueue": False, "ongoingIndicator": False}


async def test_id_token_refused_and_evse_unplugged_mid_transaction(station, csms):
    fake, _ = csms
    fake.token_status["BAD-1"] = "Invalid"
    await station.plug_in(1)
    assert not await station.start_transaction(1, "BAD-1")
    mark = fake.mark()
    await station.unplug(1)
    ended = events(fake, mark)[-1]
    assert (ended["eventType"], ended["triggerReason"], ended["transactionInfo"]["stoppedReason"]
            ) == ("Ended", "EVCommunicationLost", "EVDisconnected")
    assert ended["transactionInfo"]["chargingState"] == "Idle"


async def test_transaction_events_wait_offline_and_go_out_flagged(station, csms):
    fake, _ = csms
    await station.plug_in(1)
    assert await station.start_transaction(1, "OFF-1")
    tx = station.evses[1].transaction_id
    fake.accepting = False
    assert fake.ws is not None
    await fake.ws.close()
    await wait_for(lambda: _false(station.booted.is_set()), 5)
    mark = fake.mark()
    await station.stop_transaction(station.evses[1], "Local", "OFF-1")
    assert station._queue and station._queue[-1]["offline"] is True
    fake.accepting = True
    ended = (await fake.wait("TransactionEvent", lambda p: p.get("offline") is True))[0]
    assert ended["eventType"] == "Ended" and ended["transactionInfo"]["transactionId"] == tx
    assert [a for a, _ in fake.since(mark)][0] == "BootNotification"


async def _false(value: bool) -> bool:
    return not value


# ------------------------------------------------------------------------------------- device model
async def test_base_report_pages_the_device_model(station, csms):
    fake, _ = csms
    assert await fake.call("GetBaseReport", {"requestId": 11, "reportBase": "FullInventory"}) == \
        {"status": "Accepted"}
    reports = await fake.wait("NotifyReport", lambda p: p["requestId"] == 11 and not p["tbc"])
    pages = fake.sent("NotifyReport", lambda p: p["requestId"] == 11)
    assert [p["seqNo"] for p in pages] == list(range(len(pages))) and len(pages) > 1
    assert [p["tbc"] for p in pages] == [True] * (len(pages) - 1) + [False] and reports
    data = [d for p in pages for d in p["reportData"]]
    by_name = {(d["component"]["name"], json.dumps(d["component"].get("evse")),
                d["variable"]["name"], d["variable"].get("instance")): d for d in data}
    assert by_name[("Connector", '{"id": 2, "connectorId": 2}', "ConnectorType", None)][
        "variableAttribute"][0]["value"] == "cG105"
    heartbeat = by_name[("OCPPCommCtrlr", "null", "HeartbeatInterval", None)]
    assert heartbeat["variableAttribute"] == [{"type": "Actual", "mutability": "ReadWrite",
                                               "persistent": True, "constant": False,
                                               "value": "300"}]
    assert heartbeat["variableCharacteristics"]["dataType"] == "integer"
    assert by_name[("SampledDataCtrlr", "null", "TxUpdatedInterval", None)][
        "variableAttribute"][0]["value"] == "1"                 # MeterValueSampleInterval
    assert "value" not in by_name[("SecurityCtrlr", "null", "BasicAuthPassword", None)][
        "variableAttribute"][0]                                  # WriteOnly
    assert by_name[("EVSE", '{"id": 2}', "Power", None)]["variableCharacteristics"][
        "maxLimit"] == 50000
    for name in ("AuthCtrlr", "ChargingStation", "DeviceDataCtrlr", "LocalAuthListCtrlr",
                 "ReservationCtrlr", "SmartChargingCtrlr", "TxCtrlr", "AlignedDataCtrlr"):
        assert any(d["component"]["name"] == name for d in data), name

    assert await fake.call("GetBaseReport", {"requestId": 12,
                                             "reportBase": "ConfigurationInventory"}) == \
        {"status": "Accepted"}
    await fake.wait("NotifyReport", lambda p: p["requestId"] == 12 and not p["tbc"])
    config = [d for p in fake.sent("NotifyReport", lambda p: p["requestId"] == 12)
              for d in p.get("reportData", [])]
    assert config and all(d["variableAttribute"][0]["mutability"] != "ReadOnly" for d in config)

    assert await fake.call("GetReport", {"requestId": 13, "componentVariable": [
        {"component": {"name": "EVSE", "evse": {"id": 2}}, "variable": {"name": "Power"}},
        {"component": {"name": "Connector"}, "variable": {"name": "AvailabilityState"}}]}) == \
        {"status": "Accepted"}
    report = (await fake.wait("NotifyReport", lambda p: p["requestId"] == 13))[0]
    assert sorted((d["component"]["name"], d["variable"]["name"])
                  for d in report["reportData"]) == [
        ("Connector", "AvailabilityState")] * 3 + [("EVSE", "Power")]
    assert await fake.call("GetReport", {"requestId": 14, "componentVariable": [
        {"component": {"name": "NoSuchCtrlr"}}]}) == {"status": "EmptyResultSet"}


async def test_get_and_set_variables(station, csms):
    fake, _ = csms

    def item(component: str, variable: str, value: str | None = None,
             **extra: Any) -> dict[str, Any]:
        d: dict[str, Any] = {"component": {"name": component}, "variable": {"name": variable},
                             **extra}
        if value is not None:
            d["attributeValue"] = value
        return d
    got = (await fake.call("GetVariables", {"getVariableData": [
        item("OCPPCommCtrlr", "HeartbeatInterval"),
        item("NoSuchCtrlr", "HeartbeatInterval"),
        item("OCPPCommCtrlr", "NoSuchVariable"),
        item("SecurityCtrlr", "BasicAuthPassword"),
        item("OCPPCommCtrlr", "HeartbeatInterval", attributeType="MaxSet"),
        {"component": {"name": "Connector", "evse": {"id": 2, "connectorId": 2}},
         "variable": {"name": "ConnectorType"}},
        {"component": {"name": "Connector", "evse": {"id": 3, "connectorId": 1}},
         "variable": {"name": "ConnectorType"}},
        {"component": {"name": "DeviceDataCtrlr"},
         "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"}},
    ]}))["getVariableResult"]
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in got] == [
        ("Accepted", "300"), ("UnknownComponent", None), ("UnknownVariable", None),
        ("Rejected", None), ("NotSupportedAttributeType", None), ("Accepted", "cG105"),
        ("UnknownComponent", None), ("Accepted", "50")]

    set_ = (await fake.call("SetVariables", {"setVariableData": [
        item("SampledDataCtrlr", "TxUpdatedInterval", "abc"),
        item("SampledDataCtrlr", "TxUpdatedInterval", "-1"),
        item("SampledDataCtrlr", "TxUpdatedInterval", "2"),
        item("ChargingStation", "Model", "Other"),
        item("OCPPCommCtrlr", "NetworkConfigurationPriority", "1,0"),
        item("SampledDataCtrlr", "TxUpdatedMeasurands", "Energy.Active.Import.Register,Bogus"),
        item("AuthCtrlr", "LocalPreAuthorize", "TRUE"),
        item("NoSuchCtrlr", "X", "1"),
        item("SecurityCtrlr", "BasicAuthPassword", "a-new-password-0123"),
    ]}))["setVariableResult"]
    assert [r["attributeStatus"] for r in set_] == [
        "Rejected", "Rejected", "Accepted", "Rejected", "RebootRequired", "Rejected", "Accepted",
        "UnknownComponent", "RebootRequired"]
    assert set_[0]["attributeStatusInfo"]["reasonCode"] == "InvalidValue"
    assert set_[3]["attributeStatusInfo"]["reasonCode"] == "ReadOnly"
    assert station.var("SampledDataCtrlr", "TxUpdatedInterval") == "2"
    assert station.flag("AuthCtrlr", "LocalPreAuthorize")
    assert station.var("OCPPCommCtrlr", "NetworkConfigurationPriority") == "0"  # until reboot

    too_many = await fake.call("GetVariables", {"getVariableData": [
        item("OCPPCommCtrlr", "HeartbeatInterval")] * 51})
    assert isinstance(too_many, CallError) and too_many.code == "OccurrenceConstraintViolation"


# ------------------------------------------------------------------------------ reset, availability
async def test_reset_on_idle_is_scheduled_during_a_transaction(station, csms):
    fake, _ = csms
    await remote_start(fake, 1)
    assert await fake.call("Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    await asyncio.sleep(0.3)
    assert len(fake.sent("BootNotification")) == 1
    mark = fake.mark()
    await station.stop_transaction(station.evses[1], "Local")
    boot = (await fake.wait("BootNotification", count=2))[-1]
    assert boot["reason"] == "RemoteReset"
    assert [a for a, _ in fake.since(mark)][:2] == ["TransactionEvent", "BootNotification"]


async def test_reset_immediate_ends_transactions_and_reboots(station, csms):
    fake, _ = csms
    tx = await remote_start(fake, 2)
    assert await fake.call("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    ended = (await fake.wait("TransactionEvent", lambda p: p["eventType"] == "Ended"))[0]
    assert (ended["transactionInfo"]["transactionId"], ended["triggerReason"],
            ended["transactionInfo"]["stoppedReason"]) == (tx, "ResetCommand", "ImmediateReset")
    boot = (await fake.wait("BootNotification", count=2))[-1]
    assert boot["reason"] == "RemoteReset"
    await asyncio.wait_for(station.booted.wait(), 5)
    assert await fake.call("Reset", {"type": "Immediate", "evseId": 9}) == {"status": "Rejected"}


async def test_change_availability_scheduled_during_a_transaction(station, csms):
    fake, _ = csms
    mark = fake.mark()
    assert await fake.call("ChangeAvailability", {"operationalStatus": "Inoperative",
                                                  "evse": {"id": 2}}) == {"status": "Accepted"}
    await fake.wait("StatusNotification", lambda p: p["evseId"] == 2
                    and p["connectorStatus"] == "Unavailable", count=2)
    assert (await fake.call("RequestStartTransaction", {
        "idToken": token("T1", "Central"), "remoteStartId": 1, "evseId": 2}))["status"] == \
        "Rejected"
    assert await fake.call("ChangeAvailability", {"operationalStatus": "Operative"}) == \
        {"status": "Accepted"}
    await fake.wait("StatusNotification", lambda p: p["evseId"] == 2
                    and p["connectorStatus"] == "Available", count=2)
    assert all(p["evseId"] == 2 for a, p in fake.since(mark) if a == "StatusNotification")

    await remote_start(fake, 1)
    assert await fake.call("ChangeAvailability", {"operationalStatus": "Inoperative",
                                                  "evse": {"id": 1}}) == {"status": "Scheduled"}
    assert await fake.call("ChangeAvailability", {"operationalStatus": "Inoperative",
                                                  "evse": {"id": 7}}) == {"status": "Rejected"}
    assert station.evses[1].tx is not None and station.evses[1].operative
    await station.stop_transaction(station.evses[1], "Local")
    await station.unplug(1)
    last = fake.sent("StatusNotification", lambda p: p["evseId"] == 1)[-1]
    assert last["connectorStatus"] == "Unavailable"


async def test_unlock_connector(station, csms):
    fake, _ = csms
    await remote_start(fake, 1)
    assert await fake.call("UnlockConnector", {"evseId": 1, "connectorId": 1}) == \
        {"status": "OngoingAuthorizedTransaction"}
    assert await fake.call("UnlockConnector", {"evseId": 2, "connectorId": 3}) == \
        {"status": "UnknownConnector"}
    await station.plug_in(2, 2)
    assert await fake.call("UnlockConnector", {"evseId": 2, "connectorId": 2}) == \
        {"status": "Unlocked"}
    await fake.wait("TransactionEvent", lambda p: p["evse"]["id"] == 2
                    and p["eventType"] == "Ended")
    await fake.wait("StatusNotification", lambda p: p["evseId"] == 2 and p["connectorId"] == 2
                    and p["connectorStatus"] == "Available")


# ------------------------------------------------------------------------------------- reservations
async def test_reservation_expires_and_is_used(station, csms):
    fake, _ = csms
    assert await fake.call("ReserveNow", {"id": 5, "expiryDateTime": in_seconds(0.5),
                                          "idToken": token("RES-1"), "evseId": 1}) == \
        {"status": "Accepted"}
    await fake.wait("StatusNotification", lambda p: p["evseId"] == 1
                    and p["connectorStatus"] == "Reserved")
    update = (await fake.wait("ReservationStatusUpdate"))[0]
    assert update == {"reservationId": 5, "reservationUpdateStatus": "Expired"}
    await fake.wait("StatusNotification", lambda p: p["evseId"] == 1
                    and p["connectorStatus"] == "Available")

    assert await fake.call("ReserveNow", {"id": 6, "expiryDateTime": in_seconds(60),
                                          "idToken": token("RES-2"), "connectorType": "cG105"}) \
        == {"status": "Accepted"}
    assert station.evses[2].reservation is not None
    assert await fake.call("ReserveNow", {"id": 7, "expiryDateTime": in_seconds(60),
                                          "idToken": token("RES-3"), "evseId": 2}) == \
        {"status": "Occupied"}
    assert not await station.start_transaction(2, "SOMEONE-ELSE")
    assert await station.start_transaction(2, "RES-2")
    started = (await fake.wait("TransactionEvent", lambda p: p["eventType"] == "Started"
                               and p["evse"]["id"] == 2))[0]
    assert started["reservationId"] == 6
    assert await fake.call("CancelReservation", {"reservationId": 6}) == {"status": "Rejected"}
    assert await fake.call("ReserveNow", {"id": 8, "expiryDateTime": in_seconds(60),
                                          "idToken": token("RES-4"), "evseId": 1}) == \
        {"status": "Accepted"}
    assert await fake.call("CancelReservation", {"reservationId": 8}) == {"status": "Accepted"}


# --------------------------------------------------------------------------------------- local list
async def test_local_list_and_cache(station, csms):
    fake, _ = csms
    entry = {"idToken": token("LOCAL-1"), "idTokenInfo": {"status": "Accepted"}}
    assert await fake.call("SendLocalList", {"versionNumber": 3, "updateType": "Full",
                                             "localAuthorizationList": [entry]}) == \
        {"status": "Accepted"}
    assert await fake.call("GetLocalListVersion", {}) == {"versionNumber": 3}
    assert await fake.call("SendLocalList", {"versionNumber": 3, "updateType": "Differential",
                                             "localAuthorizationList": [entry]}) == \
        {"status": "VersionMismatch"}
    await fake.call("SetVariables", {"setVariableData": [{
        "attributeValue": "true", "component": {"name": "AuthCtrlr"},
        "variable": {"name": "LocalPreAuthorize"}}]})
    authorizations = len(fake.sent("Authorize"))
    await station.plug_in(1)
    assert await station.start_transaction(1, "LOCAL-1")
    assert len(fake.sent("Authorize")) == authorizations        # the local list answered
    assert await fake.call("ClearCache", {}) == {"status": "Accepted"}
    assert await fake.call("SendLocalList", {"versionNumber": 4, "updateType": "Differential",
                                             "localAuthorizationList": [
                                                 {"idToken": token("LOCAL-1")}]}) == \
        {"status": "Accepted"}
    assert await fake.call("GetLocalListVersion", {}) == {"versionNumber": 0}   # empty now


# ----------------------------------------------------------------------------------- smart charging
async def test_charging_profiles_limit_the_power(station, csms):
    fake, _ = csms
    tx = await remote_start(fake, 2)
    await asyncio.sleep(0.2)
    assert station.evses[2].power > 40000
    mark = fake.mark()
    profile = {"id": 30, "stackLevel": 1, "chargingProfilePurpose": "TxProfile",
               "chargingProfileKind": "Relative", "transactionId": tx,
               "chargingSchedule": [{"id": 1, "chargingRateUnit": "W",
                                     "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                 "limit": 10000}]}]}
    assert await fake.call("SetChargingProfile", {"evseId": 2, "chargingProfile": profile}) == \
        {"status": "Accepted"}
    changed = (await fake.wait("TransactionEvent", lambda p: p["triggerReason"]
                               == "ChargingRateChanged"))[0]
    assert 9000 < measured(changed, "Power.Active.Import")[0] <= 10000
    periodic = await wait_for(lambda: _periodic(fake, mark), 5)
    assert all(measured(e, "Power.Active.Import")[0] <= 10000 for e in periodic)
    composite = await fake.call("GetCompositeSchedule", {"duration": 600, "evseId": 2})
    assert composite["status"] == "Accepted"
    assert composite["schedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 10000}]

    assert (await fake.call("SetChargingProfile", {"evseId": 1, "chargingProfile": {
        **profile, "id": 31, "chargingProfilePurpose": "ChargingStationMaxProfile",
        "transactionId": None} | {"transactionId": "x"}}))["status"] == "Rejected"
    assert (await fake.call("SetChargingProfile", {"evseId": 1, "chargingProfile": {
        **profile, "id": 32}}))["status"] == "Rejected"          # no transaction on EVSE 1
    assert await fake.call("GetChargingProfiles", {"requestId": 40, "chargingProfile": {
        "chargingProfilePurpose": "TxProfile"}}) == {"status": "Accepted"}
    report = (await fake.wait("ReportChargingProfiles"))[0]
    assert (report["requestId"], report["evseId"], report["chargingLimitSource"]) == (40, 2, "CSO")
    assert [p["id"] for p in report["chargingProfile"]] == [30]
    assert await fake.call("GetChargingProfiles", {"requestId": 41, "chargingProfile": {
        "chargingLimitSource": ["EMS"]}}) == {"status": "NoProfiles"}
    assert await fake.call("ClearChargingProfile", {"chargingProfileId": 30}) == \
        {"status": "Accepted"}
    await fake.wait("TransactionEvent", lambda p: p["triggerReason"] == "ChargingRateChanged",
                    count=2)
    assert await fake.call("ClearChargingProfile", {"chargingProfileId": 30}) == \
        {"status": "Unknown"}


async def _periodic(fake: FakeCsms, mark: int) -> list[dict[str, Any]] | None:
    found = [e for e in events(fake, mark) if e["triggerReason"] == "MeterValuePeriodic"]
    return found or None


# ----------------------------------------------------------------------------------- firmware, logs
async def test_firmware_log_and_publish_sequences(station, csms):
    fake, _ = csms
    assert await fake.call("GetLog", {"logType": "SecurityLog", "requestId": 3, "log": {
        "remoteLocation": "https://example.test/up"}}) == {
        "status": "Accepted", "filename": station.on_GetLog({
            "logType": "SecurityLog", "requestId": 3, "log": {"remoteLocation": "x"}})[0][
            "filename"]}
    logs = await fake.wait("LogStatusNotification", count=2)
    assert [p["status"] for p in logs] == ["Uploading", "Uploaded"]
    assert all(p["requestId"] == 3 for p in logs)

    assert await fake.call("PublishFirmware", {"location": "https://example.test/fw.bin",
                                               "checksum": "a" * 32, "requestId": 4}) == \
        {"status": "Accepted"}
    published = await fake.wait("PublishFirmwareStatusNotification", count=4)
    assert [p["status"] for p in published] == ["Downloading", "Downloaded", "ChecksumVerified",
                                                "Published"]
    assert published[-1]["location"][0].endswith("/" + "a" * 32)
    assert await fake.call("UnpublishFirmware", {"checksum": "a" * 32}) == \
        {"status": "Unpublished"}
    assert await fake.call("UnpublishFirmware", {"checksum": "a" * 32}) == {"status": "NoFirmware"}

    assert await fake.call("UpdateFirmware", {"requestId": 5, "firmware": {
        "location": "https://example.test/fw.bin", "retrieveDateTime": in_seconds(0),
        "signingCertificate": CERT, "signature": "c2ln"}}) == {"status": "Accepted"}
    firmware = await fake.wait("FirmwareStatusNotification", count=6)
    assert [p["status"] for p in firmware] == ["Downloading", "Downloaded", "SignatureVerified",
                                               "Installing", "InstallRebooting", "Installed"]
    assert all(p["requestId"] == 5 for p in firmware)
    boots = fake.sent("BootNotification")
    assert boots[-1]["reason"] == "FirmwareUpdate"
    await asyncio.wait_for(station.booted.wait(), 5)
    assert await fake.call("UpdateFirmware", {"requestId": 6, "firmware": {
        "location": "https://example.test/fw.bin", "retrieveDateTime": in_seconds(0),
        "signingCertificate": "not a certificate"}}) == {"status": "InvalidCertificate"}


# --------------------------------------------------------------------------------------- monitoring
async def test_monitors_report_and_notify_events(station, csms):
    fake, _ = csms
    answer = await fake.call("SetVariableMonitoring", {"setMonitoringData": [
        {"value": 0, "type": "Delta", "severity": 3,
         "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
         "variable": {"name": "AvailabilityState"}},
        {"value": 10, "type": "UpperThreshold", "severity": 3,
         "component": {"name": "ChargingStation"}, "variable": {"name": "Model"}},
        {"value": 5000, "type": "UpperThreshold", "severity": 2,
         "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}},
        {"value": 1, "type": "Delta", "severity": 3, "component": {"name": "NoSuchCtrlr"},
         "variable": {"name": "X"}},
        {"value": 0, "type": "Delta", "severity": 3,
         "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
         "variable": {"name": "AvailabilityState"}},
    ]})
    results = answer["setMonitoringResult"]
    assert [r["status"] for r in results] == ["Accepted", "UnsupportedMonitorType", "Accepted",
                                              "UnknownComponent", "Duplicate"]
    delta_id, power_id = results[0]["id"], results[2]["id"]
    await remote_start(fake, 1)
    events_ = await fake.wait("NotifyEvent", lambda p: any(
        e["variableMonitoringId"] == power_id for e in p["eventData"]))
    assert any(e["trigger"] == "Alerting" for p in events_ for e in p["eventData"])
    occupied = await fake.wait("NotifyEvent", lambda p: any(
        e["variableMonitoringId"] == delta_id and e["actualValue"] == "Occupied"
        for e in p["eventData"]))
    assert occupied[0]["eventData"][0]["eventNotificationType"] == "CustomMonitor"

    assert await fake.call("GetMonitoringReport", {"requestId": 50, "monitoringCriteria": [
        "DeltaMonitoring"]}) == {"status": "Accepted"}
    report = (await fake.wait("NotifyMonitoringReport"))[0]
    assert [m["variableMonitoring"][0]["id"] for m in report["monitor"]] == [delta_id]
    assert await fake.call("ClearVariableMonitoring", {"id": [delta_id, 999]}) == {
        "clearMonitoringResult": [{"status": "Accepted", "id": delta_id},
                                  {"status": "NotFound", "id": 999}]}
    assert await fake.call("SetMonitoringBase", {"monitoringBase": "HardWiredOnly"}) == \
        {"status": "Accepted"}
    assert await fake.call("GetMonitoringReport", {"requestId": 51}) == \
        {"status": "EmptyResultSet"}


# ----------------------------------------------------------------------------------------- the rest
async def test_certificates_displays_customers_and_network(station, csms):
    fake, _ = csms
    assert await fake.call("InstallCertificate", {"certificateType": "CSMSRootCertificate",
                                                  "certificate": CERT}) == {"status": "Accepted"}
    ids = await fake.call("GetInstalledCertificateIds", {})
    assert ids["status"] == "Accepted" and len(ids["certificateHashDataChain"]) == 1
    hash_data = ids["certificateHashDataChain"][0]["certificateHashData"]
    assert await fake.call("GetInstalledCertificateIds", {
        "certificateType": ["V2GRootCertificate"]}) == {"status": "NotFound"}
    assert await fake.call("DeleteCertificate", {"certificateHashData": hash_data}) == \
        {"status": "Accepted"}
    assert await fake.call("DeleteCertificate", {"certificateHashData": hash_data}) == \
        {"status": "NotFound"}
    assert await fake.call("TriggerMessage", {"requestedMessage":
                                              "SignChargingStationCertificate"}) == \
        {"status": "Accepted"}
    csr = (await fake.wait("SignCertificate"))[0]
    assert csr["certificateType"] == "ChargingStationCertificate"

    message = {"id": 1, "priority": "InFront", "message": {"format": "UTF8", "content": "Hi"}}
    assert await fake.call("SetDisplayMessage", {"message": message}) == {"status": "Accepted"}
    assert await fake.call("SetDisplayMessage", {"message": {
        **message, "id": 2, "transactionId": "nope"}}) == {"status": "UnknownTransaction"}
    assert await fake.call("GetDisplayMessages", {"requestId": 9}) == {"status": "Accepted"}
    shown = (await fake.wait("NotifyDisplayMessages"))[0]
    assert shown == {"requestId": 9, "tbc": False, "messageInfo": [message]}
    assert await fake.call("ClearDisplayMessage", {"id": 1}) == {"status": "Accepted"}
    assert await fake.call("GetDisplayMessages", {"requestId": 10}) == {"status": "Unknown"}

    assert await fake.call("CustomerInformation", {"requestId": 3, "report": True,
                                                   "clear": False}) == {"status": "Invalid"}
    assert await fake.call("CustomerInformation", REQUESTS["CustomerInformation"]) == \
        {"status": "Accepted"}
    info = (await fake.wait("NotifyCustomerInformation"))[0]
    assert (info["requestId"], info["tbc"], info["seqNo"]) == (1, False, 0)

    profile = REQUESTS["SetNetworkProfile"]
    assert await fake.call("SetNetworkProfile", profile) == {"status": "Accepted"}
    assert await fake.call("SetNetworkProfile", {**profile, "connectionData": {
        **profile["connectionData"], "ocppVersion": "OCPP16"}}) == {"status": "Rejected"}
    assert await fake.call("DataTransfer", {"vendorId": "Other"}) == {"status": "UnknownVendorId"}
    assert await fake.call("CostUpdated", {"totalCost": 2.5, "transactionId": "t"}) == {}


async def test_every_csms_operation_is_answered_within_the_schema(station, csms):
    fake, _ = csms
    assert set(REQUESTS) == CSMS_ACTIONS
    for action, payload in REQUESTS.items():
        answer = await fake.call(action, payload)      # FakeCsms.call checks the answer's schema
        assert not isinstance(answer, CallError), (action, answer)
    await fake.wait("NotifyReport", lambda p: p["requestId"] == 2)
    await fake.wait("FirmwareStatusNotification", lambda p: p["status"] == "DownloadFailed")


async def test_bad_requests_get_the_2_0_1_errors(station, csms):
    fake, _ = csms
    answer, _ = station.answer(Call("x1", "Reset", {"type": "Sideways"}))
    assert isinstance(answer, CallError) and answer.code == "PropertyConstraintViolation"
    answer, _ = station.answer(Call("x2", "Reset", {}))
    assert isinstance(answer, CallError) and answer.code == "OccurrenceConstraintViolation"
    answer, _ = station.answer(Call("x3", "Reset", {"type": "OnIdle", "bogus": 1}))
    assert isinstance(answer, CallError) and answer.code == "FormatViolation"
    for action in ("Frobnicate", "RemoteStartTransaction", "BootNotification"):  # 1.6, ours
        answer, _ = station.answer(Call("x4", action, {}))
        assert isinstance(answer, CallError) and answer.code == "NotImplemented", action
    assert fake.ws is not None
    await fake.ws.send_str('[2, "bad-1", "Reset"')
    await asyncio.sleep(0.2)                 # a CALLERROR came back; FakeCsms ignores unknown ids


# ------------------------------------------------------------------------------------- the emulator
async def test_emulator_runs_2_0_1_stations(csms, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ocpp_emulator")
    fake, url = csms
    emu = Emulator(load_stations(station_file(tmp_path)), url=url, options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(5)
        assert isinstance(emu.station("EM201"), Station201)
        assert "emulator: 1 OCPP 2.0.1 stations started (EM201)" in caplog.text
    finally:
        await emu.stop()


async def test_skipped_with_one_line_while_the_server_refuses_2_0_1(db, tmp_path, caplog):
    config = Config()
    config.ocpp.versions = ["1.6"]
    server, runner = await start_server(db, config)
    caplog.set_level(logging.INFO, logger="ocpp_emulator")
    emu = Emulator(load_stations(station_file(tmp_path)), url=server.url + "/",
                   options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(5)          # a skipped station counts as done
        assert caplog.text.count("EM201: the central system refuses OCPP 2.0.1 (HTTP 400); "
                                 "station skipped") == 1
        assert emu.stats.connects == 0
    finally:
        await emu.stop()
        await runner.cleanup()


# ---------------------------------------------------------------------------------- the real server
async def sql(conn, query: str, *args: Any) -> Any:
    return await conn.fetchval(query, *args)


async def command(conn, action: str, payload: dict[str, Any], identity: str = "EM201",
                  timeout: float = 10.0) -> dict[str, Any]:
    """Queue a command through SQL (ocpp.send) and wait for its answer (ocpp.command)."""
    cid = await sql(conn, "select ocpp.send($1, $2, $3::jsonb)", identity, action,
                    json.dumps(payload))

    async def final():
        c = json.loads(await sql(conn, "select ocpp.command($1)::text", cid))
        return c if c["status"] not in ("queued", "sent") else None
    c = await wait_for(final, timeout)
    assert c["status"] == "answered", c
    return c["response"]


async def connector_statuses(conn, identity: str = "EM201") -> dict[tuple[int, int], str]:
    rows = await conn.fetch("select c.evse_id, c.connector_id, c.status from cs.connector c "
                            "join cs.station s on s.id = c.station_id where s.identity = $1",
                            identity)
    return {(r["evse_id"], r["connector_id"]): r["status"] for r in rows}


@pytest_asyncio.fixture
async def real(server, tmp_path) -> AsyncIterator[Emulator]:
    emu = Emulator(load_stations(station_file(tmp_path)), url=server.url + "/",
                   options=StationOptions(**FAST))
    await emu.start()
    await asyncio.wait_for(emu.station("EM201").booted.wait(), 10)
    yield emu
    await emu.stop()
    assert emu.stats.errors == 0, emu.stats.last_errors


@needs_server_201
async def test_real_boot_and_status_of_every_connector(real, conn):
    row = await conn.fetchrow("select vendor, model, charge_point_serial_number, firmware_version, "
                              "registration_status from cs.station where identity = 'EM201'")
    assert tuple(row) == ("TestVendor", "TestModel", "SN-EM201", "9.9", "Accepted")

    async def all_available():
        s = await connector_statuses(conn)
        return all(s.get(k) == "Available" for k in ((1, 1), (2, 1), (2, 2))) and s
    await wait_for(all_available, 15)


@needs_server_201
async def test_real_scenario_session_is_recorded(real, conn):
    results = await run_sessions(real.stations, [Session("EM201", 2, "SCEN-201", 2.5)],
                                 pause=0.1)
    assert [r.error for r in results] == [None]
    ref = results[0].transaction_id
    row = await conn.fetchrow("select id, id_tag, meter_start, meter_stop, stop_reason, "
                              "stopped_at from cs.transaction where transaction_ref = $1", ref)
    assert row is not None, f"no cs.transaction with transaction_ref {ref}"
    assert (row["id_tag"], row["stop_reason"]) == ("SCEN-201", "Local")
    assert row["stopped_at"] is not None and row["meter_stop"] > row["meter_start"]
    assert await sql(conn, "select count(*) from cs.meter_value where transaction_id = $1 and "
                           "measurand = 'Power.Active.Import'", row["id"]) >= 1
    assert await sql(conn, "select count(*) from cs.meter_value where transaction_id = $1 and "
                           "measurand = 'SoC'", row["id"]) >= 1


@needs_server_201
async def test_real_remote_start_and_stop_from_sql(real, conn):
    answer = await command(conn, "RequestStartTransaction", {
        "idToken": {"idToken": "T1", "type": "Central"}, "remoteStartId": 1, "evseId": 1})
    assert answer["status"] == "Accepted"

    async def running():
        return await conn.fetchrow("select t.id, t.transaction_ref from cs.transaction t "
                                   "join cs.station s on s.id = t.station_id where "
                                   "s.identity = 'EM201' and t.stopped_at is null")
    tx = await wait_for(running, 15)
    assert tx["transaction_ref"] == real.station("EM201").evses[1].transaction_id
    assert await command(conn, "RequestStopTransaction",
                         {"transactionId": tx["transaction_ref"]}) == {"status": "Accepted"}

    async def stopped():
        return await sql(conn, "select stop_reason from cs.transaction where id = $1", tx["id"])
    assert await wait_for(stopped, 15) == "Remote"


@needs_server_201
async def test_real_get_base_report_fills_device_variables(real, conn):
    assert await command(conn, "GetBaseReport", {"requestId": 1,
                                                 "reportBase": "FullInventory"}) == \
        {"status": "Accepted"}
    expected = len(list(real.station("EM201").model))

    async def stored():
        n = await sql(conn, "select count(*) from cs.device_variable v join cs.station s on "
                            "s.id = v.station_id where s.identity = 'EM201'")
        return n >= expected and n
    await wait_for(stored, 10)


@needs_server_201
async def test_real_reset_and_change_availability(real, conn):
    station = real.station("EM201")
    assert await command(conn, "RequestStartTransaction", {
        "idToken": {"idToken": "T2", "type": "Central"}, "remoteStartId": 2, "evseId": 2}) == \
        {"status": "Accepted"}
    await wait_for(lambda: _charging(station, 2), 5)
    assert await command(conn, "ChangeAvailability", {"operationalStatus": "Inoperative",
                                                      "evse": {"id": 2}}) == \
        {"status": "Scheduled"}
    assert await command(conn, "Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    await station.stop_transaction(station.evses[2], "Local")
    await wait_for(lambda: _false(station.booted.is_set()), 5)       # the OnIdle reset
    await asyncio.wait_for(station.booted.wait(), 10)

    async def evse2_unavailable():
        s = await connector_statuses(conn)
        return s.get((2, 1)) == "Unavailable" and s.get((2, 2)) == "Unavailable"
    await wait_for(evse2_unavailable, 5)
    assert await command(conn, "Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    await wait_for(lambda: _false(station.booted.is_set()), 5)
    await asyncio.wait_for(station.booted.wait(), 10)


async def _charging(station: Station201, evse: int) -> bool:
    e = station.evses[evse]
    return e.tx is not None and e.tx.charging_state == "Charging"


@needs_server_201
async def test_real_every_operation_is_answered_within_the_schema(real, conn):
    """The dispatcher checks each answer against the 2.0.1 schema before it is recorded."""
    for action, payload in REQUESTS.items():
        await command(conn, action, payload)
