"""From profile 2 to profile 3 the OCPP way, with an independent 2.0.1 station (the `ocpp` package):
over TLS with its password it sends SignCertificate with a CSR of its own key, ocpp-cs's local CA signs
it and CertificateSigned brings the chain; the station then reconnects with that certificate and no
password, and the TLS listener, which trusts the local CA, lets it in on profile 3."""
from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call
from ocpp.v201 import call_result

from conftest import wait_for
from test_station_flow import station as station_of
from test_tls import basic, client


class Station(ChargePoint):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.chains: list[str] = []

    @on("CertificateSigned")
    async def on_certificate_signed(self, certificate_chain, **_):
        self.chains.append(certificate_chain)
        return call_result.CertificateSigned(status="Accepted")


def station(url: str, identity: str, **connect):
    return station_of(url, identity, cls=Station, version="2.0.1", **connect)


async def test_sign_certificate_then_reconnect_on_profile_3(tls_server, pki, db, tmp_path: Path):
    await db.sql("select ocpp.add_station('CS3', 'Accepted', 'password-of-cs3'); "
                 "select ocpp.set_station_security_profile('CS3', 2)")
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example CPO"),
                                    x509.NameAttribute(NameOID.COMMON_NAME, "CS3")]))
           .sign(key, hashes.SHA256()))
    async with station(tls_server.tls_url, "CS3", ssl=client(pki),
                       additional_headers=basic("CS3", "password-of-cs3")) as cp:
        answer = await cp.call(call.SignCertificate(
            csr=csr.public_bytes(serialization.Encoding.PEM).decode(),
            certificate_type="ChargingStationCertificate"))
        assert answer.status == "Accepted"
        async def signed() -> bool:
            return bool(cp.chains) and await db.sql("select status from cs.certificate_request") == "Signed"
        await wait_for(signed, 20)
    leaf = x509.load_pem_x509_certificate(cp.chains[0].encode())
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CS3"

    cert_file, key_file = tmp_path / "cs3.pem", tmp_path / "cs3.key"
    cert_file.write_text(cp.chains[0])
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = client(pki)
    context.load_cert_chain(cert_file, key_file)
    await db.sql("select ocpp.set_station_security_profile('CS3', 3)")
    async with station(tls_server.tls_url, "CS3", ssl=context) as cp:  # no Authorization header
        await cp.call(call.Heartbeat())
        assert await db.sql("select c.security_profile || ' ' || (c.certificate->>'cn') from cs.connection c "
                            "join cs.station s on s.id = c.station_id where s.identity = 'CS3'") == "3 CS3"

    # the password alone is now below the station's minimum
    try:
        async with websockets.connect(f"{tls_server.tls_url}/CS3", subprotocols=["ocpp2.0.1"],
                                      ssl=client(pki),
                                      additional_headers=basic("CS3", "password-of-cs3")):
            status = 101
    except websockets.InvalidStatus as e:
        status = e.response.status_code
    assert status == 401
    # a key the local CA never signed, with the same subject, does not pass the TLS layer
    stranger = ec.generate_private_key(ec.SECP256R1())
    self_signed = (x509.CertificateBuilder().subject_name(leaf.subject).issuer_name(leaf.subject)
                   .public_key(stranger.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(leaf.not_valid_before_utc).not_valid_after(leaf.not_valid_after_utc)
                   .sign(stranger, hashes.SHA256()))
    (tmp_path / "x.pem").write_bytes(self_signed.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "x.key").write_bytes(stranger.private_bytes(serialization.Encoding.PEM,
                                                            serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
    forged = client(pki)
    forged.load_cert_chain(tmp_path / "x.pem", tmp_path / "x.key")
    refused = False
    try:
        async with websockets.connect(f"{tls_server.tls_url}/CS3", subprotocols=["ocpp2.0.1"],
                                      ssl=forged) as ws:
            # TLS 1.3 reports a refused client certificate after the handshake; an accepted one
            # would leave the socket open and quiet
            await asyncio.wait_for(ws.recv(), 5)
    except asyncio.TimeoutError:
        refused = False
    except (ssl.SSLError, OSError, websockets.ConnectionClosed, websockets.InvalidStatus,
            websockets.InvalidMessage):
        refused = True
    assert refused
