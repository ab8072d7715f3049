"""protocol/soap.py: the OCPP-S envelope codec and its hostile-XML guards, without a server."""
from __future__ import annotations

import pytest
from lxml import etree

from ocpp_cs.protocol.errors import from_sqlstate
from ocpp_cs.protocol.soap import (
    SOAP_ENV,
    WSA,
    SoapFault,
    depth,
    fault_envelope,
    fault_for,
    read_envelope,
    read_fault,
)

CS16 = "urn://Ocpp/Cs/2015/10/"


def envelope(body: str = "<cs:heartbeatRequest/>", header: str = "") -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP_ENV}" xmlns:a="{WSA}" xmlns:cs="{CS16}">'
            f"<s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


def test_header_fields_and_operation():
    e = read_envelope(envelope(header="<cs:chargeBoxIdentity> CB1 </cs:chargeBoxIdentity>"
                                      "<a:Action>/Heartbeat</a:Action><a:MessageID>m1</a:MessageID>"
                                      "<a:From><a:Address>http://cp/</a:Address></a:From>"
                                      "<a:To>http://cs/</a:To>"), 64)
    assert (e.identity, e.action, e.message_id, e.from_address, e.to, e.operation) == \
        ("CB1", "/Heartbeat", "m1", "http://cp/", "http://cs/", "heartbeat")  # the element, as sent
    assert e.text().startswith("<s:Envelope")
    bare = read_envelope(envelope(), 64)
    assert (bare.identity, bare.message_id, bare.from_address) == (None, None, None)


@pytest.mark.parametrize("body, code, subcode", [
    (b"", "Sender", "FormationViolation"),
    (b"<a><b>", "Sender", "FormationViolation"),
    (b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "Sender", "SecurityError"),
    ('<!DOCTYPE x><x/>'.encode("utf-16"), "Sender", "SecurityError"),
    (b"<Envelope/>", "Sender", "FormationViolation"),
    (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>', "VersionMismatch",
     "ProtocolError"),
])
def test_refused_bodies(body, code, subcode):
    with pytest.raises(SoapFault) as e:
        read_envelope(body, 64)
    assert (e.value.code, e.value.subcode) == (code, subcode)


def test_depth_limit():
    deep = envelope("<x>" * 70 + "</x>" * 70)
    assert depth(etree.fromstring(deep)) == 72  # Envelope, Body, 70 x
    with pytest.raises(SoapFault) as e:
        read_envelope(deep, 64)
    assert e.value.subcode == "FormationViolation" and e.value.http_status == 400
    read_envelope(deep, 80)


def test_fault_envelope_reads_back():
    fault = fault_for(from_sqlstate("OC002", "not for stations"))
    assert (fault.code, fault.subcode, fault.http_status) == ("Sender", "NotSupported", 400)
    xml = fault_envelope(fault, "1.5", "m7")
    root = etree.fromstring(xml)
    assert read_fault(root) == {"code": "Sender", "subcode": "NotSupported",
                                "reason": "not for stations"}
    assert b"urn://Ocpp/Cs/2012/06/" in xml and b"m7" in xml
    internal = fault_for(from_sqlstate("42883", "no such function"))
    assert (internal.code, internal.subcode, internal.reason, internal.http_status) == \
        ("Receiver", "InternalError", "internal error", 500)
    assert read_fault(etree.fromstring(envelope())) is None
