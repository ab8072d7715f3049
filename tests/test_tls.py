"""The wss:// listener with real clients (Python's ssl with websockets and the `ocpp` ChargePoint,
and `openssl s_client`): protocol versions, the OCPP cipher suites, RSA and ECDSA certificates,
client certificates, the one-line configuration errors, and what ocpp.connect decides from them."""
from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import os
import ssl
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Iterator

import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from ocpp.v16 import call
from websockets.exceptions import InvalidStatus

from conftest import free_port, start_server, wait_for
from ocpp_cs.config import Config, ConfigError
from ocpp_cs.listeners import plan
from ocpp_cs.transport.tls import server_context
from pki import Pair, Pki
from test_station_flow import station

OCPP_CS = [sys.executable, "-m", "ocpp_cs.cli"]


def client(pki: Pki, *, version: ssl.TLSVersion | None = None, ciphers: str | None = None,
           cert: Pair | None = None) -> ssl.SSLContext:
    """A station's TLS client: it trusts the test server CA, optionally pinned to one version or
    to some TLS 1.2 suites, optionally with a client certificate."""
    context = ssl.create_default_context(cafile=str(pki.server_ca))
    if ciphers:
        context.set_ciphers(ciphers)
    if version:
        with warnings.catch_warnings():  # TLSv1_1 is deprecated: offering it is the point here
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = version
    if cert:
        context.load_cert_chain(cert.cert, cert.key)
    return context


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@contextlib.contextmanager
def server_refusals(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """The OpenSSL reasons for which the server failed handshakes meanwhile. asyncio logs them only
    in debug mode (an SSLError is an OSError to it), and it drops the fatal alert OpenSSL wrote for
    the client (CPython gh-98078), so the server's side is where the reason is seen for sure."""
    loop = asyncio.get_running_loop()
    debug = loop.get_debug()
    loop.set_debug(True)
    reasons: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="asyncio"):
        try:
            yield reasons
        finally:
            loop.set_debug(debug)
            # sslproto's record per failed handshake (debug mode adds a second, from accept)
            reasons += [getattr(r.exc_info[1], "reason", "") for r in caplog.records
                        if r.name == "asyncio" and r.exc_info and "handshake failed" in r.getMessage()
                        and isinstance(r.exc_info[1], ssl.SSLError)]


async def handshake(port: int, context: ssl.SSLContext) -> ssl.SSLObject:
    """A TLS handshake and one HTTP request: with TLS 1.3 a refused client certificate only shows
    after the handshake, at the first read."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    try:
        writer.write(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 10)
        if not answer.startswith(b"HTTP/1.1 200"):
            raise ConnectionError(f"no answer over TLS: {answer[:80]!r}")
        return writer.get_extra_info("ssl_object")
    finally:
        writer.close()


def s_client(port: int, pki: Pki, *args: str) -> subprocess.CompletedProcess:
    # -ign_eof: read the answer to the request on stdin until the server closes (HTTP/1.0)
    return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-ign_eof",
                           "-CAfile", str(pki.server_ca), *args],
                          input="GET /ping HTTP/1.0\r\n\r\n", capture_output=True, text=True,
                          timeout=30)


# ---- protocol versions

async def test_tls_1_1_is_refused_by_the_server(shared_tls_server, pki, caplog):
    tls11 = client(pki, version=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0")
    with server_refusals(caplog) as refused:
        with pytest.raises((ssl.SSLError, ConnectionError)) as e:
            await handshake(shared_tls_server.tls_port, tls11)
        out = await asyncio.to_thread(s_client, shared_tls_server.tls_port, pki, "-tls1_1",
                                      "-cipher", "DEFAULT:@SECLEVEL=0")
    # The clients did offer TLS 1.1 (no client-side "no protocols available"), and the server
    # refused the version: its OpenSSL says so, and the client got its alert or the close.
    assert getattr(e.value, "reason", None) in (None, "TLSV1_ALERT_PROTOCOL_VERSION")
    assert out.returncode != 0
    assert "no protocols available" not in out.stderr
    assert "Cipher is (NONE)" in out.stdout and "Protocol  : TLSv1.1" in out.stdout
    assert "alert protocol version" in out.stderr or "unexpected eof" in out.stderr
    assert refused == ["UNSUPPORTED_PROTOCOL", "UNSUPPORTED_PROTOCOL"]


@pytest.mark.parametrize("version, name", [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                                           (ssl.TLSVersion.TLSv1_3, "TLSv1.3")])
async def test_tls_1_2_and_1_3_are_accepted(shared_tls_server, pki, version, name):
    assert (await handshake(shared_tls_server.tls_port, client(pki, version=version))).version() == name
    async with station(shared_tls_server.tls_url, "TLS1", ssl=client(pki, version=version)) as cp:
        boot = await cp.call(call.BootNotification(charge_point_vendor="Acme",
                                                   charge_point_model="Secure"))
        assert boot.status == "Accepted"
    out = await asyncio.to_thread(s_client, shared_tls_server.tls_port, pki, "-" + name.replace(
        "TLSv", "tls").replace(".", "_"))
    assert out.returncode == 0 and f"New, {name}, Cipher is" in out.stdout
    assert "200 OK" in out.stdout and "pong" in out.stdout


def test_openssl_offers_tls_1_1_where_a_server_allows_it(pki):
    """The control for the refusal test: the same `s_client -tls1_1` against `openssl s_server`
    allowing TLS 1.1 gets through, so the refusal above is ocpp-cs's minimum version."""
    port = free_port()
    # -www: it answers the GET and closes; stdin stays open: s_server stops at its end
    with subprocess.Popen(["openssl", "s_server", "-www", "-accept", str(port), "-naccept", "1", "-tls1_1",
                           "-cipher", "DEFAULT:@SECLEVEL=0", "-cert", str(pki.rsa.cert),
                           "-key", str(pki.rsa.key)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as server:
        try:
            line = ""
            while "ACCEPT" not in line:
                line = server.stdout.readline()
                assert line, "s_server did not start"
            out = s_client(port, pki, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0")
            assert "Protocol  : TLSv1.1" in out.stdout and "Cipher is (NONE)" not in out.stdout
        finally:
            server.kill()


# ---- cipher suites and certificates

@pytest.mark.parametrize("ciphers, key_type", [
    ("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", rsa.RSAPublicKey),
    ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", ec.EllipticCurvePublicKey),
    ("AES256-GCM-SHA384", rsa.RSAPublicKey),  # plain RSA key exchange, named by OCPP 1.6's paper
])
async def test_rsa_and_ecdsa_certificates_are_both_served(shared_tls_server, pki, ciphers, key_type):
    tls = await handshake(shared_tls_server.tls_port,
                          client(pki, version=ssl.TLSVersion.TLSv1_2, ciphers=ciphers))
    assert tls.cipher()[0] in ciphers.split(":")
    assert isinstance(x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
                      .public_key(), key_type)


async def test_openssl_negotiates_rsa_and_ecdsa(shared_tls_server, pki):
    for cipher, key in (("ECDHE-RSA-AES256-GCM-SHA384", "rsaEncryption, 2048"),
                        ("ECDHE-ECDSA-AES256-GCM-SHA384", "id-ecPublicKey, 256")):
        out = await asyncio.to_thread(s_client, shared_tls_server.tls_port, pki, "-tls1_2",
                                      "-cipher", cipher)
        assert out.returncode == 0 and f"Cipher is {cipher}" in out.stdout
        assert key in out.stdout.split("Certificate chain", 1)[1].split("---", 1)[0]


@pytest.mark.parametrize("cipher", ["ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
                                    "ECDHE-ECDSA-AES256-SHA384"])
async def test_tls_1_2_suites_outside_ocpp_are_refused(shared_tls_server, pki, caplog, cipher):
    with server_refusals(caplog) as refused:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            await handshake(shared_tls_server.tls_port,
                            client(pki, version=ssl.TLSVersion.TLSv1_2, ciphers=cipher))
    assert refused == ["NO_SHARED_CIPHER"]


# ---- client certificates

@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
async def test_self_signed_client_certificate_is_refused_at_the_handshake(shared_tls_server, pki, shared_db,
                                                                          caplog, version):
    own = pki.station("SELF1", self_signed=True)
    with server_refusals(caplog) as refused:
        with pytest.raises((ssl.SSLError, ConnectionError, websockets.InvalidMessage)):
            async with station(shared_tls_server.tls_url, "SELF1", ssl=client(pki, version=version,
                                                                        cert=own)):
                pass
    assert refused == ["CERTIFICATE_VERIFY_FAILED"]
    await asyncio.sleep(0.2)  # a message-log flush interval: a row would be there by now
    assert await shared_db.sql("select count(*) from cs.message_log where identity = 'SELF1'") == "0"


async def test_openssl_with_a_self_signed_client_certificate_is_refused(shared_tls_server, pki, caplog):
    own = pki.station("SELF2", self_signed=True)
    with server_refusals(caplog) as refused:
        out = await asyncio.to_thread(s_client, shared_tls_server.tls_port, pki, "-tls1_2",
                                      "-cert", str(own.cert), "-key", str(own.key))
    assert out.returncode != 0 and "pong" not in out.stdout
    assert refused == ["CERTIFICATE_VERIFY_FAILED"]


async def test_station_ca_certificate_reaches_sql_without_a_password(shared_tls_server, pki, shared_db):
    """Accepted at the TLS layer; with no Authorization header the handshake still goes to
    ocpp.connect, which is told tls and the certificate (the Connect row shows what it got)."""
    mine = pki.station("CP301")
    async with station(shared_tls_server.tls_url, "CP301", ssl=client(pki, cert=mine)) as cp:
        hb = await cp.call(call.Heartbeat())
        assert hb.current_time
    der = x509.load_pem_x509_certificate(mine.cert.read_bytes())
    row = await wait_for(lambda: _connect_row(shared_db, "CP301"))
    tls, cn, fingerprint, issuer, serial = row.split("|")
    assert (tls, cn) == ("true", "CP301")
    assert fingerprint == hashlib.sha256(der.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert issuer == "CN=ocpp-cs test station CA,O=ocpp-cs tests"
    assert serial == format(der.serial_number, "x")


async def test_plain_port_tells_sql_no_tls(shared_tls_server, shared_db):
    async with station(shared_tls_server.url, "PLAIN1") as cp:
        await cp.call(call.Heartbeat())
    assert await wait_for(lambda: _connect_row(shared_db, "PLAIN1")) == "false||||"


async def test_certificate_from_the_local_ca_is_trusted(shared_tls_server, pki, tmp_path, shared_db):
    """A station that had its CSR signed by ocpp-cs's local CA reconnects with that certificate."""
    from ocpp_cs.signer import LocalCA

    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "CP302")]))
           .sign(key, hashes.SHA256()))
    chain = LocalCA(shared_tls_server.config.local_ca_dir).sign(
        csr.public_bytes(serialization.Encoding.PEM).decode())
    pair = Pair(tmp_path / "cp302.pem", tmp_path / "cp302.key")
    pair.cert.write_text(chain)
    pair.key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    async with station(shared_tls_server.tls_url, "CP302", ssl=client(pki, cert=pair)) as cp:
        await cp.call(call.Heartbeat())
    row = await wait_for(lambda: _connect_row(shared_db, "CP302"))
    assert row.startswith("true|CP302|") and "ocpp-cs development CA" in row


async def _connect_row(db, identity: str) -> str:
    return await db.sql(
        "select payload->>'tls', payload->'certificate'->>'cn', "
        "payload->'certificate'->>'fingerprint', payload->'certificate'->>'issuer', "
        "payload->'certificate'->>'serial' from cs.message_log "
        f"where identity = '{identity}' and action = 'Connect'")


# ---- configuration errors: one line naming the file

def _tls_config(tmp_path: Path, certificates: list[Path], keys: list[Path],
                station_ca: list[Path] | None = None) -> Config:
    config = Config()
    config.tls.port = 9221
    config.tls.certificates = [str(p) for p in certificates]
    config.tls.keys = [str(p) for p in keys]
    config.tls.station_ca = [str(p) for p in station_ca or []]
    config.certificates.ca_dir = str(tmp_path / "ca")
    return config


def test_builder_names_the_file_at_fault(pki, tmp_path):
    lone = pki.lone_key()
    cases = [
        (_tls_config(tmp_path, [pki.ec.cert], [lone]),
         f"tls: key {lone} does not match certificate {pki.ec.cert}"),
        (_tls_config(tmp_path, [pki.ec.cert], [pki.rsa.key]),
         f"tls: key {pki.rsa.key} does not match certificate {pki.ec.cert}"),
        (_tls_config(tmp_path, [pki.ec.cert], [tmp_path / "missing.key"]),
         f"tls: cannot read key {tmp_path / 'missing.key'}: No such file or directory"),
        (_tls_config(tmp_path, [pki.ec.cert, pki.rsa.cert], [pki.ec.key]),
         "tls: 2 certificates but 1 keys"),
        (_tls_config(tmp_path, [pki.rsa.cert, pki.rsa.cert], [pki.rsa.key, pki.rsa.key]),
         f"tls: {pki.rsa.cert} and {pki.rsa.cert} both hold RSA keys"),
        (_tls_config(tmp_path, [pki.ec.key], [pki.ec.key]),
         f"tls: {pki.ec.key} holds no PEM certificate"),
        (_tls_config(tmp_path, [pki.ec.cert], [pki.ec.key], [pki.ec.key]),
         f"tls: station CA {pki.ec.key} holds no usable certificate"),
        (_tls_config(tmp_path, [pki.ec.cert], [pki.ec.key], [tmp_path / "nope.pem"]),
         f"tls: cannot read station CA {tmp_path / 'nope.pem'}"),
    ]
    for config, message in cases:
        with pytest.raises(ConfigError) as e:
            server_context(config)
        assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_builder_loads_both_key_types_and_trusts_the_local_ca(pki, tmp_path):
    config = _tls_config(tmp_path, [pki.rsa.cert, pki.ec.cert], [pki.rsa.key, pki.ec.key],
                         [pki.station_ca])
    context = server_context(config)
    assert context.verify_mode == ssl.CERT_OPTIONAL
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    trusted = {c["subject"][-1][0][1] for c in context.get_ca_certs()}
    assert trusted == {"ocpp-cs test station CA", "ocpp-cs development CA"}
    assert (tmp_path / "ca" / "ca.pem").is_file()
    config.certificates.signer = "none"
    config.tls.station_ca = []
    assert server_context(config).verify_mode == ssl.CERT_NONE  # nothing to verify against


@pytest.mark.parametrize("keys", ["mismatch", "missing"])
def test_serve_prints_one_line_and_exits_2(pki, tmp_path, keys):
    key = pki.rsa.key if keys == "mismatch" else tmp_path / "gone.key"
    conf = tmp_path / "ocpp-cs.toml"
    conf.write_text(f'[tls]\nport = 9221\ncertificates = ["{pki.ec.cert}"]\nkeys = ["{key}"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_CS_")}
    out = subprocess.run([*OCPP_CS, "serve", "--config", str(conf), "--data-dir",
                          str(tmp_path / "data"), "--no-emulator"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2
    expected = (f"ocpp-cs: tls: key {key} does not match certificate {pki.ec.cert}"
                if keys == "mismatch" else f"ocpp-cs: tls: cannot read key {key}: ")
    assert out.stderr.startswith(expected) and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data" / "pgdata").exists()  # refused before PostgreSQL started


# ---- what ocpp.connect decides (needs the main branch's ocpp.connect: tls, certificate, profiles)

async def _refused(url: str, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as e:
        async with websockets.connect(url, subprotocols=["ocpp1.6"], **kwargs):
            pass
    return e.value.response.status_code


async def test_profile_3_needs_no_password(tls_server, pki, db):
    await db.sql("select ocpp.add_station('SP3', 'Accepted'); "
                 "select ocpp.set_station_password('SP3', 'secret'); "
                 "select ocpp.set_setting('station.auth_required', 'true')")
    async with station(tls_server.tls_url, "SP3", ssl=client(pki, cert=pki.station("SP3"))) as cp:
        await cp.call(call.Heartbeat())
        assert await db.sql("select c.security_profile from cs.connection c "
                            "join cs.station s on s.id = c.station_id where s.identity = 'SP3'") == "3"
    # a certificate of another station is no credential for this one
    assert await _refused(f"{tls_server.tls_url}/SP3",
                          ssl=client(pki, cert=pki.station("OTHER3"))) == 401


async def test_profile_2_checks_the_password(shared_tls_server, pki, shared_db):
    await shared_db.sql("select ocpp.add_station('SP2', 'Accepted'); "
                        "select ocpp.set_station_password('SP2', 'secret')")
    assert await _refused(f"{shared_tls_server.tls_url}/SP2", ssl=client(pki),
                          additional_headers=basic("SP2", "wrong")) == 401
    async with station(shared_tls_server.tls_url, "SP2", ssl=client(pki),
                       additional_headers=basic("SP2", "secret")) as cp:
        await cp.call(call.Heartbeat())
        assert await shared_db.sql("select c.security_profile from cs.connection c "
                                   "join cs.station s on s.id = c.station_id where s.identity = 'SP2'") == "2"


async def test_profile_below_the_station_minimum_is_refused(shared_tls_server, pki, shared_db):
    await shared_db.sql("select ocpp.add_station('SPMIN', 'Accepted'); "
                        "select ocpp.set_station_password('SPMIN', 'secret'); "
                        "select ocpp.set_station_security_profile('SPMIN', 3)")
    # the right password, over plain ws:// (profile 1) and over TLS (profile 2): both too low
    assert await _refused(f"{shared_tls_server.url}/SPMIN",
                          additional_headers=basic("SPMIN", "secret")) == 401
    assert await _refused(f"{shared_tls_server.tls_url}/SPMIN", ssl=client(pki),
                          additional_headers=basic("SPMIN", "secret")) == 401
    async with station(shared_tls_server.tls_url, "SPMIN",
                       ssl=client(pki, cert=pki.station("SPMIN"))) as cp:
        await cp.call(call.Heartbeat())


# ---- the plain port switched off

async def test_plain_false_leaves_only_the_tls_port(db, tls_config, pki):
    tls_config.server.plain = False
    srv, runner = await start_server(db, tls_config)
    try:
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", srv.port)
        async with station(srv.tls_url, "TLSONLY", ssl=client(pki)) as cp:
            await cp.call(call.Heartbeat())
    finally:
        await runner.cleanup()


def test_nothing_to_listen_on_is_a_config_error():
    config = Config()
    config.server.plain = False
    with pytest.raises(ConfigError, match="nothing to listen on"):
        plan(config)
