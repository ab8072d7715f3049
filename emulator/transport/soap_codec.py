"""The station's side of OCPP 1.5/1.6 over SOAP 1.2, without I/O: envelopes built and read with
lxml, the station never calls the central system's SQL.

The station logic speaks OCPP-J 1.6 JSON; this module converts at the edge: element names are the
JSON keys, repeated elements are arrays, a few known keys are numbers or booleans, and for 1.5 the
WSDL's differences (heartbeatInterval, localAuthorisationList, Occupied, meter values as attributed
<value> elements, Amp/Volt, UnlockConnector Accepted/Rejected) are spelled out below.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
CS_NS = {"1.5": "urn://Ocpp/Cs/2012/06/", "1.6": "urn://Ocpp/Cs/2015/10/"}
CP_NS = {"1.5": "urn://Ocpp/Cp/2012/06/", "1.6": "urn://Ocpp/Cp/2015/10/"}
CONTENT_TYPE = "application/soap+xml; charset=utf-8"

INTEGER_KEYS = {"connectorId", "transactionId", "reservationId", "listVersion", "retries",
                "retryInterval", "duration", "chargingProfileId", "stackLevel", "startPeriod",
                "numberPhases", "interval", "meterStart", "meterStop"}
NUMBER_KEYS = {"limit", "minChargingRate"}
BOOLEAN_KEYS = {"readonly"}
# Repeated elements (JSON arrays); "key" only in GetConfiguration.
LIST_KEYS = {"configurationKey", "unknownKey", "localAuthorizationList",
             "chargingSchedulePeriod", "meterValue", "sampledValue", "transactionData"}
LIST_KEYS_OF = {"GetConfiguration": {"key"}}
# 1.5 element names that 1.6 JSON spells otherwise (XML → JSON).
RENAMES_15 = {"heartbeatInterval": "interval", "localAuthorisationList": "localAuthorizationList"}
STATUS_15 = {"Preparing": "Occupied", "Charging": "Occupied", "SuspendedEV": "Occupied",
             "SuspendedEVSE": "Occupied", "Finishing": "Occupied"}
ERROR_CODE_15 = {"EVCommunicationError": "Mode3Error"}
UNIT_15 = {"A": "Amp", "V": "Volt"}
MEASURANDS_15 = {"Energy.Active.Export.Register", "Energy.Active.Import.Register",
                 "Energy.Reactive.Export.Register", "Energy.Reactive.Import.Register",
                 "Energy.Active.Export.Interval", "Energy.Active.Import.Interval",
                 "Energy.Reactive.Export.Interval", "Energy.Reactive.Import.Interval",
                 "Power.Active.Export", "Power.Active.Import", "Power.Reactive.Export",
                 "Power.Reactive.Import", "Current.Export", "Current.Import", "Voltage",
                 "Temperature"}
UNLOCK_15 = {"Unlocked": "Accepted", "UnlockFailed": "Rejected", "NotSupported": "Rejected"}


def soap_url(url: str) -> str:
    """The central system's SOAP endpoint: an http(s) URL as given; from a ws(s) URL (the emulator
    pointed at a WebSocket base such as ws://HOST:PORT/ocpp/) the same host's /Ocpp."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return url
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, "/Ocpp", "", ""))


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _scalar(key: str, text: str | None) -> Any:
    text = (text or "").strip()
    try:
        if key in INTEGER_KEYS:
            return int(text)
        if key in NUMBER_KEYS:
            return float(text)
    except ValueError:
        return text   # left as sent: the schema check reports it
    if key in BOOLEAN_KEYS:
        return text.lower() in ("true", "1")
    return text


def from_xml(element: etree._Element, version: str, lists: set[str]) -> dict[str, Any]:
    """The JSON object of an element's children."""
    out: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        key = RENAMES_15.get(name, name) if version == "1.5" else name
        value = from_xml(child, version, lists) if len(child) else _scalar(key, child.text)
        if key in lists:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def to_xml(parent: etree._Element, ns: str, obj: dict[str, Any]) -> None:
    """obj's keys as child elements of parent: arrays repeat, objects nest."""
    for key, value in obj.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            child = etree.SubElement(parent, f"{{{ns}}}{key}")
            if isinstance(item, dict):
                to_xml(child, ns, item)
            elif isinstance(item, bool):
                child.text = "true" if item else "false"
            else:
                child.text = str(item)


def meter_values_15(parent: etree._Element, ns: str, tag: str,
                    meter_values: list[dict[str, Any]]) -> None:
    """1.6 meterValue objects as 1.5 <values>: a timestamp and attributed <value> elements."""
    for mv in meter_values:
        values = etree.SubElement(parent, f"{{{ns}}}{tag}")
        etree.SubElement(values, f"{{{ns}}}timestamp").text = mv["timestamp"]
        for sv in mv.get("sampledValue", []):
            measurand = sv.get("measurand", "Energy.Active.Import.Register")
            unit = UNIT_15.get(sv.get("unit", "Wh"), sv.get("unit", "Wh"))
            if measurand not in MEASURANDS_15 or unit == "Percent":
                continue   # 1.5 knows no SoC
            value = etree.SubElement(values, f"{{{ns}}}value")
            value.text = str(sv["value"])
            for attr in ("context", "format", "measurand", "location"):
                if attr in sv:
                    value.set(attr, str(sv[attr]))
            value.set("unit", unit)


def request_body(version: str, action: str, payload: dict[str, Any]) -> etree._Element:
    """The Body element of a station request (CentralSystemService)."""
    ns = CS_NS[version]
    element = etree.Element(f"{{{ns}}}{action[0].lower()}{action[1:]}Request", nsmap={"cs": ns})
    if version != "1.5":
        to_xml(element, ns, payload)
        return element
    p = dict(payload)
    if action == "StatusNotification":
        p["status"] = STATUS_15.get(p["status"], p["status"])
        p["errorCode"] = ERROR_CODE_15.get(p["errorCode"], p["errorCode"])
        # 1.5 order: connectorId, status, errorCode, info, timestamp, vendorId, vendorErrorCode
        p = {k: p[k] for k in ("connectorId", "status", "errorCode", "info", "timestamp",
                               "vendorId", "vendorErrorCode") if k in p}
    if action == "MeterValues":
        meter = p.pop("meterValue", [])
        to_xml(element, ns, p)
        meter_values_15(element, ns, "values", meter)
        return element
    if action == "StopTransaction":
        p.pop("reason", None)  # 1.6 only
        data = p.pop("transactionData", None)
        to_xml(element, ns, p)
        if data:
            meter_values_15(etree.SubElement(element, f"{{{ns}}}transactionData"), ns, "values",
                            data)
        return element
    to_xml(element, ns, p)
    return element


def envelope(body: etree._Element, headers: list[tuple[str, str | None]],
             sender: str | None = None) -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"s": SOAP, "a": WSA})
    header = etree.SubElement(env, f"{{{SOAP}}}Header")
    for tag, text in headers:
        if text is not None:
            etree.SubElement(header, tag).text = text
    if sender:
        address = etree.SubElement(etree.SubElement(header, f"{{{WSA}}}From"),
                                    f"{{{WSA}}}Address")
        address.text = sender
    etree.SubElement(env, f"{{{SOAP}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault(code: str, subcode: str, reason: str, ns: str, relates_to: str | None) -> bytes:
    f = etree.Element(f"{{{SOAP}}}Fault", nsmap={"s": SOAP, "cp": ns})
    c = etree.SubElement(f, f"{{{SOAP}}}Code")
    etree.SubElement(c, f"{{{SOAP}}}Value").text = f"s:{code}"
    etree.SubElement(etree.SubElement(c, f"{{{SOAP}}}Subcode"),
                     f"{{{SOAP}}}Value").text = f"cp:{subcode}"
    text = etree.SubElement(etree.SubElement(f, f"{{{SOAP}}}Reason"), f"{{{SOAP}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = reason
    return envelope(f, [(f"{{{WSA}}}Action", "http://www.w3.org/2005/08/addressing/soap/fault"),
                        (f"{{{WSA}}}RelatesTo", relates_to)])
