"""OCPP 1.5 and 1.6 over SOAP against the real server, driven by an independent client: zeep, built
from the official WSDLs, plus a small plugin for the WS-Addressing From header OCPP needs (zeep adds
Action, MessageID and To itself because the WSDLs declare UsingAddressing — the same code as
zeep.wsa.WsAddressingPlugin — but never From). A small SOAP charge-point endpoint inside the tests
receives the commands queued in SQL. Every fault has a test with its exact Code, Subcode and HTTP
status and its message-log rows; hostile XML is refused without expansion or fetching."""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
import zeep
from aiohttp import web
from lxml import etree
from zeep import Plugin

from conftest import ROOT, free_port, wait_for

WSDL = Path(__file__).resolve().parent / "wsdl"  # the OCA's files, unchanged (wsdl/README.md)
CS_WSDL = {"1.5": WSDL / "ocpp_centralsystemservice_1.5_final.wsdl",
           "1.6": WSDL / "OCPP_CentralSystemService_1.6.wsdl"}
CS_NS = {"1.5": "urn://Ocpp/Cs/2012/06/", "1.6": "urn://Ocpp/Cs/2015/10/"}
CP_NS = {"1.5": "urn://Ocpp/Cp/2012/06/", "1.6": "urn://Ocpp/Cp/2015/10/"}
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
SOAP_TYPE = "application/soap+xml; charset=utf-8"

# ------------------------------------------------------------------------------------ the client
class WsaFrom(Plugin):
    """Adds wsa:From/wsa:Address: where the central system POSTs its commands to this station."""

    def __init__(self, address: str):
        self.address = address

    def egress(self, envelope, http_headers, operation, binding_options):
        header = envelope.find(f"{{{SOAP}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP}}}Header")
            envelope.insert(0, header)
        sender = etree.SubElement(header, f"{{{WSA}}}From")
        etree.SubElement(sender, f"{{{WSA}}}Address").text = self.address
        return envelope, http_headers


class Station:
    """A SOAP station as zeep sees the WSDL: every call runs in a thread (zeep is synchronous)."""

    def __init__(self, version: str, url: str, identity: str, from_address: str):
        self.identity = identity
        client = zeep.Client(str(CS_WSDL[version]), plugins=[WsaFrom(from_address)])
        binding = next(iter(client.wsdl.bindings))
        self.service = client.create_service(binding, url)

    async def call(self, operation: str, **fields: Any) -> Any:
        method = getattr(self.service, operation)
        return await asyncio.to_thread(
            method, **fields, _soapheaders={"ChargeBoxIdentity": self.identity})


def soap_url(server) -> str:
    return f"http://127.0.0.1:{server.port}/Ocpp/CentralSystemService"


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


async def sql(conn, query: str, *args: Any) -> Any:
    return await conn.fetchval(query, *args)


async def station_row(conn, identity: str) -> dict[str, Any]:
    return json.loads(await sql(conn, "select to_jsonb(s)::text from cs.station s "
                                      "where identity = $1", identity))


# ------------------------------------------------------------------------------ a charge point
class ChargePointEndpoint:
    """The station's side for commands: answers ChargePointService requests by operation with
    `answers` ({"Reset": {"status": "Accepted"}}, an int = HTTP status with a Fault, or a float =
    seconds to sleep first) and records what it received."""

    def __init__(self, version: str = "1.6"):
        self.version = version
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/ChargePointService"
        self.received: list[etree._Element] = []
        self.answers: dict[str, Any] = {"Reset": {"status": "Accepted"},
                                        "RemoteStartTransaction": {"status": "Accepted"}}
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self.handle)
        self.runner = web.AppRunner(app, shutdown_timeout=1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        root = etree.fromstring(await request.read(), etree.XMLParser(resolve_entities=False,
                                                                      no_network=True))
        self.received.append(root)
        request_element = root.find(f"{{{SOAP}}}Body")[0]
        name = etree.QName(request_element).localname           # resetRequest
        operation = name[0].upper() + name[1:-len("Request")]   # Reset
        message_id = root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}MessageID")
        answer = self.answers.get(operation, {})
        if isinstance(answer, float):
            await asyncio.sleep(answer)
            answer = {"status": "Accepted"}
        if isinstance(answer, int):
            return web.Response(status=answer, content_type="application/soap+xml", text=f"""\
<s:Envelope xmlns:s="{SOAP}" xmlns:cp="{CP_NS[self.version]}"><s:Body><s:Fault>
<s:Code><s:Value>s:Sender</s:Value>
<s:Subcode><s:Value>cp:NotSupported</s:Value></s:Subcode></s:Code>
<s:Reason><s:Text xml:lang="en">this station does not reset</s:Text></s:Reason>
</s:Fault></s:Body></s:Envelope>""")
        ns = CP_NS[self.version]
        envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"s": SOAP, "a": WSA, "cp": ns})
        header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
        etree.SubElement(header, f"{{{WSA}}}Action").text = f"/{operation}Response"
        etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = message_id
        body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
        response = etree.SubElement(body, f"{{{ns}}}{name[:-len('Request')]}Response")
        for key, value in answer.items():
            etree.SubElement(response, f"{{{ns}}}{key}").text = str(value)
        return web.Response(body=etree.tostring(envelope), content_type="application/soap+xml")


@pytest_asyncio.fixture
async def charge_point() -> AsyncIterator[ChargePointEndpoint]:
    cp = ChargePointEndpoint()
    await cp.start()
    yield cp
    await cp.stop()


async def booted(server, identity: str, from_address: str, version: str = "1.6") -> Station:
    station = Station(version, soap_url(server), identity, from_address)
    answer = await station.call("BootNotification", chargePointVendor="TestVendor",
                                chargePointModel="SoapModel")
    assert answer.status == "Accepted"
    return station


# ------------------------------------------------------------------------------------ sessions
async def test_16_station_charges_over_soap(server, conn):
    station = await booted(server, "SOAP16", "http://127.0.0.1:1/cp16")
    row = await station_row(conn, "SOAP16")
    assert row["version"] == "1.6" and row["vendor"] == "TestVendor"
    assert "http://127.0.0.1:1/cp16" in json.dumps(row)          # its latest From address
    assert await sql(conn, "select count(*) from cs.connection") == 0  # no socket: a SOAP station

    await station.call("StatusNotification", connectorId=1, status="Available",
                       errorCode="NoError", timestamp=now())
    authorized = await station.call("Authorize", idTag="SOAPTAG")
    assert authorized.status == "Accepted"   # zeep unwraps a response of one element: idTagInfo
    started = await station.call("StartTransaction", connectorId=1, idTag="SOAPTAG",
                                 timestamp=now(), meterStart=1000)
    assert started.idTagInfo.status == "Accepted" and started.transactionId > 0
    await station.call("MeterValues", connectorId=1, transactionId=started.transactionId,
                       meterValue=[{"timestamp": now(), "sampledValue": [
                           {"value": "1500", "measurand": "Energy.Active.Import.Register",
                            "unit": "Wh"}]}])
    stopped = await station.call("StopTransaction", transactionId=started.transactionId,
                                 idTag="SOAPTAG", timestamp=now(), meterStop=2500,
                                 reason="Local")
    assert stopped.status == "Accepted"
    heartbeat = await station.call("Heartbeat")
    assert heartbeat.year >= 2024     # currentTime, read by zeep as a datetime

    tx = await conn.fetchrow("select t.* from cs.transaction t join cs.station s on "
                             "s.id = t.station_id where s.identity = 'SOAP16'")
    assert (tx["id"], tx["evse_id"], tx["id_tag"], tx["meter_start"], tx["meter_stop"],
            tx["stop_reason"]) == (started.transactionId, 1, "SOAPTAG", 1000, 2500, "Local")
    assert await sql(conn, "select numeric_value from cs.meter_value where transaction_id = $1 "
                           "and measurand = 'Energy.Active.Import.Register' order by id limit 1",
                     started.transactionId) == 1500
    assert await sql(conn, "select status from cs.status_notification n join cs.station s on "
                           "s.id = n.station_id where s.identity = 'SOAP16'") == "Available"
    # a message-log row for each request and response, without an OCPP-J message type
    async def rows():
        return await sql(conn, "select count(*) from cs.message_log where identity = 'SOAP16' "
                               "and message_type is null and action = 'StartTransaction'") == 2
    await wait_for(rows)


async def test_15_station_boots_and_charges_over_soap(server, conn):
    station = await booted(server, "SOAP15", "http://127.0.0.1:1/cp15", "1.5")
    assert (await station_row(conn, "SOAP15"))["version"] == "1.5"
    await station.call("Heartbeat")
    started = await station.call("StartTransaction", connectorId=2, idTag="TAG15",
                                 timestamp=now(), meterStart=0)
    assert started.idTagInfo.status == "Accepted"
    stopped = await station.call("StopTransaction", transactionId=started.transactionId,
                                 idTag="TAG15", timestamp=now(), meterStop=7000)
    assert stopped.status == "Accepted"
    tx = await conn.fetchrow("select * from cs.transaction where id = $1", started.transactionId)
    # a 1.x connector n is EVSE n
    assert (tx["evse_id"], tx["id_tag"], tx["meter_stop"]) == (2, "TAG15", 7000)


# ------------------------------------------------------------------------------------ commands
async def command(conn, identity: str, action: str, payload: dict[str, Any],
                  timeout: float = 10.0) -> dict[str, Any]:
    cid = await sql(conn, "select ocpp.send($1, $2, $3::jsonb)", identity, action,
                    json.dumps(payload))

    async def final():
        c = json.loads(await sql(conn, "select ocpp.command($1)::text", cid))
        return c if c["status"] not in ("queued", "sent") else None
    return await wait_for(final, timeout)


async def test_reset_and_remote_start_reach_a_soap_station(server, conn, charge_point):
    await booted(server, "SOAP1", charge_point.url)
    c = await command(conn, "SOAP1", "Reset", {"type": "Soft"})
    assert c["status"] == "answered" and c["response"] == {"status": "Accepted"}, c
    sent = charge_point.received[0]
    assert sent.findtext(f"{{{SOAP}}}Header/{{{CP_NS['1.6']}}}chargeBoxIdentity") == "SOAP1"
    assert sent.findtext(f"{{{SOAP}}}Header/{{{WSA}}}Action") == "/Reset"
    assert sent.findtext(f"{{{SOAP}}}Header/{{{WSA}}}To") == charge_point.url
    assert sent.findtext(f"{{{SOAP}}}Body/{{{CP_NS['1.6']}}}resetRequest/"
                         f"{{{CP_NS['1.6']}}}type") == "Soft"

    c = await command(conn, "SOAP1", "RemoteStartTransaction", {"idTag": "R1", "connectorId": 1})
    assert c["status"] == "answered" and c["response"] == {"status": "Accepted"}, c
    body = charge_point.received[1].find(f"{{{SOAP}}}Body")[0]
    assert etree.QName(body).localname == "remoteStartTransactionRequest"
    async def rows():
        return await sql(conn, "select count(*) from cs.message_log where identity = 'SOAP1' "
                               "and message_type is null and action = 'Reset'") >= 2
    await wait_for(rows)


async def test_station_fault_is_the_command_error(server, conn, charge_point):
    await booted(server, "SOAP2", charge_point.url)
    charge_point.answers["Reset"] = 400
    c = await command(conn, "SOAP2", "Reset", {"type": "Hard"})
    assert c["status"] == "error", c
    assert c["error"]["code"] == "NotSupported"
    assert c["error"]["description"] == "this station does not reset"
    assert c["error"]["details"]["httpStatus"] == 400


async def test_dead_endpoint_is_an_error(server, conn):
    await booted(server, "SOAP3", f"http://127.0.0.1:{free_port()}/nobody")
    c = await command(conn, "SOAP3", "Reset", {"type": "Soft"})
    assert c["status"] == "error", c
    assert c["error"]["code"] == "GenericError"


async def test_http_error_without_a_fault_is_an_error_with_its_status(server, conn):
    async def teapot(request: web.Request) -> web.Response:
        return web.Response(status=503, text="busy")
    app = web.Application()
    app.router.add_post("/{p:.*}", teapot)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await booted(server, "SOAP4", f"http://127.0.0.1:{port}/cp")
        c = await command(conn, "SOAP4", "Reset", {"type": "Soft"})
        assert c["status"] == "error" and c["error"]["code"] == "GenericError", c
        assert c["error"]["details"]["httpStatus"] == 503
    finally:
        await runner.cleanup()


@pytest.fixture
def short_call_timeout(server_config):
    server_config.ocpp.call_timeout = 1.0
    return server_config


async def test_silent_station_is_a_timeout(short_call_timeout, server, conn, charge_point):
    await booted(server, "SOAP5", charge_point.url)
    charge_point.answers["Reset"] = 3.0
    c = await command(conn, "SOAP5", "Reset", {"type": "Soft"})
    assert c["status"] == "timeout", c


# ------------------------------------------------------------------------------------ faults
def envelope(body: str, *, identity: str | None = "FAULTY", version: str = "1.6",
             action: str = "/Heartbeat", prolog: str = "") -> str:
    header = f"<cs:chargeBoxIdentity>{identity}</cs:chargeBoxIdentity>" if identity else ""
    return (f'{prolog}<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}" xmlns:cs="{CS_NS[version]}">'
            f"<s:Header>{header}<a:Action>{action}</a:Action>"
            f"<a:MessageID>urn:uuid:{uuid.uuid4()}</a:MessageID>"
            f"<a:From><a:Address>http://127.0.0.1:1/x</a:Address></a:From>"
            f"<a:To>http://127.0.0.1/Ocpp</a:To></s:Header><s:Body>{body}</s:Body></s:Envelope>")


async def post(server, data: str | bytes, content_type: str = SOAP_TYPE,
               path: str = "/Ocpp/CentralSystemService") -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{server.port}{path}",
                             data=data.encode() if isinstance(data, str) else data,
                             headers={"Content-Type": content_type}) as r:
            return r.status, r.headers.get("Content-Type", ""), await r.read()


def fault_of(body: bytes) -> tuple[str, str, str]:
    """(Code, Subcode, Reason) of a SOAP 1.2 Fault, codes without their prefix."""
    root = etree.fromstring(body)
    f = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert f is not None, body
    code = f.findtext(f"{{{SOAP}}}Code/{{{SOAP}}}Value").rpartition(":")[2]
    sub = (f.findtext(f"{{{SOAP}}}Code/{{{SOAP}}}Subcode/{{{SOAP}}}Value") or "").rpartition(":")[2]
    return code, sub, f.findtext(f"{{{SOAP}}}Reason/{{{SOAP}}}Text") or ""


async def logged(conn, subcode: str) -> None:
    """A message-log row for the Fault and one for the request it answers (same MessageID), both
    without an OCPP-J message type."""
    async def rows():
        return await sql(conn, "select count(*) from cs.message_log o join cs.message_log i on "
                               "i.direction = 'in' and i.message_type is null and "
                               "i.unique_id is not distinct from o.unique_id and i.id < o.id "
                               "where o.direction = 'out' and o.message_type is null and "
                               "o.error_code = $1", subcode)
    await wait_for(rows)


async def still_serving(server) -> None:
    status, _, body = await post(server, envelope("<cs:heartbeatRequest/>", identity="ALIVE"))
    assert status == 200, body
    assert b"heartbeatResponse" in body


@pytest.mark.parametrize("data, code, subcode, status", [
    ("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>",
     "Sender", "FormationViolation", 400),                                 # malformed XML
    ("", "Sender", "FormationViolation", 400),                              # empty body
    ("<Envelope><Body/></Envelope>", "Sender", "FormationViolation", 400),  # not a SOAP envelope
    ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>',
     "VersionMismatch", "ProtocolError", 500),                              # SOAP 1.1
    (envelope("<cs:heartbeatRequest>" + "<x>" * 100 + "</x>" * 100 + "</cs:heartbeatRequest>"),
     "Sender", "FormationViolation", 400),                                 # too deep
], ids=["malformed", "empty", "not SOAP", "SOAP 1.1", "too deep"])
async def test_envelope_refused_before_sql(server, conn, data, code, subcode, status):
    got_status, content_type, body = await post(server, data)
    assert (got_status, content_type) == (status, SOAP_TYPE)
    assert fault_of(body)[:2] == (code, subcode)
    await logged(conn, subcode)
    await still_serving(server)


@pytest.mark.parametrize("data, code, subcode, status", [
    # the OCPP body in a namespace of neither version
    (envelope('<x:heartbeatRequest xmlns:x="urn://Ocpp/Cs/1999/01/"/>'),
     "Sender", "ProtocolError", 400),
    (envelope("<cs:flyToTheMoonRequest/>", action="/FlyToTheMoon"),
     "Sender", "NotImplemented", 400),
    (envelope("<cs:heartbeatRequest/>", identity=None),
     "Sender", "OccurenceConstraintViolation", 400),
    (envelope("<cs:startTransactionRequest><cs:connectorId>one</cs:connectorId>"
              "<cs:idTag>T</cs:idTag><cs:timestamp>2026-01-01T00:00:00Z</cs:timestamp>"
              "<cs:meterStart>0</cs:meterStart></cs:startTransactionRequest>",
              action="/StartTransaction"), "Sender", "TypeConstraintViolation", 400),
    (envelope("<cs:authorizeRequest/>", action="/Authorize"),
     "Sender", "OccurenceConstraintViolation", 400),
], ids=["wrong namespace", "unknown operation", "no chargeBoxIdentity", "wrong type",
        "missing field"])
async def test_ocpp_faults_from_sql(server, conn, data, code, subcode, status):
    got_status, content_type, body = await post(server, data)
    assert (got_status, content_type) == (status, SOAP_TYPE), body
    assert fault_of(body)[:2] == (code, subcode)
    await logged(conn, subcode)


async def test_wrong_content_type_is_415(server, conn):
    status, content_type, body = await post(server, envelope("<cs:heartbeatRequest/>"),
                                            "text/plain")
    assert (status, content_type) == (415, SOAP_TYPE)
    assert fault_of(body)[:2] == ("Sender", "ProtocolError")


async def test_text_xml_with_a_soap12_envelope_is_tolerated(server):
    status, _, body = await post(server, envelope("<cs:heartbeatRequest/>", identity="TEXTXML"),
                                 "text/xml; charset=utf-8", path="/Ocpp")
    assert status == 200 and b"heartbeatResponse" in body


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


async def test_billion_laughs_is_refused_unexpanded(server, conn):
    data = envelope("<cs:authorizeRequest><cs:idTag>&lol9;</cs:idTag></cs:authorizeRequest>",
                    prolog=BILLION_LAUGHS, action="/Authorize")
    status, _, body = await post(server, data)
    assert status == 400 and len(body) < 4096
    assert fault_of(body)[:2] == ("Sender", "SecurityError")
    assert b"lollol" not in body
    await logged(conn, "SecurityError")
    await still_serving(server)


async def test_doctype_hidden_by_utf16_is_refused(server, conn):
    data = envelope("<cs:authorizeRequest><cs:idTag>&lol9;</cs:idTag></cs:authorizeRequest>",
                    prolog=BILLION_LAUGHS.replace('version="1.0"',
                                                  'version="1.0" encoding="UTF-16"'),
                    action="/Authorize").encode("utf-16")
    status, _, body = await post(server, data)
    assert status == 400
    assert fault_of(body)[:2] == ("Sender", "SecurityError")
    assert b"lollol" not in body and "lollol".encode("utf-16-le") not in body
    await still_serving(server)


async def test_external_entities_are_neither_read_nor_fetched(server, conn, tmp_path):
    secret = f"SECRET-{uuid.uuid4()}"
    (tmp_path / "secret.txt").write_text(secret)
    fetched: list[str] = []

    async def evil(request: web.Request) -> web.Response:
        fetched.append(request.path)
        return web.Response(text=f'<!ENTITY leak "{secret}">')
    app = web.Application()
    app.router.add_get("/{p:.*}", evil)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        for prolog, reference in [
            (f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{tmp_path}/secret.txt">]>', "&xxe;"),
            (f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/e">]>', "&xxe;"),
            (f'<!DOCTYPE x SYSTEM "http://127.0.0.1:{port}/evil.dtd">', "&leak;"),
            (f'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>', "x"),
        ]:
            data = envelope(f"<cs:authorizeRequest><cs:idTag>{reference}</cs:idTag>"
                            "</cs:authorizeRequest>", prolog=prolog, action="/Authorize")
            status, _, body = await post(server, data)
            assert status == 400, body
            assert fault_of(body)[:2] == ("Sender", "SecurityError")
            assert secret.encode() not in body
        await logged(conn, "SecurityError")
        await asyncio.sleep(0.2)
        assert fetched == []
        assert await sql(conn, "select count(*) from cs.message_log where payload::text like $1",
                         f"%{secret}%") == 0
    finally:
        await runner.cleanup()
    await still_serving(server)


async def test_oversized_body_is_413_unread(server, conn):
    limit = server.config.soap.max_body_size
    data = envelope("<cs:heartbeatRequest/>" + " " * (limit + 1))
    status, content_type, body = await post(server, data)
    assert (status, content_type) == (413, SOAP_TYPE)
    assert fault_of(body)[:2] == ("Sender", "FormationViolation")
    await logged(conn, "FormationViolation")

    async def chunks():   # no Content-Length: counted while read, and refused past the limit
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536
    status, _, body = await post(server, chunks())
    assert status == 413
    await still_serving(server)


# ------------------------------------------------------------------------------------ emulator
async def test_emulator_cp15_boots_over_soap_and_answers_commands(server, conn):
    from ocpp_emulator import Emulator, StationOptions, load_stations
    emu = Emulator(load_stations(ROOT / "conf" / "cp", ["CP15"]), url=server.url + "/",
                   options=StationOptions(call_timeout=5.0, reboot_delay=0.1, backoff_min=0.1,
                                          backoff_max=0.5, unplug_delay=0.2))
    await emu.start()
    try:
        await emu.wait_booted(10)
        row = await station_row(conn, "CP15")
        assert row["version"] == "1.5"
        c = await command(conn, "CP15", "ChangeConfiguration",
                          {"key": "HeartbeatInterval", "value": "120"})
        assert c["status"] == "answered" and c["response"] == {"status": "Accepted"}, c
        c = await command(conn, "CP15", "RemoteStartTransaction", {"idTag": "EMU15",
                                                                   "connectorId": 1})
        assert c["status"] == "answered" and c["response"] == {"status": "Accepted"}, c

        async def charging():
            return await sql(conn, "select t.id from cs.transaction t join cs.station s on "
                                   "s.id = t.station_id where s.identity = 'CP15' and "
                                   "t.stopped_at is null")
        tx = await wait_for(charging, 10)
        c = await command(conn, "CP15", "RemoteStopTransaction", {"transactionId": tx})
        assert c["status"] == "answered" and c["response"] == {"status": "Accepted"}, c

        async def stopped():
            return await sql(conn, "select stopped_at is not null from cs.transaction "
                                   "where id = $1", tx)
        await wait_for(stopped, 10)
    finally:
        await emu.stop()
    assert emu.stats.errors == 0, emu.stats.last_errors
