"""Station passwords end to end with independent stations (the `ocpp` package): a 2.0.1 station
takes a new BasicAuthPassword, a 1.6 station a new binary AuthorizationKey; each reconnects with the new
secret (accepted) and the old one (HTTP 401), and the secret is nowhere in the database, its dump, the
message log or the logs. Also: a CSR the signer cannot parse does not hold up another station's."""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import shutil
import subprocess

import asyncpg
import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call_result as result201

from ocpp_cs.app import DISPATCHER

from conftest import Database, Server, wait_for
from test_station_flow import station


def basic(identity: str, password: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(identity.encode() + b":" + password).decode()}


class Station201(ChargePoint201):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passwords: list[str] = []

    @on("SetVariables")
    async def on_set_variables(self, set_variable_data, **_):
        results = []
        for item in set_variable_data:
            if item["variable"]["name"] == "BasicAuthPassword":
                self.passwords.append(item["attribute_value"])
            results.append({"attributeStatus": "Accepted", "component": item["component"],
                            "variable": item["variable"]})
        return result201.SetVariables(set_variable_result=results)


class Station16(ChargePoint16):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.keys: list[str] = []

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value, **_):
        if key == "AuthorizationKey":
            self.keys.append(value)
        return result16.ChangeConfiguration(status="Accepted")


def connected(server: Server, identity: str, cls: type, version: str, password: bytes):
    return station(server.url, identity, cls=cls, version=version,
                   additional_headers=basic(identity, password))


async def handshake_status(server: Server, identity: str, version: str, password: bytes) -> int:
    """101 when the handshake is accepted, else the HTTP status it was refused with."""
    try:
        async with websockets.connect(f"{server.url}/{identity}", subprotocols=[f"ocpp{version}"],
                                      additional_headers=basic(identity, password)):
            return 101
    except websockets.InvalidStatus as e:
        return e.response.status_code


async def command_status(conn: asyncpg.Connection, command_id: int) -> str:
    return await conn.fetchval("select ocpp.command($1)->>'status'", command_id)


async def finished(conn: asyncpg.Connection, command_id: int) -> str:
    """The command's final status, once it has one."""
    async def status() -> str | None:
        s = await command_status(conn, command_id)
        return None if s in ("queued", "sent") else s
    return await wait_for(status, 10)


def dump(db: Database) -> str:
    pg_dump = shutil.which("pg_dump") or str(db.cluster.bindir / "pg_dump")
    return subprocess.run([pg_dump, *db.cluster.psql_args(db.name)], capture_output=True, text=True,
                          check=True).stdout


async def logged_payloads(conn: asyncpg.Connection, identity: str) -> str:
    return await conn.fetchval("select string_agg(m::text, ' ') from cs.message_log m "
                               "where identity = $1", identity) or ""


async def assert_secret_nowhere(secret: str, db: Database, conn: asyncpg.Connection, identity: str,
                                caplog: pytest.LogCaptureFixture) -> None:
    await asyncio.sleep(0.3)  # the message log's last batch
    assert secret not in dump(db), "the secret is in the database"
    assert secret not in await logged_payloads(conn, identity)
    assert secret not in caplog.text, "the secret is in the server's log"
    assert secret not in db.cluster.logfile.read_text(), "the secret is in PostgreSQL's log"


async def test_2_0_1_password_change_takes_effect_and_stays_secret(server, db, conn, caplog):
    caplog.set_level(logging.DEBUG, logger="ocpp_cs")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    old, new = b"old-password-201-abc", "new-password-201-xyz"
    await conn.execute("select ocpp.add_station('PW201', 'Accepted', $1)", old.decode())
    async with connected(server, "PW201", Station201, "2.0.1", old) as cp:
        command = await conn.fetchval("select ocpp.change_station_password('PW201', $1)", new)
        assert await finished(conn, command) == "answered"
        assert cp.passwords == [new], "the station gets the clear password, not the mask"
        shown = await conn.fetchval("select ocpp.command($1)", command)
        assert "********" in shown and new not in shown
    assert await handshake_status(server, "PW201", "2.0.1", new.encode()) == 101
    assert await handshake_status(server, "PW201", "2.0.1", old) == 401
    await assert_secret_nowhere(new, db, conn, "PW201", caplog)


async def test_1_6_binary_authorization_key_rotation(server, db, conn, caplog):
    caplog.set_level(logging.DEBUG, logger="ocpp_cs")
    old = bytes(range(0, 40, 2))  # 20 bytes, a zero byte first: no text at all
    await conn.execute("select ocpp.add_station('KEY16')")
    await conn.execute("select ocpp.set_station_key('KEY16', $1)", old)
    async with connected(server, "KEY16", Station16, "1.6", old) as cp:
        command = await conn.fetchval("select ocpp.rotate_station_password('KEY16')")
        assert await finished(conn, command) == "answered"
        assert len(cp.keys) == 1 and len(cp.keys[0]) == 40, cp.keys
    key_hex = cp.keys[0]
    key = bytes.fromhex(key_hex)
    assert await handshake_status(server, "KEY16", "1.6", key) == 101, "the new binary key"
    assert await handshake_status(server, "KEY16", "1.6", key_hex.encode()) == 101, \
        "the new key as its hex text (station.password_hex_fallback)"
    assert await handshake_status(server, "KEY16", "1.6", old) == 401, "the old key"
    await assert_secret_nowhere(key_hex, db, conn, "KEY16", caplog)
    assert key_hex.upper() not in dump(db)


async def test_a_password_the_node_never_received_is_refused_not_sent_masked(server, db, conn):
    """The clear value comes only by NOTIFY; a node without it refuses rather than send '********'."""
    await conn.execute("select ocpp.add_station('PW-LOST', 'Accepted', 'lost-password-16-chars')")
    async with connected(server, "PW-LOST", Station201, "2.0.1", b"lost-password-16-chars") as cp:
        server.app[DISPATCHER].secrets.max_held = 0  # this node forgets every password it is handed
        command = await conn.fetchval("select ocpp.change_station_password('PW-LOST', $1)",
                                      "never-arrives-anywhere")
        status = await finished(conn, command)
        answer = await conn.fetchval("select ocpp.command($1)", command)
        assert status == "refused", answer
        assert "never reached this node" in answer
        assert cp.passwords == []


def csr(common_name: str, *, bad_version: bool = False) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    request = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])).sign(key, hashes.SHA256())
    der = bytearray(request.public_bytes(serialization.Encoding.DER))
    if bad_version:
        der[der.find(b"\x02\x01\x00") + 2] = 5  # version INTEGER 0 → 5: not a version CSRs have
    return ("-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(bytes(der)).decode()
            + "-----END CERTIFICATE REQUEST-----\n")


async def test_an_unparsable_csr_is_rejected_alone(server, db, conn):
    for identity in ("CSR-BAD", "CSR-GOOD"):
        await conn.execute("select ocpp.add_station($1)", identity)
    # the bad one is older, so a signer that stops at it would never reach the good one
    await conn.execute("select ocpp.parse('CSR-BAD', 'u1', 'SignCertificate', $1, null, '2.0.1')",
                       f'{{"csr": {json.dumps(csr("CSR-BAD", bad_version=True))}}}')
    await conn.execute("select ocpp.parse('CSR-GOOD', 'u2', 'SignCertificate', $1, null, '2.0.1')",
                       f'{{"csr": {json.dumps(csr("CSR-GOOD"))}}}')
    await conn.execute("select pg_notify('ocpp_csr', '')")

    async def outcome():
        rows = await conn.fetch("select s.identity, r.status, r.command_id is not null as queued "
                                "from cs.certificate_request r join cs.station s on s.id = r.station_id "
                                "order by s.identity")
        decided = {r["identity"]: (r["status"], r["queued"]) for r in rows}
        return decided if decided.get("CSR-BAD", ("Pending",))[0] != "Pending" \
            and decided.get("CSR-GOOD", ("", False))[1] else None

    decided = await wait_for(outcome, 15)
    assert decided["CSR-BAD"] == ("Rejected", False)
    assert decided["CSR-GOOD"] == ("Pending", True), "signed: its CertificateSigned is queued"
    reason = await conn.fetchval("select reason from cs.review where action = 'SignCertificate'")
    assert "CSR does not parse" in reason and "version" in reason
