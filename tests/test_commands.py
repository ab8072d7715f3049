"""Commands from SQL to stations, end to end: SQL queues, the dispatcher sends over a real socket, an
independent station (the `ocpp` package's v16 ChargePoint) answers, and PL/pgSQL records the effect."""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
from typing import Any

import pytest
import websockets
from ocpp.exceptions import NotSupportedError
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result

from conftest import psql_bin, start_server, wait_for
from test_station_flow import now

# A plausible answer of a station to each 1.6 operation.
ANSWERS: dict[str, dict[str, Any]] = {
    "CancelReservation": {"status": "Accepted"},
    "ChangeAvailability": {"status": "Accepted"},
    "ChangeConfiguration": {"status": "Accepted"},
    "ClearCache": {"status": "Accepted"},
    "ClearChargingProfile": {"status": "Accepted"},
    "DataTransfer": {"status": "Accepted", "data": "pong"},
    "GetCompositeSchedule": {"status": "Accepted", "connectorId": 1, "scheduleStart": "2026-01-01T00:00:00Z",
                             "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
                                 {"startPeriod": 0, "limit": 16.0}]}},
    "GetConfiguration": {"configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
        {"key": "NumberOfConnectors", "readonly": True, "value": "2"}], "unknownKey": ["Foo"]},
    "GetDiagnostics": {"fileName": "diag.zip"},
    "GetLocalListVersion": {"listVersion": 7},
    "RemoteStartTransaction": {"status": "Accepted"},
    "RemoteStopTransaction": {"status": "Accepted"},
    "ReserveNow": {"status": "Accepted"},
    "Reset": {"status": "Accepted"},
    "SendLocalList": {"status": "Accepted"},
    "SetChargingProfile": {"status": "Accepted"},
    "TriggerMessage": {"status": "Accepted"},
    "UnlockConnector": {"status": "Unlocked"},
    "UpdateFirmware": {},
    "CertificateSigned": {"status": "Accepted"},
    "DeleteCertificate": {"status": "Accepted"},
    "ExtendedTriggerMessage": {"status": "Accepted"},
    "GetInstalledCertificateIds": {"status": "Accepted", "certificateHashData": [
        {"hashAlgorithm": "SHA256", "issuerNameHash": "aa", "issuerKeyHash": "bb", "serialNumber": "01"}]},
    "GetLog": {"status": "Accepted", "filename": "log.txt"},
    "InstallCertificate": {"status": "Accepted"},
    "SignedUpdateFirmware": {"status": "Accepted"},
}

PROFILE = {"chargingProfileId": 5, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile",
           "chargingProfileKind": "Absolute",
           "chargingSchedule": {"chargingRateUnit": "A",
                                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.3}]}}

# A valid request for each operation, sent through the generic ocpp.send.
REQUESTS: dict[str, dict[str, Any]] = {
    "CancelReservation": {"reservationId": 1},
    "ChangeAvailability": {"connectorId": 1, "type": "Inoperative"},
    "ChangeConfiguration": {"key": "HeartbeatInterval", "value": "120"},
    "ClearCache": {},
    "ClearChargingProfile": {"id": 5},
    "DataTransfer": {"vendorId": "Acme", "messageId": "ping", "data": "x"},
    "GetCompositeSchedule": {"connectorId": 1, "duration": 3600},
    "GetConfiguration": {},
    "GetDiagnostics": {"location": "ftp://example.test/diag"},
    "GetLocalListVersion": {},
    "RemoteStartTransaction": {"idTag": "REMOTE1", "connectorId": 1},
    "RemoteStopTransaction": {"transactionId": 1},
    "ReserveNow": {"connectorId": 1, "expiryDate": "2036-01-01T00:00:00Z", "idTag": "T1",
                   "reservationId": 77},
    "Reset": {"type": "Soft"},
    "SendLocalList": {"listVersion": 1, "updateType": "Full",
                      "localAuthorizationList": [{"idTag": "T1", "idTagInfo": {"status": "Accepted"}}]},
    "SetChargingProfile": {"connectorId": 1, "csChargingProfiles": PROFILE},
    "TriggerMessage": {"requestedMessage": "Heartbeat"},
    "UnlockConnector": {"connectorId": 1},
    "UpdateFirmware": {"location": "https://example.test/fw.bin", "retrieveDate": "2026-01-01T00:00:00Z"},
    "CertificateSigned": {"certificateChain": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
    "DeleteCertificate": {"certificateHashData": {"hashAlgorithm": "SHA256", "issuerNameHash": "aa",
                                                  "issuerKeyHash": "bb", "serialNumber": "01"}},
    "ExtendedTriggerMessage": {"requestedMessage": "StatusNotification", "connectorId": 1},
    "GetInstalledCertificateIds": {"certificateType": "CentralSystemRootCertificate"},
    "GetLog": {"logType": "DiagnosticsLog", "requestId": 3, "log": {"remoteLocation": "https://example.test/log"}},
    "InstallCertificate": {"certificateType": "CentralSystemRootCertificate",
                           "certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
    "SignedUpdateFirmware": {"requestId": 4, "firmware": {
        "location": "https://example.test/fw.bin", "retrieveDateTime": "2026-01-01T00:00:00Z",
        "signingCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "signature": "c2ln"}},
}


def _answering_station() -> type[ChargePoint]:
    """A ChargePoint subclass with one @on handler per operation: it records each request and answers
    from `self.answers` (a dict, an exception to raise, or ("sleep", seconds))."""
    namespace: dict[str, Any] = {}
    for action in ANSWERS:
        async def handler(self, _action=action, **request):
            self.received.append((_action, request))
            answer = self.answers.get(_action, ANSWERS[_action])
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, tuple):
                await asyncio.sleep(answer[1])
                answer = ANSWERS[_action]
            fields = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in answer.items()}
            return getattr(call_result, _action)(**fields)
        # the ocpp package finds handlers by the decorated function's own name
        handler.__name__ = handler.__qualname__ = f"on_{action}"
        namespace[handler.__name__] = on(action)(handler)
    return type("AnsweringStation", (ChargePoint,), namespace)


AnsweringStation = _answering_station()


@contextlib.asynccontextmanager
async def answering(url: str, identity: str, boot: bool = True):
    async with websockets.connect(f"{url}/{identity}", subprotocols=["ocpp1.6"]) as ws:
        cp = AnsweringStation(identity, ws)
        cp.received, cp.answers = [], {}
        task = asyncio.create_task(cp.start())
        try:
            if boot:
                await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def send(db, identity: str, action: str, payload: dict, wait: str | None = None) -> int:
    w = f", wait => interval '{wait}'" if wait else ""
    return int(await db.sql(f"select ocpp.send('{identity}', '{action}', "
                            f"$j${json.dumps(payload)}$j$::jsonb{w})"))


async def command(db, cid: int) -> dict:
    return json.loads(await db.sql(f"select ocpp.command({cid})"))


async def has_status(db, cid: int, status: str) -> bool:
    return (await command(db, cid))["status"] == status


async def final(db, cid: int, timeout: float = 10) -> dict:
    async def done():
        c = await command(db, cid)
        return c if c["status"] not in ("queued", "sent") else None
    return await wait_for(done, timeout)


async def test_every_operation_reaches_the_station_and_its_answer_is_recorded(server, db):
    async with answering(server.url, "CMD1") as cp:
        ids = {action: await send(db, "CMD1", action, payload) for action, payload in REQUESTS.items()}
        for action, cid in ids.items():
            c = await final(db, cid)
            assert c["status"] == "answered", (action, c["error"])
            assert c["response"] == ANSWERS[action], action
        assert sorted(a for a, _ in cp.received) == sorted(REQUESTS)
    # one outstanding CALL at a time, in the order they were queued
    assert [a for a, _ in cp.received] == list(REQUESTS)


async def test_effects_are_recorded_in_the_tables(server, db):
    async with answering(server.url, "CMD2") as cp:
        await final(db, await send(db, "CMD2", "GetConfiguration", {}))
        assert await db.sql("select key || '=' || value || ':' || readonly from cs.configuration_key k "
                            "join cs.station s on s.id = k.station_id where s.identity = 'CMD2' "
                            "order by key") == "HeartbeatInterval=300:false\nNumberOfConnectors=2:true"
        await final(db, await send(db, "CMD2", "ChangeConfiguration",
                             {"key": "HeartbeatInterval", "value": "120"}))
        assert await db.sql("select value from cs.configuration_key where key = 'HeartbeatInterval'") == "120"
        await final(db, await send(db, "CMD2", "SetChargingProfile",
                             {"connectorId": 1, "csChargingProfiles": PROFILE}))
        assert await db.sql("select count(*) from cs.charging_profile") == "1"
        await final(db, await send(db, "CMD2", "ClearChargingProfile", {"id": 5}))
        assert await db.sql("select count(*) from cs.charging_profile where status is distinct from 'Cleared'") in ("0",)


async def test_remote_start_is_linked_to_the_transaction(server, db):
    async with answering(server.url, "CMD3") as cp:
        cid = int(await db.sql("select ocpp.remote_start_transaction('CMD3', 'REMOTE1', 1)"))
        assert (await final(db, cid))["status"] == "answered"
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="REMOTE1",
                                                    meter_start=0, timestamp=now()))
    assert await db.sql(f"select remote_start_command from cs.transaction "
                        f"where id = {start.transaction_id}") == str(cid)


async def test_offline_station_fails_at_once_unless_asked_to_wait(server, db):
    await db.sql("select ocpp.add_station('OFF1')")
    cid = await send(db, "OFF1", "Reset", {"type": "Hard"})
    assert (await command(db, cid))["status"] == "offline"
    waiting = await send(db, "OFF1", "Reset", {"type": "Soft"}, wait="1 minute")
    assert (await command(db, waiting))["status"] == "queued"
    async with answering(server.url, "OFF1") as cp:
        assert (await final(db, waiting))["status"] == "answered"
        assert cp.received == [("Reset", {"type": "Soft"})]


async def test_rejected_station_is_refused(server, db):
    await db.sql("select ocpp.add_station('REJ2', 'Rejected')")
    async with answering(server.url, "REJ2", boot=False):
        cid = await send(db, "REJ2", "Reset", {"type": "Soft"})
        c = await final(db, cid)
    assert c["status"] == "refused"


async def test_invalid_payload_is_refused_naming_the_field(server, db):
    async with answering(server.url, "CMD4") as cp:
        cid = await send(db, "CMD4", "Reset", {"type": "Sideways"})
        c = await final(db, cid)
        assert c["status"] == "refused"
        assert "type" in c["error"]["description"]
        assert cp.received == []


async def test_station_callerror_is_recorded(server, db):
    async with answering(server.url, "CMD5") as cp:
        cp.answers["Reset"] = NotSupportedError(description="no resets today")
        c = await final(db, await send(db, "CMD5", "Reset", {"type": "Soft"}))
    assert c["status"] == "error"
    assert c["error"]["code"] == "NotSupported"
    assert c["error"]["description"] == "no resets today"


@pytest.fixture
def quick_config(server_config):
    server_config.ocpp.call_timeout = 0.5
    server_config.ocpp.command_scan_interval = 0.3
    return server_config


async def test_timeout(quick_config, server, db):
    async with answering(server.url, "CMD6") as cp:
        cp.answers["Reset"] = ("sleep", 2)
        c = await final(db, await send(db, "CMD6", "Reset", {"type": "Soft"}))
    assert c["status"] == "timeout"


async def test_disconnect_in_the_middle_of_a_call(server, db):
    async with answering(server.url, "CMD7") as cp:
        cp.answers["Reset"] = ("sleep", 30)
        cid = await send(db, "CMD7", "Reset", {"type": "Soft"})
        await wait_for(lambda: has_status(db, cid, "sent"))
    c = await final(db, cid)
    assert c["status"] == "interrupted"


async def test_lost_notify_is_delivered_by_the_scan(quick_config, server, db):
    async with answering(server.url, "CMD8") as cp:
        # Queue without NOTIFY, as if the notification had been lost.
        cid = int(await db.sql("insert into cs.command (station_id, action, payload, status) "
                               "select id, 'ClearCache', '{}', 'queued' from cs.station "
                               "where identity = 'CMD8' returning id"))
        assert (await final(db, cid))["status"] == "answered"
        assert cp.received == [("ClearCache", {})]


async def test_restart_delivers_queued_once_and_marks_in_flight(db, quick_config):
    server, runner = await start_server(db, quick_config)
    url = server.url
    async with answering(url, "CMD9") as cp:
        cp.answers["Reset"] = ("sleep", 30)
        in_flight = await send(db, "CMD9", "Reset", {"type": "Soft"})
        await wait_for(lambda: has_status(db, in_flight, "sent"))
        queued = await send(db, "CMD9", "ClearCache", {}, wait="5 minutes")
        await runner.cleanup()  # the front end stops with one command in flight, one queued
    assert (await command(db, in_flight))["status"] == "interrupted"
    assert (await command(db, queued))["status"] == "queued"

    quick_config.ocpp.call_timeout = 5
    server, runner = await start_server(db, quick_config)
    try:
        async with answering(server.url, "CMD9") as cp:
            assert (await final(db, queued))["status"] == "answered"
            await asyncio.sleep(1)
            assert cp.received == [("ClearCache", {})]  # once, and the Reset never again
    finally:
        await runner.cleanup()
    assert (await command(db, in_flight))["status"] == "interrupted"


async def test_call_procedure_answers_in_one_psql_step(server, db):
    async with answering(server.url, "CMD10"):
        proc = await asyncio.create_subprocess_exec(
            psql_bin(db.cluster), *db.cluster.psql_args(db.name), "-tAc",
            """call ocpp.call('CMD10', 'GetLocalListVersion', '{}', null)""",
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    result = json.loads(out.decode().strip())
    assert result["status"] == "answered", err.decode()
    assert result["response"] == {"listVersion": 7}
    assert "GetLocalListVersion" in await db.sql("select string_agg(action, ',') from ocpp.commands")


async def test_sign_certificate_gets_a_chain_from_the_local_ca(server, db):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CSR1"),
                                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme")]))
           .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode())
    async with answering(server.url, "CSR1") as cp:
        reply = await cp.call(call.SignCertificate(csr=csr))
        assert reply.status == "Accepted"
        await cp.call(call.SignCertificate(csr="not a CSR"))

        async def chain_arrived():
            return [r for a, r in cp.received if a == "CertificateSigned"]
        (request,) = await wait_for(chain_arrived, 15)
        # still connected: the station's answer to CertificateSigned must reach the server, or the
        # command ends interrupted and the request stays Pending (a race under load)
        async def recorded():
            return await db.sql("select string_agg(status, ',' order by id) "
                                "from cs.certificate_request") == "Signed,Rejected"
        assert await wait_for(recorded)
    leaf, ca = x509.load_pem_x509_certificates(request["certificate_chain"].encode())
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CSR1"
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()
    leaf.verify_directly_issued_by(ca)
    assert "does not parse" in await db.sql("select reason from cs.review where action = 'SignCertificate'")
