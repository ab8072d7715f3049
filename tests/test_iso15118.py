"""ISO 15118 certificate services end to end (docs/iso15118.md), with the `ocpp` package's v201
ChargePoint as the station: Authorize with contract certificate hash data, GetCertificateStatus
answered with an OCSP response the local responder signed (decoded and verified here), revocation,
Get15118EVCertificate with prepared exiResponses, and the HTTP provider against a real OCSP
responder and contract-certificate service (aiohttp servers started by the test)."""
from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
from pathlib import Path

import pytest
import pytest_asyncio
import websockets
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from ocpp.v201 import ChargePoint
from ocpp.v201 import call

from conftest import free_port, wait_for


# --- certificates -------------------------------------------------------------------------------

def make_ca(name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def issue(issuer: x509.Certificate, issuer_key, emaid: str) -> x509.Certificate:
    """A contract certificate for emaid, issued by issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, emaid)]))
            .issuer_name(issuer.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=30))
            .sign(issuer_key, hashes.SHA256()))


def hash_data(cert: x509.Certificate, issuer: x509.Certificate, responder: str = "http://ocsp.test") -> dict:
    """The OCSPRequestDataType a station sends for cert: computed as an OCSP client does."""
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    return {"hashAlgorithm": "SHA256", "issuerNameHash": req.issuer_name_hash.hex(),
            "issuerKeyHash": req.issuer_key_hash.hex(), "serialNumber": format(req.serial_number, "x"),
            "responderURL": responder}


def local_ca(server) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    folder = Path(server.config.local_ca_dir)
    return (x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes()),
            serialization.load_pem_private_key((folder / "ca.key").read_bytes(), password=None))


def verified_ocsp(ocsp_result: str, signer: x509.Certificate, serial: int) -> ocsp.OCSPResponse:
    """The station's ocspResult decoded, about serial, and signed with signer's key (raises if not)."""
    response = ocsp.load_der_ocsp_response(base64.b64decode(ocsp_result))
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.serial_number == serial
    signer.public_key().verify(response.signature, response.tbs_response_bytes,
                               ec.ECDSA(response.signature_hash_algorithm))
    return response


async def register(db, cert: x509.Certificate, issuer: x509.Certificate, **extra: str) -> int:
    h = hash_data(cert, issuer)
    args = "".join(f", {k} => {v}" for k, v in extra.items())
    return int(await db.sql(
        f"select ocpp.register_v2g_certificate('SHA256', '{h['issuerNameHash']}', '{h['issuerKeyHash']}', "
        f"'{h['serialNumber']}'{args})"))


# --- the station --------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def station(url: str, identity: str):
    async with websockets.connect(f"{url}/{identity}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = ChargePoint(identity, ws)
        task = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(call.BootNotification(
                charging_station={"model": "PnC-1", "vendorName": "Acme"}, reason="PowerUp"))
            assert boot.status == "Accepted"
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def authorize(emaid: str, hashes_: list[dict] | None = None, certificate: str | None = None):
    return call.Authorize(id_token={"idToken": emaid, "type": "eMAID"},
                          iso15118_certificate_hash_data=hashes_, certificate=certificate)


async def status_of(cp, data: dict):
    return await cp.call(call.GetCertificateStatus(ocsp_request_data=data))


# --- local provider -----------------------------------------------------------------------------

async def test_authorize_answers_certificate_status(shared_server):
    db = shared_server.db
    ca, ca_key = local_ca(shared_server)
    good, revoked = issue(ca, ca_key, "DE-AAA-C1"), issue(ca, ca_key, "DE-AAA-C2")
    await register(db, good, ca, certificate="$pem$" + good.public_bytes(serialization.Encoding.PEM).decode() + "$pem$")
    revoked_id = await register(db, revoked, ca)
    await db.sql(f"select ocpp.revoke_v2g_certificate({revoked_id}, 'keyCompromise')")
    stranger = issue(*make_ca("another eMSP"), "DE-ZZZ-C9")

    async with station(shared_server.url, "PNC-AUTH") as cp:
        ok = await cp.call(authorize("DEAAAC1", [hash_data(good, ca)]))
        assert ok.certificate_status == "Accepted" and ok.id_token_info["status"] == "Accepted"
        bad = await cp.call(authorize("DEAAAC2", [hash_data(revoked, ca)]))
        assert bad.certificate_status == "CertificateRevoked" and bad.id_token_info["status"] == "Invalid"
        # a chain: one revoked certificate in it is enough
        chain = await cp.call(authorize("DEAAAC2", [hash_data(good, ca), hash_data(revoked, ca)]))
        assert chain.certificate_status == "CertificateRevoked"
        unknown = await cp.call(authorize("DEZZZC9", [hash_data(stranger, ca)]))
        assert unknown.certificate_status == "NoCertificateAvailable"
        by_pem = await cp.call(authorize(
            "DEAAAC1", certificate=good.public_bytes(serialization.Encoding.PEM).decode()))
        assert by_pem.certificate_status == "Accepted"
        plain = await cp.call(authorize("DEAAAC1"))
        assert plain.certificate_status is None  # no certificate, no certificateStatus


async def test_get_certificate_status_answers_signed_ocsp(shared_server):
    db = shared_server.db
    ca, ca_key = local_ca(shared_server)
    cert = issue(ca, ca_key, "DE-AAA-C3")
    cert_id = await register(db, cert, ca)

    async with station(shared_server.url, "PNC-OCSP") as cp:
        async def accepted():
            r = await status_of(cp, hash_data(cert, ca))
            return r if r.status == "Accepted" else None

        good = await wait_for(accepted)  # the worker, woken by NOTIFY ocpp_pki, signed it
        response = verified_ocsp(good.ocsp_result, ca, cert.serial_number)
        assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
        assert response.next_update_utc > response.this_update_utc

        await db.sql(f"select ocpp.revoke_v2g_certificate({cert_id}, 'superseded')")

        async def revoked():
            r = await status_of(cp, hash_data(cert, ca))
            if r.status != "Accepted":
                assert r.status_info["reason_code"] == "OCSPPending"  # never the old good one
                return None
            return verified_ocsp(r.ocsp_result, ca, cert.serial_number)

        now_revoked = await wait_for(revoked)
        assert now_revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
        assert now_revoked.revocation_reason == x509.ReasonFlags.superseded
        assert (await cp.call(authorize("DEAAAC3", [hash_data(cert, ca)]))).certificate_status \
            == "CertificateRevoked"

        stranger = issue(*make_ca("nobody"), "DE-ZZZ-C8")
        failed = await status_of(cp, hash_data(stranger, ca))
        assert failed.status == "Failed" and failed.status_info["reason_code"] == "UnknownCertificate"
        assert failed.ocsp_result is None


async def test_get_15118_ev_certificate_returns_prepared_exi(shared_server):
    db = shared_server.db
    async with station(shared_server.url, "PNC-EXI") as cp:
        await db.sql("select ocpp.prepare_ev_certificate('UkVTLWV4YWN0', exi_request => 'UkVRLTE=')")
        await db.sql("select ocpp.prepare_ev_certificate('UkVTLW5leHQ=', identity => 'PNC-EXI', action => 'Install')")
        exact = await cp.call(call.Get15118EVCertificate(
            iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Install", exi_request="UkVRLTE="))
        assert (exact.status, exact.exi_response) == ("Accepted", "UkVTLWV4YWN0")
        again = await cp.call(call.Get15118EVCertificate(
            iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Update", exi_request="UkVRLTE="))
        assert again.exi_response == "UkVTLWV4YWN0"  # an exact match answers every time
        update = await cp.call(call.Get15118EVCertificate(
            iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Update", exi_request="UkVRLTI="))
        assert update.status == "Failed"  # the station's prepared one is for Install only
        assert update.status_info["reason_code"] == "NoExiResponse"
        nxt = await cp.call(call.Get15118EVCertificate(
            iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Install", exi_request="UkVRLTI="))
        assert (nxt.status, nxt.exi_response) == ("Accepted", "UkVTLW5leHQ=")
        used = await cp.call(call.Get15118EVCertificate(
            iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Install", exi_request="UkVRLTM="))
        assert used.status == "Failed"  # used once


# --- HTTP provider ------------------------------------------------------------------------------

class RemotePki:
    """A real OCSP responder (RFC 6960 over HTTP POST) and contract-certificate service."""

    def __init__(self) -> None:
        self.ca, self.key = make_ca("remote eMSP sub-CA")
        self.revoked: set[int] = set()
        self.ocsp_requests = 0
        self.contract_requests: list[dict] = []
        self.url = ""
        self.broken_requests = 0

    async def ocsp(self, request: web.Request) -> web.Response:
        self.ocsp_requests += 1
        req = ocsp.load_der_ocsp_request(await request.read())
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        revoked = req.serial_number in self.revoked
        response = ocsp.OCSPResponseBuilder().add_response_by_hash(
            req.issuer_name_hash, req.issuer_key_hash, req.serial_number, req.hash_algorithm,
            ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            now, now + dt.timedelta(minutes=1), now if revoked else None,
            x509.ReasonFlags.key_compromise if revoked else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca).sign(self.key, hashes.SHA256())
        return web.Response(body=response.public_bytes(serialization.Encoding.DER),
                            content_type="application/ocsp-response")

    async def contract(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.contract_requests.append(body)
        exi = base64.b64encode(b"CertificateInstallationRes for " + body["request"]["exiRequest"].encode())
        return web.json_response({"status": "Accepted", "exiResponse": exi.decode()})


    async def broken(self, request: web.Request) -> web.Response:
        self.broken_requests += 1
        return web.Response(status=500, text="down for maintenance")


@pytest.fixture
def server_config(server_config):
    server_config.iso15118.scan_interval = 0.2  # remote responses are refreshed by the scan
    # (the remote responder's nextUpdate is always within iso15118.ocsp_refresh_before: each one is
    # fetched again once iso15118.ocsp_retry, set to 1 second by the tests, has passed)
    return server_config


@pytest_asyncio.fixture
async def remote():
    """The remote PKI on a free port of 127.0.0.1; its base URL is remote.url."""
    pki = RemotePki()
    app = web.Application()
    app.router.add_post("/ocsp", pki.ocsp)
    app.router.add_post("/contract", pki.contract)
    app.router.add_post("/broken", pki.broken)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    pki.url = f"http://127.0.0.1:{port}"
    yield pki
    await runner.cleanup()


async def test_http_provider(server, remote):
    db = server.db
    await db.sql(f"""select ocpp.set_setting('iso15118.ocsp_url', '"{remote.url}/ocsp"'),
                            ocpp.set_setting('iso15118.contract_service_url', '"{remote.url}/contract"'),
                            ocpp.set_setting('iso15118.ocsp_retry', '"1 second"')""")
    cert = issue(remote.ca, remote.key, "DE-RRR-C1")
    data = hash_data(cert, remote.ca, "http://ignored.example/")
    async with station(server.url, "PNC-HTTP") as cp:
        first = await status_of(cp, data)
        assert first.status == "Failed" and first.status_info["reason_code"] == "OCSPPending"

        async def with_status(wanted):
            r = await status_of(cp, data)
            if r.status != "Accepted":
                return None
            response = verified_ocsp(r.ocsp_result, remote.ca, cert.serial_number)
            return response if response.certificate_status == wanted else None

        await wait_for(lambda: with_status(ocsp.OCSPCertStatus.GOOD))
        assert (await cp.call(authorize("DERRRC1", [data]))).certificate_status == "Accepted"
        remote.revoked.add(cert.serial_number)
        await wait_for(lambda: with_status(ocsp.OCSPCertStatus.REVOKED))
        bad = await cp.call(authorize("DERRRC1", [data]))
        assert bad.certificate_status == "CertificateRevoked" and bad.id_token_info["status"] == "Invalid"

        request = dict(iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Install",
                       exi_request="RVhJLXJlcXVlc3Q=")
        pending = await cp.call(call.Get15118EVCertificate(**request))
        assert pending.status == "Failed" and pending.status_info["reason_code"] == "Pending"

        async def answered():
            r = await cp.call(call.Get15118EVCertificate(**request))
            return r if r.status == "Accepted" else None

        reply = await wait_for(answered)
        assert base64.b64decode(reply.exi_response) == b"CertificateInstallationRes for RVhJLXJlcXVlc3Q="
        assert remote.contract_requests[0]["identity"] == "PNC-HTTP"
        assert remote.contract_requests[0]["request"]["exiRequest"] == "RVhJLXJlcXVlc3Q="
        assert len(remote.contract_requests) == 1  # asked once, the station asked several times


async def test_http_provider_failures_are_recorded_and_retried(server, remote):
    db = server.db
    await db.sql(f"""select ocpp.set_setting('iso15118.ocsp_url', '"{remote.url}/broken"'),
                            ocpp.set_setting('iso15118.contract_service_url', '"{remote.url}/broken"'),
                            ocpp.set_setting('iso15118.ocsp_retry', '"1 second"')""")
    cert = issue(remote.ca, remote.key, "DE-RRR-C2")
    async with station(server.url, "PNC-DOWN") as cp:
        assert (await status_of(cp, hash_data(cert, remote.ca))).status_info["reason_code"] == "OCSPPending"
        pending = await cp.call(call.Get15118EVCertificate(
            iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Install", exi_request="RE9XTg=="))
        assert pending.status_info["reason_code"] == "Pending"

        async def recorded():
            return await db.sql("select (select ocsp_error from cs.v2g_certificate) || ' / ' || "
                                "(select error from cs.ev_certificate_response) "
                                "where (select attempts from cs.ev_certificate_response) >= 2")

        errors = await wait_for(recorded)  # failed, recorded, and tried again after iso15118.ocsp_retry
        assert errors.count("answered HTTP 500") == 2, errors
        again = await status_of(cp, hash_data(cert, remote.ca))
        assert again.status == "Failed" and again.ocsp_result is None
        assert remote.broken_requests >= 4


def test_a_delegated_responder_signs_and_carries_its_certificate(tmp_path):
    """[iso15118] responder_cert/responder_key: the issuer's delegated OCSP signer answers instead of
    the local CA; a verifier finds its certificate in the response."""
    from ocpp_cs.pki import LocalResponder

    ca, ca_key = make_ca("eMSP sub-CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    delegated = (x509.CertificateBuilder()
                 .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP signer")]))
                 .issuer_name(ca.subject).public_key(key.public_key())
                 .serial_number(x509.random_serial_number())
                 .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                 .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.OCSP_SIGNING]), critical=True)
                 .sign(ca_key, hashes.SHA256()))
    (tmp_path / "r.pem").write_bytes(delegated.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "r.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    responder = LocalResponder.from_files(str(tmp_path / "r.pem"), str(tmp_path / "r.key"))
    cert = issue(ca, ca_key, "DE-DDD-C1")
    h = hash_data(cert, ca)
    prepared = responder.prepare({**h, "status": "revoked", "revokedAt": "2026-01-02T03:04:05Z",
                                  "revocationReason": "cessationOfOperation", "validitySeconds": 3600})
    response = verified_ocsp(prepared.response_b64, delegated, cert.serial_number)
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_reason == x509.ReasonFlags.cessation_of_operation
    assert response.revocation_time_utc == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert response.certificates == [delegated]
    assert response.issuer_key_hash.hex() == h["issuerKeyHash"]
    assert response.next_update_utc - response.this_update_utc == dt.timedelta(hours=1)
