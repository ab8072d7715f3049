"""OCPP 1.5 and 1.6 over SOAP 1.2: HTTP POST at /Ocpp and below it (/Ocpp/CentralSystemService).

The front end only makes sure the body is a safe, bounded XML document — size limit (HTTP 413), no
DOCTYPE (so no entity is ever expanded or fetched), depth limit, a SOAP 1.2 Envelope — and hands its
re-serialization to PL/pgSQL (ocpp.parsexml), which reads the OCPP operation, applies the same rules
as for OCPP-J and builds the response envelope, or a Fault. Faults for what never reaches SQL are
built here. SOAP 1.2 HTTP binding: a Sender fault is HTTP 400, any other 500.

Content types: `application/soap+xml` (SOAP 1.2). `text/xml` is tolerated when the body is a
SOAP 1.2 Envelope (some 1.5 stations send it); a SOAP 1.1 Envelope gets a VersionMismatch fault.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from aiohttp import web
from lxml import etree

from ..config import SoapConfig
from ..database import Gateway, is_connection_error, to_ocpp_error
from ..messagelog import MessageLog
from ..messagelog.writer import IN, OUT
from .identity import identity_problem, loggable

log = logging.getLogger("ocpp_cs.transport.soap")

SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSA_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault"
CS_NAMESPACES = {"1.5": "urn://Ocpp/Cs/2012/06/", "1.6": "urn://Ocpp/Cs/2015/10/"}
CONTENT_TYPE = "application/soap+xml; charset=utf-8"
ACCEPTED_TYPES = ("application/soap+xml", "text/xml")
LOGGED_RAW = 4096  # characters of a refused body kept in the message log
# "<!DOCTYPE" and "<!ENTITY" in every encoding in which they are not ASCII bytes (UTF-16, UTF-32).
DTD_MARKS = tuple(mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY")
                  for encoding in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))


@dataclass(slots=True)
class SoapFault(Exception):
    code: str        # Sender, Receiver, VersionMismatch, ...
    subcode: str     # the OCPP subcode: FormationViolation, SecurityError, ...
    reason: str
    status: int = 0  # HTTP status; 0 = from the code

    @property
    def http_status(self) -> int:
        return self.status or http_status(self.code)


def http_status(code: str) -> int:
    """SOAP 1.2 part 2, 7.5.1.2: env:Sender is 400 Bad Request, every other fault 500."""
    return 400 if code.rpartition(":")[2] == "Sender" else 500


def _parser() -> etree.XMLParser:
    # One per request: lxml parsers are not safe to share between threads, and cheap to make.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True,
                           dtd_validation=False)


def guess_version(body: bytes) -> str:
    """The OCPP version a body speaks, as far as its bytes tell (for the namespace of a fault)."""
    return "1.5" if CS_NAMESPACES["1.5"].encode() in body else "1.6"


def parse_envelope(body: bytes, max_depth: int) -> etree._Element:
    """The SOAP 1.2 Envelope of body, parsed safely. Raises SoapFault for anything else."""
    if not body.strip():
        raise SoapFault("Sender", "FormationViolation",
                        "empty body: a SOAP 1.2 Envelope is expected")
    # SOAP 1.2 part 1, 5: an envelope has no DTD. Refused before parsing when its bytes show one,
    # and after parsing (the DTD neither loaded nor its entities resolved) for any other encoding.
    if any(mark in body for mark in DTD_MARKS):
        raise SoapFault("Sender", "SecurityError",
                        "a DOCTYPE is not allowed in a SOAP message (entities are not expanded)")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as e:
        # libxml2's own guard against entity expansion still counts as an attack, not a typo
        subcode = "SecurityError" if "entity" in str(e).lower() else "FormationViolation"
        raise SoapFault("Sender", subcode, f"malformed XML: {e}") from None
    except ValueError as e:  # e.g. an encoding lxml does not know
        raise SoapFault("Sender", "FormationViolation", f"unreadable XML: {e}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise SoapFault("Sender", "SecurityError",
                        "a DOCTYPE is not allowed in a SOAP message (entities are not expanded)")
    deepest = depth(root)
    if deepest > max_depth:
        raise SoapFault("Sender", "FormationViolation",
                        f"XML nested {deepest} elements deep exceeds the limit of {max_depth}")
    if root.tag == f"{{{SOAP11_ENV}}}Envelope":
        raise SoapFault("VersionMismatch", "ProtocolError",
                        "SOAP 1.1 envelope: OCPP over SOAP uses SOAP 1.2 "
                        f"({SOAP_ENV})")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("Sender", "FormationViolation",
                        f"root element {root.tag} is not a SOAP 1.2 Envelope")
    return root


def depth(root: etree._Element) -> int:
    """Elements on the longest path from root down (root alone: 1); iterative, never recursing."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in element if isinstance(child.tag, str))
    return deepest


def header_text(root: etree._Element, local_name: str, namespace: str | None = None) -> str | None:
    """Text of a SOAP header block by local name (any namespace unless given), for the log only."""
    header = root.find(f"{{{SOAP_ENV}}}Header")
    if header is None:
        return None
    for block in header:
        if not isinstance(block.tag, str):
            continue
        q = etree.QName(block)
        if q.localname == local_name and (namespace is None or q.namespace == namespace):
            return (block.text or "").strip() or None
    return None


def body_operation(root: etree._Element) -> str | None:
    """The local name of the Body's first element without a Request suffix, for the log only."""
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        return None
    first = next((c for c in body if isinstance(c.tag, str)), None)
    if first is None:
        return None
    name = etree.QName(first).localname
    return name[:-len("Request")] if name.endswith("Request") else name


def fault_envelope(fault: SoapFault, version: str = "1.6", relates_to: str | None = None) -> bytes:
    """A SOAP 1.2 Fault envelope: Code/Value env:CODE, Subcode/Value the OCPP subcode in the central
    system namespace of version, Reason/Text; WS-Addressing Action (fault) and RelatesTo."""
    ns = CS_NAMESPACES.get(version, CS_NAMESPACES["1.6"])
    nsmap = {"s": SOAP_ENV, "a": WSA, "cs": ns}
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    header = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    etree.SubElement(header, f"{{{WSA}}}Action").text = WSA_FAULT_ACTION
    if relates_to:
        etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = relates_to
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    f = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    code = etree.SubElement(f, f"{{{SOAP_ENV}}}Code")
    etree.SubElement(code, f"{{{SOAP_ENV}}}Value").text = "s:" + fault.code.rpartition(":")[2]
    if fault.subcode:
        sub = etree.SubElement(code, f"{{{SOAP_ENV}}}Subcode")
        etree.SubElement(sub, f"{{{SOAP_ENV}}}Value").text = \
            "cs:" + fault.subcode.rpartition(":")[2]
    reason = etree.SubElement(f, f"{{{SOAP_ENV}}}Reason")
    text = etree.SubElement(reason, f"{{{SOAP_ENV}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = fault.reason
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


class SoapEndpoint:
    def __init__(self, gateway: Gateway, messages: MessageLog, config: SoapConfig,
                 max_identity_length: int = 48):
        self.gateway = gateway
        self.messages = messages
        self.config = config
        self.max_identity_length = max_identity_length  # [ocpp] max_identity_length

    def _reply(self, body: bytes | str, status: int) -> web.Response:
        return web.Response(body=body.encode() if isinstance(body, str) else body, status=status,
                            headers={"Content-Type": CONTENT_TYPE})

    def _refuse(self, fault: SoapFault, raw: bytes, started: float, identity: str = "",
                action: str | None = None, message_id: str | None = None,
                version: str | None = None) -> web.Response:
        """A request that never reaches SQL: one row for what came, one for the Fault that goes."""
        version = version or guess_version(raw)
        text = raw[:LOGGED_RAW].decode("utf-8", "replace").replace("\x00", "")  # jsonb refuses NUL
        self.messages.record(identity, None, IN, None, action, message_id, text,
                             fault.subcode, fault.reason)
        envelope = fault_envelope(fault, version, message_id)
        self.messages.record(identity, None, OUT, None, action, message_id,
                             envelope.decode(), fault.subcode, fault.reason,
                             (time.perf_counter() - started) * 1000)
        return self._reply(envelope, fault.http_status)

    async def _read_body(self, request: web.Request) -> bytes | None:
        """The body, or None when it is larger than max_body_size (read no further than that)."""
        limit = self.config.max_body_size
        if request.content_length is not None and request.content_length > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.content.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)

    async def handle(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        if request.content_type not in ACCEPTED_TYPES:
            return self._refuse(SoapFault("Sender", "ProtocolError",
                                          f"content type {request.content_type!r}: OCPP over SOAP "
                                          "uses application/soap+xml", 415), b"", started)
        body = await self._read_body(request)
        if body is None:
            size = request.content_length
            what = f"body of {size} bytes" if size is not None else "body"
            return self._refuse(SoapFault("Sender", "FormationViolation",
                                          f"{what} exceeds the limit of "
                                          f"{self.config.max_body_size} bytes", 413), b"", started)
        try:
            root = parse_envelope(body, self.config.max_depth)
        except SoapFault as fault:
            return self._refuse(fault, body, started)
        identity = header_text(root, "chargeBoxIdentity") or ""
        message_id = header_text(root, "MessageID", WSA)
        operation = body_operation(root)
        problem = identity_problem(identity, self.max_identity_length)
        if problem is not None:
            return self._refuse(SoapFault("Sender", "PropertyConstraintViolation",
                                          f"chargeBoxIdentity: {problem}"), body, started,
                                loggable(identity), operation, message_id)
        envelope = etree.tostring(root, encoding="unicode")
        try:
            result = await self.gateway.parsexml(envelope, None)
        except Exception as e:  # noqa: BLE001 - every failure becomes a Fault, never a crash
            err = to_ocpp_error(e)
            if is_connection_error(e):
                self.gateway.outage.failed("SOAP station messages", e)
            elif err.internal:
                log.error("%s %s %s: %s", identity, operation, message_id, err.internal)
            code = "Receiver" if err.code == "InternalError" else "Sender"
            return self._refuse(SoapFault(code, err.code, err.description), body, started,
                                identity, operation, message_id)
        identity = result.get("identity") or identity
        action = result.get("action") or operation
        self.messages.record(identity, None, IN, None, action, message_id, envelope)
        response = result.get("response")
        fault = result.get("fault")
        if not response:
            log.error("%s %s: ocpp.parsexml returned no response envelope: %s", identity, action,
                      result)
            fault = {"code": "Receiver", "subcode": "InternalError", "reason": "internal error"}
            response = fault_envelope(SoapFault("Receiver", "InternalError", "internal error"),
                                      result.get("version") or guess_version(body),
                                      message_id).decode()
        latency = (time.perf_counter() - started) * 1000
        if fault:
            self.messages.record(identity, None, OUT, None, action, message_id, response,
                                 fault.get("subcode") or fault.get("code"), fault.get("reason"),
                                 latency)
            return self._reply(response, http_status(fault.get("code") or "Receiver"))
        self.messages.record(identity, None, OUT, None, action, message_id, response, None, None,
                             latency)
        return self._reply(response, 200)
