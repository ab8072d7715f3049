"""The emulator against the real server and a real PostgreSQL: commands sent through SQL are
answered as a station would, sessions land in cs.transaction and cs.meter_value, stations come back
after the server restarts, and load mode runs a small fleet without an error. Every payload the
emulated stations send and answer is checked against the 1.6 schemas (StationOptions.validate)."""
from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from conftest import ROOT, free_port, wait_for
from ocpp_cs.app import build_app
from ocpp_cs.config import OcppConfig
from ocpp_emulator import Emulator, StationOptions, attach_to_app, load_stations
from ocpp_emulator.load import LoadOptions, run_load
from ocpp_emulator.scenario import Session, parse_session, run_sessions
from test_commands import REQUESTS

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
FAST = dict(step_delay=0.05, reboot_delay=0.1, unplug_delay=0.2, backoff_min=0.1,
            backoff_max=0.5, call_timeout=5.0)


def station_file(folder: Path, name: str, connectors: list[dict[str, Any]],
                 **keys: str) -> None:
    values = {"ChargeBoxIdentity": name, "ChargePointVendor": "TestVendor",
              "ChargePointModel": "TestModel", "ChargePointSerialNumber": f"SN-{name}",
              "ChargePointSoftwareVersion": "9.9", "PowermeterSerialNumber": f"M-{name}",
              "CentralSystemURL": "ws://127.0.0.1:1/ocpp/", "MeterValueSampleInterval": "1",
              "ReserveConnectorZeroSupported": "false", **keys}
    readonly = {"ChargeBoxIdentity", "ChargePointVendor", "ChargePointModel",
                "ChargePointSerialNumber", "ChargePointSoftwareVersion", "PowermeterSerialNumber",
                "ReserveConnectorZeroSupported"}
    (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / name / "configuration.json").write_text(json.dumps({
        "connectorId": connectors,
        "configurationKey": [{"key": k, "readonly": k in readonly, "value": v}
                             for k, v in values.items()]}))


@pytest.fixture
def stations_dir(tmp_path: Path) -> Path:
    station_file(tmp_path, "EM1", [{"id": 1, "voltage": "AC", "interface": "Type2",
                                    "meterValue": 1000},
                                   {"id": 2, "voltage": "DC", "interface": "CCS2",
                                    "meterValue": 0, "power": 50000}])
    return tmp_path


@pytest_asyncio.fixture
async def emulator(server, stations_dir: Path) -> AsyncIterator[Emulator]:
    emu = Emulator(load_stations(stations_dir), url=server.url + "/",
                   options=StationOptions(**FAST))
    await emu.start()
    await emu.wait_booted(10)
    yield emu
    await emu.stop()
    assert emu.stats.errors == 0, emu.stats.last_errors


# ------------------------------------------------------------------------------------ helpers
async def sql(conn, query: str, *args: Any) -> Any:
    return await conn.fetchval(query, *args)


async def command(conn, action: str, payload: dict[str, Any], identity: str = "EM1",
                  timeout: float = 10.0) -> dict[str, Any]:
    """Queue a command through SQL and wait for its final state."""
    cid = await sql(conn, "select ocpp.send($1, $2, $3::jsonb)", identity, action,
                    json.dumps(payload))

    async def final():
        c = json.loads(await sql(conn, "select ocpp.command($1)::text", cid))
        return c if c["status"] not in ("queued", "sent") else None
    c = await wait_for(final, timeout)
    assert c["status"] == "answered", c
    return c["response"]


async def statuses(conn, connector: int, identity: str = "EM1") -> list[str]:
    rows = await conn.fetch(
        "select n.status from cs.status_notification n join cs.station s on s.id = n.station_id "
        "where s.identity = $1 and n.evse_id = $2 order by n.id", identity, connector)
    return [r["status"] for r in rows]


async def _at_least(query, n: int):
    rows = await query()
    return rows if len(rows) >= n else None


async def until_status(conn, connector: int, status: str, identity: str = "EM1",
                       timeout: float = 15.0) -> None:
    async def check():
        s = await statuses(conn, connector, identity)
        return s and s[-1] == status
    await wait_for(check, timeout)


async def running_transaction(conn, connector: int, identity: str = "EM1") -> int:
    async def tx():
        return await sql(conn, "select t.id from cs.transaction t join cs.station s "
                               "on s.id = t.station_id where s.identity = $1 and "
                               "t.evse_id = $2 and t.stopped_at is null", identity, connector)
    return await wait_for(tx, 15)


async def remote_start(conn, connector: int, tag: str = "TAG-1") -> int:
    answer = await command(conn, "RemoteStartTransaction", {"idTag": tag, "connectorId": connector})
    assert answer == {"status": "Accepted"}
    tx = await running_transaction(conn, connector)
    await until_status(conn, connector, "Charging")
    return tx


def in_seconds(s: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=s)).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------------------------ behaviour
async def test_boot_and_status_of_every_connector(emulator, conn):
    row = await conn.fetchrow("select vendor, model, charge_point_serial_number, firmware_version, "
                              "meter_serial_number, registration_status from cs.station "
                              "where identity = 'EM1'")
    assert tuple(row) == ("TestVendor", "TestModel", "SN-EM1", "9.9", "M-EM1", "Accepted")
    for connector in (0, 1, 2):
        await until_status(conn, connector, "Available")


async def test_boot_is_retried_while_pending(server, conn, stations_dir):
    await conn.execute("select ocpp.set_setting('boot.unknown_station', '\"Pending\"')")
    await conn.execute("select ocpp.set_setting('boot.retry_interval', '1')")
    emu = Emulator(load_stations(stations_dir), url=server.url + "/", options=StationOptions(**FAST))
    await emu.start()
    try:
        await wait_for(lambda: _registration(conn, "Pending"), 15)
        # the station row exists from the handshake on: wait for the first boot's Pending answer
        async def answered_pending():
            return await sql(conn, "select count(*) from cs.message_log where identity = 'EM1' "
                                   "and action = 'BootNotification' and direction = 'out' "
                                   "and payload->>'status' = 'Pending'") >= 1
        await wait_for(answered_pending, 15)
        assert not emu.station("EM1").booted.is_set()
        await conn.execute("select ocpp.add_station('EM1', 'Accepted')")
        await asyncio.wait_for(emu.station("EM1").booted.wait(), 15)
        await wait_for(lambda: boots_logged(conn, 2), 15)
    finally:
        await emu.stop()


async def boots_logged(conn, n: int) -> bool:
    """The message log is written in batches: wait for it."""
    return await sql(conn, "select count(*) from cs.message_log where identity = 'EM1' and "
                           "action = 'BootNotification' and direction = 'in'") >= n


async def _registration(conn, status: str) -> bool:
    return await sql(conn, "select registration_status from cs.station "
                           "where identity = 'EM1'") == status


async def test_remote_start_authorizes_prepares_starts_charges_and_meters(emulator, conn):
    # the station reports its connectors after the boot: the remote start must not race that report
    await until_status(conn, 1, "Available")
    tx = await remote_start(conn, 1)
    assert (await statuses(conn, 1))[-3:] == ["Available", "Preparing", "Charging"]
    async def logged():  # the message log is written in batches: wait for it
        return [r["action"] for r in await conn.fetch(
            "select action from cs.message_log where identity = 'EM1' and direction = 'in' "
            "and action in ('Authorize', 'StartTransaction') order by id")]
    actions = await wait_for(lambda: _at_least(logged, 2), 15)
    assert actions == ["Authorize", "StartTransaction"]  # AuthorizeRemoteTxRequests is true

    async def metered():
        rows = await conn.fetch("select measurand, numeric_value from cs.meter_value "
                                "where transaction_id = $1", tx)
        return {r["measurand"] for r in rows} >= {"Energy.Active.Import.Register",
                                                 "Power.Active.Import", "Current.Import",
                                                 "Voltage"} and rows
    rows = await wait_for(metered, 15)
    assert "SoC" not in {r["measurand"] for r in rows}        # an AC connector knows no SoC
    assert await sql(conn, "select meter_start from cs.transaction where id = $1", tx) == 1000

    assert await command(conn, "RemoteStopTransaction", {"transactionId": tx}) == \
        {"status": "Accepted"}
    await until_status(conn, 1, "Available")
    row = await conn.fetchrow("select stop_reason, meter_stop from cs.transaction where id = $1",
                              tx)
    assert row["stop_reason"] == "Remote" and row["meter_stop"] >= 1000
    assert (await statuses(conn, 1))[-3:] == ["Charging", "Finishing", "Available"]


async def test_dc_connector_reports_state_of_charge(emulator, conn):
    tx = await remote_start(conn, 2)

    async def soc():
        return await sql(conn, "select numeric_value from cs.meter_value where transaction_id = $1 "
                               "and measurand = 'SoC' limit 1", tx)
    assert 0 < await wait_for(soc, 15) <= 100


async def test_remote_start_and_stop_are_rejected_when_they_cannot_be_done(emulator, conn):
    await remote_start(conn, 1)
    assert await command(conn, "RemoteStartTransaction", {"idTag": "X", "connectorId": 1}) == \
        {"status": "Rejected"}
    assert await command(conn, "RemoteStartTransaction", {"idTag": "X", "connectorId": 7}) == \
        {"status": "Rejected"}
    assert await command(conn, "RemoteStopTransaction", {"transactionId": 99999}) == \
        {"status": "Rejected"}


async def test_remote_start_without_authorize_when_not_configured(server, conn, stations_dir):
    station_file(stations_dir, "EM2", [{"id": 1, "voltage": "AC"}],
                 AuthorizeRemoteTxRequests="false")
    emu = Emulator(load_stations(stations_dir, ["EM2"]), url=server.url + "/",
                   options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(5)
        await command(conn, "RemoteStartTransaction", {"idTag": "T2", "connectorId": 1}, "EM2")
        await running_transaction(conn, 1, "EM2")
        assert await sql(conn, "select count(*) from cs.message_log where identity = 'EM2' "
                               "and action = 'Authorize'") == 0
    finally:
        await emu.stop()


async def test_reset_stops_transactions_and_reconnects(emulator, conn):
    tx = await remote_start(conn, 1)
    boots = await sql(conn, "select count(*) from cs.message_log where identity = 'EM1' "
                            "and action = 'BootNotification' and direction = 'in'")
    assert await command(conn, "Reset", {"type": "Soft"}) == {"status": "Accepted"}

    async def stopped():
        return await sql(conn, "select stop_reason from cs.transaction where id = $1", tx)
    assert await wait_for(stopped, 15) == "SoftReset"

    async def rebooted():
        return await sql(conn, "select count(*) from cs.message_log where identity = 'EM1' "
                               "and action = 'BootNotification' and direction = 'in'") > boots
    await wait_for(rebooted, 15)
    await asyncio.wait_for(emulator.station("EM1").booted.wait(), 5)
    await until_status(conn, 1, "Available")
    assert await command(conn, "Reset", {"type": "Hard"}) == {"status": "Accepted"}


async def test_change_availability_is_scheduled_during_a_transaction(emulator, conn):
    tx = await remote_start(conn, 1)
    assert await command(conn, "ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}) \
        == {"status": "Scheduled"}
    assert await command(conn, "ChangeAvailability", {"connectorId": 2, "type": "Inoperative"}) \
        == {"status": "Accepted"}
    await until_status(conn, 2, "Unavailable")
    assert await command(conn, "RemoteStartTransaction", {"idTag": "X", "connectorId": 2}) == \
        {"status": "Rejected"}
    await command(conn, "RemoteStopTransaction", {"transactionId": tx})
    await until_status(conn, 1, "Unavailable")   # the scheduled change, once the transaction ended
    assert await command(conn, "ChangeAvailability", {"connectorId": 0, "type": "Operative"}) \
        == {"status": "Accepted"}
    await until_status(conn, 1, "Available")
    await until_status(conn, 2, "Available")
    assert await command(conn, "ChangeAvailability", {"connectorId": 9, "type": "Operative"}) \
        == {"status": "Rejected"}


async def test_configuration_keys(emulator, conn):
    answer = await command(conn, "GetConfiguration",
                           {"key": ["MeterValueSampleInterval", "NumberOfConnectors", "Nope"]})
    assert answer == {"configurationKey": [
        {"key": "MeterValueSampleInterval", "readonly": False, "value": "1"},
        {"key": "NumberOfConnectors", "readonly": True, "value": "2"}], "unknownKey": ["Nope"]}
    everything = await command(conn, "GetConfiguration", {})
    keys = {k["key"]: k for k in everything["configurationKey"]}
    assert keys["ChargePointVendor"] == {"key": "ChargePointVendor", "readonly": True,
                                         "value": "TestVendor"}
    assert "HeartbeatInterval" in keys and "SupportedFeatureProfiles" in keys

    async def change(key: str, value: str) -> str:
        return (await command(conn, "ChangeConfiguration", {"key": key, "value": value}))["status"]
    assert await change("ChargePointVendor", "Other") == "Rejected"          # read-only
    assert await change("NoSuchKey", "1") == "NotSupported"
    assert await change("HeartbeatInterval", "often") == "Rejected"          # not an integer
    assert await change("AuthorizationCacheEnabled", "maybe") == "Rejected"
    assert await change("CentralSystemURL", "ws://elsewhere/ocpp/") == "RebootRequired"
    assert await change("MeterValueSampleInterval", "2") == "Accepted"
    answer = await command(conn, "GetConfiguration", {"key": ["MeterValueSampleInterval"]})
    assert answer["configurationKey"][0]["value"] == "2"
    assert await sql(conn, "select value from cs.configuration_key where key = "
                           "'MeterValueSampleInterval'") == "2"


async def test_reservations_with_expiry(emulator, conn):
    answer = await command(conn, "ReserveNow", {"connectorId": 1, "expiryDate": in_seconds(60),
                                                "idTag": "RES-1", "reservationId": 11})
    assert answer == {"status": "Accepted"}
    await until_status(conn, 1, "Reserved")
    assert (await command(conn, "ReserveNow", {"connectorId": 1, "expiryDate": in_seconds(60),
                                               "idTag": "RES-2", "reservationId": 12}))["status"] \
        == "Occupied"
    assert (await command(conn, "ReserveNow", {"connectorId": 0, "expiryDate": in_seconds(60),
                                               "idTag": "RES-2", "reservationId": 13}))["status"] \
        == "Rejected"   # ReserveConnectorZeroSupported is false
    assert await command(conn, "RemoteStartTransaction", {"idTag": "OTHER", "connectorId": 1}) \
        == {"status": "Rejected"}
    assert await command(conn, "CancelReservation", {"reservationId": 11}) == {"status": "Accepted"}
    await until_status(conn, 1, "Available")
    assert await command(conn, "CancelReservation", {"reservationId": 11}) == {"status": "Rejected"}

    await command(conn, "ReserveNow", {"connectorId": 2, "expiryDate": in_seconds(1),
                                       "idTag": "RES-3", "reservationId": 14})
    await until_status(conn, 2, "Reserved")
    await until_status(conn, 2, "Available", timeout=5)   # expired

    # The reserved tag charges on its connector and uses the reservation.
    await command(conn, "ReserveNow", {"connectorId": 2, "expiryDate": in_seconds(60),
                                       "idTag": "RES-4", "reservationId": 15})
    await until_status(conn, 2, "Reserved")
    tx = await remote_start(conn, 2, "RES-4")
    assert await sql(conn, "select reservation_id from cs.transaction where id = $1", tx) == 15


async def test_local_list_and_cache(emulator, conn):
    assert await command(conn, "GetLocalListVersion", {}) == {"listVersion": 0}
    full = {"listVersion": 3, "updateType": "Full", "localAuthorizationList": [
        {"idTag": "L1", "idTagInfo": {"status": "Accepted"}},
        {"idTag": "L2", "idTagInfo": {"status": "Blocked"}}]}
    assert await command(conn, "SendLocalList", full) == {"status": "Accepted"}
    assert await command(conn, "GetLocalListVersion", {}) == {"listVersion": 3}
    stale = {"listVersion": 2, "updateType": "Differential",
             "localAuthorizationList": [{"idTag": "L2"}]}
    assert await command(conn, "SendLocalList", stale) == {"status": "VersionMismatch"}
    diff = {"listVersion": 4, "updateType": "Differential",
            "localAuthorizationList": [{"idTag": "L2"}]}
    assert await command(conn, "SendLocalList", diff) == {"status": "Accepted"}
    assert set(emulator.station("EM1").local_list) == {"L1"}
    await remote_start(conn, 1, "CACHED")
    assert "CACHED" in emulator.station("EM1").cache
    assert await command(conn, "ClearCache", {}) == {"status": "Accepted"}
    assert emulator.station("EM1").cache == {}


async def test_charging_profile_limits_the_power_reported(emulator, conn):
    tx = await remote_start(conn, 1)
    profile = {"chargingProfileId": 7, "stackLevel": 1, "chargingProfilePurpose": "TxProfile",
               "chargingProfileKind": "Relative", "transactionId": tx,
               "chargingSchedule": {"chargingRateUnit": "W",
                                    "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                "limit": 2000.0}]}}
    assert await command(conn, "SetChargingProfile",
                         {"connectorId": 1, "csChargingProfiles": profile}) == {"status": "Accepted"}
    after = await sql(conn, "select coalesce(max(id), 0) from cs.meter_value")

    async def limited():
        return await sql(conn, "select numeric_value from cs.meter_value where id > $1 and "
                               "transaction_id = $2 and measurand = 'Power.Active.Import' "
                               "order by id limit 1", after, tx)
    assert 0 < await wait_for(limited, 15) <= 2000
    schedule = await command(conn, "GetCompositeSchedule", {"connectorId": 1, "duration": 600,
                                                            "chargingRateUnit": "W"})
    assert schedule["status"] == "Accepted"
    assert schedule["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == 2000.0
    # A TxProfile needs a transaction on its connector.
    assert (await command(conn, "SetChargingProfile",
                          {"connectorId": 2, "csChargingProfiles": profile}))["status"] == "Rejected"
    assert await command(conn, "ClearChargingProfile", {"id": 7}) == {"status": "Accepted"}
    assert await command(conn, "ClearChargingProfile", {"id": 7}) == {"status": "Unknown"}
    assert emulator.station("EM1")._limit(emulator.station("EM1").connectors[1]) > 2000


async def test_trigger_message_and_unlock(emulator, conn):
    before = len(await statuses(conn, 1))
    assert await command(conn, "TriggerMessage", {"requestedMessage": "StatusNotification",
                                                  "connectorId": 1}) == {"status": "Accepted"}
    await wait_for(lambda: _more(statuses(conn, 1), before), 5)
    for message in ("Heartbeat", "MeterValues", "BootNotification",
                    "DiagnosticsStatusNotification", "FirmwareStatusNotification"):
        assert await command(conn, "TriggerMessage", {"requestedMessage": message}) == \
            {"status": "Accepted"}, message
    assert await command(conn, "TriggerMessage", {"requestedMessage": "Heartbeat",
                                                  "connectorId": 5}) == {"status": "Rejected"}

    async def triggered_meter():
        return await sql(conn, "select count(*) from cs.meter_value m join cs.station s on "
                               "s.id = m.station_id where s.identity = 'EM1' and "
                               "context = 'Trigger'")
    await wait_for(triggered_meter, 15)

    tx = await remote_start(conn, 2)
    assert await command(conn, "UnlockConnector", {"connectorId": 2}) == {"status": "Unlocked"}

    async def stopped():
        return await sql(conn, "select stop_reason from cs.transaction where id = $1", tx)
    assert await wait_for(stopped, 15) == "UnlockCommand"
    assert await command(conn, "UnlockConnector", {"connectorId": 9}) == {"status": "NotSupported"}


async def _more(rows, before: int) -> bool:
    return len(await rows) > before


async def test_firmware_and_diagnostics_status_sequences(emulator, conn):
    async def notifications(kind: str, n: int) -> list[str]:
        async def enough():
            rows = await conn.fetch("select status from cs.station_notification "
                                    "where kind = $1 order by id", kind)
            return len(rows) >= n and [r["status"] for r in rows]
        return await wait_for(enough, 10)

    answer = await command(conn, "GetDiagnostics", {"location": "ftp://example.test/diag"})
    assert answer["fileName"].startswith("diagnostics-EM1-")
    assert await notifications("Diagnostics", 2) == ["Uploading", "Uploaded"]

    assert await command(conn, "UpdateFirmware", {"location": "https://example.test/fw.bin",
                                                  "retrieveDate": in_seconds(0)}) == {}
    assert await notifications("Firmware", 4) == ["Downloading", "Downloaded", "Installing",
                                                  "Installed"]
    # Installed came from the rebooted station, after a new BootNotification.
    await wait_for(lambda: boots_logged(conn, 2), 5)
    await asyncio.wait_for(emulator.station("EM1").booted.wait(), 5)

    await command(conn, "SignedUpdateFirmware", {"requestId": 8, "firmware": {
        "location": "https://example.test/fw.bin", "retrieveDateTime": in_seconds(0),
        "signingCertificate": CERT, "signature": "c2ln"}})
    assert await notifications("SignedFirmware", 6) == [
        "Downloading", "Downloaded", "SignatureVerified", "Installing", "InstallRebooting",
        "Installed"]
    await asyncio.wait_for(emulator.station("EM1").booted.wait(), 5)
    await command(conn, "UpdateFirmware", {"location": "https://fail.example.test/fw.bin",
                                           "retrieveDate": in_seconds(0)})
    assert (await notifications("Firmware", 6))[-2:] == ["Downloading", "DownloadFailed"]


async def test_security_whitepaper_operations(emulator, conn):
    assert (await command(conn, "GetLog", {"logType": "SecurityLog", "requestId": 5,
                                           "log": {"remoteLocation": "https://x.test/up"}}))[
        "status"] == "Accepted"
    assert await command(conn, "InstallCertificate",
                         {"certificateType": "CentralSystemRootCertificate", "certificate": CERT}) \
        == {"status": "Accepted"}
    ids = await command(conn, "GetInstalledCertificateIds",
                        {"certificateType": "CentralSystemRootCertificate"})
    assert ids["status"] == "Accepted" and len(ids["certificateHashData"]) == 1
    assert await command(conn, "GetInstalledCertificateIds",
                         {"certificateType": "ManufacturerRootCertificate"}) == \
        {"status": "NotFound"}
    assert await command(conn, "DeleteCertificate",
                         {"certificateHashData": ids["certificateHashData"][0]}) == \
        {"status": "Accepted"}
    assert await command(conn, "DeleteCertificate",
                         {"certificateHashData": ids["certificateHashData"][0]}) == \
        {"status": "NotFound"}
    assert await command(conn, "CertificateSigned", {"certificateChain": CERT}) == \
        {"status": "Accepted"}
    assert await command(conn, "ExtendedTriggerMessage",
                         {"requestedMessage": "SignChargePointCertificate"}) == \
        {"status": "Accepted"}

    async def csr():
        return await sql(conn, "select count(*) from cs.certificate_request")
    await wait_for(csr, 15)

    async def log_uploaded():
        return await sql(conn, "select count(*) from cs.station_notification "
                               "where status = 'Uploaded' and request_id = 5")
    await wait_for(log_uploaded, 15)
    assert await command(conn, "DataTransfer", {"vendorId": "TestVendor", "data": "ping"}) == \
        {"status": "Accepted", "data": "ping"}
    assert await command(conn, "DataTransfer", {"vendorId": "Other"}) == \
        {"status": "UnknownVendorId"}


async def test_every_operation_is_answered_within_the_schema(emulator, conn):
    """Every 1.6 CS-initiated operation; the dispatcher checks each answer against its schema."""
    rebooting = {"Reset", "UpdateFirmware", "SignedUpdateFirmware"}
    for action, payload in REQUESTS.items():
        if action not in rebooting:
            await command(conn, action, payload)


async def test_invalid_request_gets_the_schema_error(emulator):
    station = emulator.station("EM1")
    from ocpp_cs.protocol import Call, CallError
    answer, _ = station.answer(Call("x1", "Reset", {"type": "Sideways"}))
    assert isinstance(answer, CallError) and answer.code == "PropertyConstraintViolation"
    answer, _ = station.answer(Call("x2", "Frobnicate", {}))
    assert isinstance(answer, CallError) and answer.code == "NotImplemented"


# ------------------------------------------------------------------------------------ reconnect
async def test_reconnects_after_the_server_restarts(db, conn, server_config, stations_dir):
    port = free_port()
    server_config.server.port = port
    server_config.server.node = "restart-node"
    server_config.message_log.flush_interval = 0.05

    async def start() -> web.AppRunner:
        runner = web.AppRunner(build_app(server_config, db.dsn), shutdown_timeout=2)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    runner = await start()
    emu = Emulator(load_stations(stations_dir), url=f"ws://127.0.0.1:{port}/ocpp/",
                   options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(5)
        await runner.cleanup()
        station = emu.station("EM1")
        await wait_for(lambda: _false(station.booted.is_set()), 5)
        await asyncio.sleep(0.5)            # a few failed attempts with backoff
        assert emu.stats.connect_failures >= 1
        runner = await start()
        await asyncio.wait_for(station.booted.wait(), 10)

        async def connected():
            return await sql(conn, "select count(*) from cs.connection c join cs.station s on "
                                   "s.id = c.station_id where s.identity = 'EM1'")
        await wait_for(connected, 15)
        assert emu.stats.boots >= 2
    finally:
        await emu.stop()
        await runner.cleanup()


async def _false(value: bool) -> bool:
    return not value


# ------------------------------------------------------------------------------------ sessions
async def test_scenario_session_is_recorded(emulator, conn):
    results = await run_sessions(emulator.stations, [Session("EM1", 2, "SCEN-1", 2.5)],
                                 pause=0.1)
    assert [r.error for r in results] == [None]
    tx = results[0].transaction_id
    row = await conn.fetchrow("select id_tag, meter_start, meter_stop, stop_reason, stop_id_tag "
                              "from cs.transaction where id = $1", tx)
    assert (row["id_tag"], row["stop_reason"], row["stop_id_tag"]) == ("SCEN-1", "Local", "SCEN-1")
    assert row["meter_stop"] > row["meter_start"]           # 50 kW for 2.5 s is about 35 Wh
    assert await sql(conn, "select count(*) from cs.meter_value where transaction_id = $1 and "
                           "measurand = 'Power.Active.Import'", tx) >= 2
    assert (await statuses(conn, 2))[-4:] == ["Preparing", "Charging", "Finishing", "Available"]


def test_session_specs_and_durations():
    assert parse_session("CP1:2:TAG:1.5") == Session("CP1", 2, "TAG", 90.0)
    assert parse_session("CP1:1:TAG:30s").seconds == 30.0
    with pytest.raises(Exception, match="STATION:CONNECTOR:IDTAG:MINUTES"):
        parse_session("CP1:1:TAG")


async def test_scenario_file_through_the_command(server, conn, stations_dir, tmp_path):
    scenario = tmp_path / "demo.json"
    scenario.write_text(json.dumps({"sessions": [
        {"station": "EM1", "connector": 1, "idTag": "FILE-1", "seconds": 1.5},
        {"station": "EM1", "connector": 2, "idTag": "FILE-2", "seconds": 1, "after": 0.5}]}))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ocpp_cs.cli", "emulator", "--config-dir", str(stations_dir),
        "--url", server.url + "/", "--scenario", str(scenario),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, (out.decode(), err.decode())
    assert b"FILE-1: transaction" in out and b"FILE-2: transaction" in out
    rows = await conn.fetch("select id_tag, stop_reason from cs.transaction order by id_tag")
    assert [(r["id_tag"], r["stop_reason"]) for r in rows] == [("FILE-1", "Local"),
                                                               ("FILE-2", "Local")]


def test_command_help():
    import subprocess
    out = subprocess.run([sys.executable, "-m", "ocpp_cs.cli", "emulator", "--help"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for option in ("--config-dir", "--url", "--station", "--session", "--scenario", "--load",
                   "--ramp-up", "--storm", "--duration"):
        assert option in out.stdout


# ------------------------------------------------------------------------------------ shipped files
async def test_shipped_stations_connect_and_the_others_are_skipped(server, conn, caplog):
    caplog.set_level(logging.INFO, logger="ocpp_emulator")
    configs = load_stations(ROOT / "conf" / "cp")
    assert {c.identity for c in configs} == {"CP1", "CP2", "CP3", "CP4", "CP15", "CP201", "CP202",
                                             "CP203", "CP204", "CP205"}
    assert sorted(len(c.connectors) for c in configs if c.version == "1.6") == [1, 2, 2, 3]
    assert sorted(len(c.evses) for c in configs if c.version == "2.0.1") == [1, 1, 2, 3, 4]
    assert any(len(e.connectors) == 2 for c in configs for e in c.evses)
    emu = Emulator(configs, url=server.url + "/", options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(10)
        listed = json.loads(await sql(conn, "select ocpp.chargepointlist()::text"))
        expected = ["CP1", "CP2", "CP3", "CP4"]
        if "2.0.1" in OcppConfig().versions:     # the 2.0.1 stations connect too
            expected += ["CP201", "CP202", "CP203", "CP204", "CP205"]
        else:
            await wait_for(lambda: _logged(caplog, "CP205: the central system refuses OCPP 2.0.1"),
                           5)
        assert sorted(s["identity"] for s in listed if s["connected"]) == sorted(expected)
        # CP15 speaks OCPP 1.5 over SOAP: booted, with no socket (test_soap.py tests it further)
        assert [(s["identity"], s["connected"]) for s in listed if s["identity"] == "CP15"] \
            == [("CP15", False)]
        assert await sql(conn, "select version from cs.station where identity = 'CP15'") == "1.5"
    finally:
        await emu.stop()
    assert emu.stats.errors == 0, emu.stats.last_errors


async def _logged(caplog, text: str) -> bool:
    return text in caplog.text


async def test_serve_runs_the_stations_once_listening(db, conn, server_config, stations_dir):
    server_config.server.port = port = free_port()
    server_config.server.node = "serve-node"
    app = build_app(server_config, db.dsn)
    attach_to_app(app, port, "0.0.0.0", config_dir=stations_dir)
    runner = web.AppRunner(app, shutdown_timeout=2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async def connected():
            return await sql(conn, "select count(*) from cs.connection")
        await wait_for(connected, 10)
        await until_status(conn, 1, "Available")
    finally:
        await runner.cleanup()
    assert await sql(conn, "select count(*) from cs.connection") == 0


# ------------------------------------------------------------------------------------ load
def _load(server, **kw: Any) -> LoadOptions:
    options = LoadOptions(count=20, url=server.url + "/", ramp_up=0.5, duration=3.0, heartbeat=1.0,
                          meter_interval=(0.3, 0.6), session_gap=(0.1, 0.5),
                          session_length=(0.5, 1.0), report_every=1.0, boot_timeout=10)
    for k, v in kw.items():
        setattr(options, k, v)
    return options


async def test_load_mode_runs_a_small_fleet_without_errors(server, conn):
    lines: list[str] = []
    stats = await run_load(_load(server), out=lines.append)
    assert stats.errors == 0, stats.last_errors
    assert stats.boots == 20 and stats.connect_failures == 0
    assert stats.sessions > 0 and stats.sessions_done > 0
    assert await sql(conn, "select count(*) from cs.station where identity like 'LOAD%'") == 20
    assert await sql(conn, "select count(*) from cs.transaction") >= stats.sessions_done
    assert await sql(conn, "select count(*) from cs.meter_value") > 0
    async def all_closed():  # the server records each disconnect as the socket closes
        return await sql(conn, "select count(*) from cs.connection") == 0
    await wait_for(all_closed)
    assert any("all 20 stations booted" in line for line in lines)
    assert lines[-1].startswith("load: finished")


async def test_load_reconnect_storm(server, conn):
    lines: list[str] = []
    stats = await run_load(_load(server, storm=True, duration=1.0), out=lines.append)
    assert stats.errors == 0, stats.last_errors
    assert stats.boots == 40 and stats.connects == 40
    assert any("storm over, all 20 stations booted again" in line for line in lines), lines


def test_default_config_dir_is_the_checkouts_from_anywhere(tmp_path, monkeypatch):
    """Started outside the repository (no ./conf/cp), the emulator reads the checkout's conf/cp."""
    from ocpp_emulator.run import default_config_dir
    monkeypatch.chdir(tmp_path)
    assert default_config_dir() == Path(__file__).resolve().parents[1] / "conf" / "cp"
    assert (default_config_dir() / "CP1").is_dir() or any(default_config_dir().iterdir())
