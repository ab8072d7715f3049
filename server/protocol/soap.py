"""The OCPP-S envelope codec (SOAP 1.2 with WS-Addressing, OCPP 1.5 and 1.6), without I/O.

Parsing is where a hostile body is stopped, so every protection lives here, with the parser: no
DOCTYPE (refused before parsing when its bytes show one, and after, so no entity is ever expanded or
fetched), no network, no huge text nodes, a depth limit, and a SOAP 1.2 Envelope only (SOAP 1.1 gets
a VersionMismatch fault). Size is bounded by the caller before the body is read whole
([soap] max_body_size). Used for a station's request (transport/soap.py) and for a station's answer
to a command (dispatcher/soap.py) alike.

    parse_envelope(body, max_depth) → the Envelope element, or raises SoapFault
    read_envelope(body, max_depth)  → Envelope: the root and its header fields and body operation
    read_fault(root)                → {"code", "subcode", "reason"} of a Fault envelope, or None
    fault_envelope(fault, version, relates_to) → the bytes of a SOAP 1.2 Fault envelope
    fault_for(error)                → the SoapFault for an OcppError (protocol/errors.py)

Request and response envelopes are built, and their bodies read, in PL/pgSQL (ocpp.jsontosoap,
ocpp.soaptojson, ocpp.parsexml: docs/soap.md); this module handles what never reaches SQL.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .errors import OcppError, soap_fault_code

SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSA_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault"
CS_NAMESPACES = {"1.5": "urn://Ocpp/Cs/2012/06/", "1.6": "urn://Ocpp/Cs/2015/10/"}
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


def read_fault(root: etree._Element) -> dict[str, str] | None:
    """{"code", "subcode", "reason"} of a SOAP 1.2 Fault envelope (local names), None otherwise."""
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    if fault is None:
        return None

    def local(text: str | None) -> str:
        return (text or "").strip().rpartition(":")[2]

    return {"code": local(fault.findtext(f"{{{SOAP_ENV}}}Code/{{{SOAP_ENV}}}Value")),
            "subcode": local(fault.findtext(
                f"{{{SOAP_ENV}}}Code/{{{SOAP_ENV}}}Subcode/{{{SOAP_ENV}}}Value")),
            "reason": (fault.findtext(f"{{{SOAP_ENV}}}Reason/{{{SOAP_ENV}}}Text") or "").strip()}


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed SOAP 1.2 envelope and what its header says (None when absent)."""
    root: etree._Element
    identity: str | None     # chargeBoxIdentity, in any namespace
    action: str | None       # wsa:Action
    message_id: str | None   # wsa:MessageID
    from_address: str | None  # wsa:From/wsa:Address
    to: str | None           # wsa:To
    operation: str | None    # the body element's local name without a Request suffix

    def text(self) -> str:
        """The envelope re-serialized (comments and processing instructions gone) for SQL."""
        return etree.tostring(self.root, encoding="unicode")


def from_address(root: etree._Element) -> str | None:
    header = root.find(f"{{{SOAP_ENV}}}Header")
    if header is None:
        return None
    text = header.findtext(f"{{{WSA}}}From/{{{WSA}}}Address")
    return (text or "").strip() or None


def read_envelope(body: bytes, max_depth: int) -> Envelope:
    """parse_envelope, with the header fields read. Raises SoapFault."""
    root = parse_envelope(body, max_depth)
    return Envelope(root, header_text(root, "chargeBoxIdentity"), header_text(root, "Action", WSA),
                    header_text(root, "MessageID", WSA), from_address(root),
                    header_text(root, "To", WSA), body_operation(root))


def fault_for(error: OcppError) -> SoapFault:
    """The Fault answering error: Code from the error table, Subcode the OCPP code, Reason the
    description."""
    return SoapFault(soap_fault_code(error.code), error.code, error.description)
