"""Behind a TLS-terminating proxy: Debian's nginx, running docs/nginx-ocpp-cs.conf (paths and ports
replaced) in front of a test server that trusts 127.0.0.1. What ocpp.connect is told shows in the
message log's Connect row; forwarded headers from anyone else are ignored."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import quote

import pytest
import pytest_asyncio
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from ocpp.v16 import call
from websockets.exceptions import InvalidStatus

from conftest import Database, Server, free_port, start_server, wait_for
from ocpp_cs.config import Config, ConfigError
from ocpp_cs.transport.proxy import TrustedProxies
from pki import Pair, Pki
from test_station_flow import station
from test_tls import client

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf(folder: Path, pki: Pki, port: int, upstream: int) -> Path:
    """The shipped site file, pointed at the test PKI and ports, inside the smallest nginx.conf
    that keeps every file nginx writes in `folder`."""
    site = (ROOT / "docs" / "nginx-ocpp-cs.conf").read_text()
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
                     ("server 127.0.0.1:9220;", f"server 127.0.0.1:{upstream};"),
                     ("/etc/ocpp-cs/server-rsa.pem", str(pki.rsa.cert)),
                     ("/etc/ocpp-cs/server-rsa.key", str(pki.rsa.key)),
                     ("/etc/ocpp-cs/server-ec.pem", str(pki.ec.cert)),
                     ("/etc/ocpp-cs/server-ec.key", str(pki.ec.key)),
                     ("/etc/ocpp-cs/station-ca.pem", str(pki.station_ca))):
        assert old in site, f"docs/nginx-ocpp-cs.conf no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind}_temp;"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(f"""daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    include {folder}/site.conf;
}}
""")
    return conf


async def wait_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("nginx did not start listening")


@pytest.fixture
def proxy_config(server_config: Config, pki: Pki) -> Config:
    server_config.tls.trusted_proxies = ["127.0.0.1"]
    server_config.tls.station_ca = [str(pki.station_ca)]
    return server_config


@pytest_asyncio.fixture
async def behind_nginx(db: Database, proxy_config: Config, pki: Pki
                       ) -> AsyncIterator[tuple[Server, str]]:
    """The test server, and the wss:// URL of nginx in front of it."""
    srv, runner = await start_server(db, proxy_config)
    # Not pytest's tmp_path: as root nginx's worker runs as nobody and must reach its temp folders.
    folder = Path(tempfile.mkdtemp(prefix="ocpp-cs-nginx-"))
    folder.chmod(0o755)
    port = free_port()
    conf = nginx_conf(folder, pki, port, srv.port)
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-e",
                             str(folder / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await wait_port(port, proc, folder / "error.log")
        yield srv, f"wss://127.0.0.1:{port}/ocpp"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        await runner.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


async def connect_row(db: Database, identity: str) -> str:
    return await db.sql("select payload->>'tls' || '|' || coalesce(payload->'certificate'->>'cn', '') "
                        "|| '|' || coalesce(payload->'certificate'->>'fingerprint', '') "
                        f"from cs.message_log where identity = '{identity}' and action = 'Connect'")


def fingerprint(pair: Pair) -> str:
    cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def forwarded_headers(pair: Pair, haproxy: bool = False) -> dict[str, str]:
    """What nginx sends for a verified client certificate ($ssl_client_escaped_cert), or HAProxy
    (%[ssl_c_der,base64])."""
    leaf = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    value = (base64.b64encode(leaf.public_bytes(serialization.Encoding.DER)).decode() if haproxy
             else quote(leaf.public_bytes(serialization.Encoding.PEM).decode(), safe=""))
    return {"X-Forwarded-Proto": "https", "X-SSL-Client-Verify": "SUCCESS",
            "X-SSL-Client-Cert": value}


async def test_client_certificate_through_nginx_reaches_sql(behind_nginx, pki, db):
    _, url = behind_nginx
    mine = pki.station("CP401")
    async with station(url, "CP401", ssl=client(pki, cert=mine)) as cp:
        await cp.call(call.Heartbeat())
    assert await wait_for(lambda: connect_row(db, "CP401")) == f"true|CP401|{fingerprint(mine)}"


async def test_no_client_certificate_through_nginx_is_tls_only(behind_nginx, pki, db):
    _, url = behind_nginx
    # a station's own copy of the header is replaced by nginx's (empty: dropped)
    async with station(url, "CP402", ssl=client(pki),
                       additional_headers=forwarded_headers(pki.station("CP402"))) as cp:
        await cp.call(call.Heartbeat())
    assert await wait_for(lambda: connect_row(db, "CP402")) == "true||"


async def test_nginx_refuses_a_self_signed_client_certificate(behind_nginx, pki, db):
    _, url = behind_nginx
    with pytest.raises(InvalidStatus) as e:
        async with websockets.connect(f"{url}/CP403", subprotocols=["ocpp1.6"],
                                      ssl=client(pki, cert=pki.station("CP403", self_signed=True))):
            pass
    assert e.value.response.status_code == 400  # nginx's "The SSL certificate error"
    await asyncio.sleep(0.2)  # a message-log flush interval: a row would be there by now
    assert await db.sql("select count(*) from cs.message_log where identity = 'CP403'") == "0"


async def test_a_trusted_proxy_forwards_only_certificates_of_our_station_cas(server_config, pki, db):
    """ocpp-cs checks the issuer itself: the proxy may trust CAs that ocpp-cs does not. (Also the
    base64 DER form HAProxy sends.)"""
    server_config.tls.trusted_proxies = ["127.0.0.0/8"]
    server_config.certificates.signer = "none"  # only the station CA below
    other = Pki(Path(tempfile.mkdtemp(prefix="ocpp-cs-pki-")))
    server_config.tls.station_ca = [str(pki.station_ca)]
    srv, runner = await start_server(db, server_config)
    try:
        pairs = {"CP404": pki.station("CP404"), "CP405": other.station("CP405"),
                 "CP408": pki.station("CP408")}
        for identity, pair in pairs.items():
            async with station(srv.url, identity, additional_headers=forwarded_headers(
                    pair, haproxy=identity == "CP408")) as cp:
                await cp.call(call.Heartbeat())
        for identity in ("CP404", "CP408"):
            assert await wait_for(lambda: connect_row(db, identity)) == \
                f"true|{identity}|{fingerprint(pairs[identity])}"
        assert await wait_for(lambda: connect_row(db, "CP405")) == "true||"
    finally:
        await runner.cleanup()
        shutil.rmtree(other.folder, ignore_errors=True)


async def test_forwarded_headers_from_an_untrusted_address_are_ignored(server_config, pki, db,
                                                                     caplog):
    server_config.tls.trusted_proxies = ["10.9.9.9"]  # the test client is 127.0.0.1
    server_config.tls.station_ca = [str(pki.station_ca)]
    srv, runner = await start_server(db, server_config)
    try:
        with caplog.at_level(logging.INFO, logger="ocpp_cs.transport"):
            async with station(srv.url, "CP406",
                               additional_headers=forwarded_headers(pki.station("CP406"))) as cp:
                await cp.call(call.Heartbeat())
        assert await wait_for(lambda: connect_row(db, "CP406")) == "false||"
        assert any("not a trusted proxy" in r.getMessage() and "X-SSL-Client-Cert" in r.getMessage()
                   for r in caplog.records)
    finally:
        await runner.cleanup()


# ---- needs the main branch's ocpp.connect (profiles from tls and certificate)

async def test_profile_3_through_nginx(behind_nginx, pki, db):
    _, url = behind_nginx
    await db.sql("select ocpp.add_station('CP407', 'Accepted'); "
                 "select ocpp.set_station_password('CP407', 'secret'); "
                 "select ocpp.set_setting('station.auth_required', 'true')")
    async with station(url, "CP407", ssl=client(pki, cert=pki.station("CP407"))) as cp:
        await cp.call(call.Heartbeat())
        assert await db.sql("select c.security_profile from cs.connection c join cs.station s "
                            "on s.id = c.station_id where s.identity = 'CP407'") == "3"


def test_a_bad_trusted_proxy_entry_is_a_config_error():
    config = Config()
    config.tls.trusted_proxies = ["127.0.0.1", "nginx.local"]
    with pytest.raises(ConfigError, match="'nginx.local' is not an IP address or network"):
        TrustedProxies.from_config(config)
