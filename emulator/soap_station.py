"""An OCPP 1.5 (or 1.6) station over SOAP 1.2 that behaves like a real one.

It is the 1.6 station of station16.py — connectors, configuration, local list, sessions, what each
command does — with SOAP instead of a socket: its own messages are POSTed to the central system's
CentralSystemURL (http://HOST:PORT/Ocpp), each carrying the chargeBoxIdentity header and a
WS-Addressing From address, where the station runs a small HTTP server that answers the central
system's ChargePointService requests. It is the station, not the central system, so it builds and
reads its envelopes itself with lxml and never calls the central system's SQL.

The station logic speaks OCPP-J 1.6 JSON; this module converts at the edge: element names are the
JSON keys, repeated elements are arrays, a few known keys are numbers or booleans, and for 1.5 the
WSDL's differences (heartbeatInterval, localAuthorisationList, Occupied, meter values as attributed
<value> elements, Amp/Volt, UnlockConnector Accepted/Rejected) are spelled out below.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import web
from lxml import etree

from ocpp_cs.protocol import Call, CallError
from ocpp_cs.validation import ValidationError
from .config import StationConfig
from .station16 import CallErrorReceived, Station16, StationOptions
from .stats import Stats

log = logging.getLogger("ocpp_emulator")

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


def _parser() -> etree.XMLParser:
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


class SoapStation(Station16):
    def __init__(self, config: StationConfig, session: aiohttp.ClientSession, *,
                 url: str | None = None, stats: Stats | None = None,
                 options: StationOptions | None = None):
        super().__init__(config, session, url=soap_url(url or config.url), stats=stats,
                         options=options)
        self.version = config.version if config.version in CS_NS else "1.5"
        self.from_address = ""
        self._runner: web.AppRunner | None = None
        self._life_task: asyncio.Task | None = None
        self._message_ids = itertools.count(1)

    @property
    def url(self) -> str:
        return soap_url(self.changed.get("CentralSystemURL", self.base_url))

    # ---------------------------------------------------------------- life
    async def run(self) -> None:
        """Serve commands, then boot and live; after a failed call or a reboot, boot again."""
        await self._listen()
        try:
            while not self._stopping:
                self._restart = None
                self._life_task = asyncio.create_task(self._life())
                try:
                    await self._life_task
                except asyncio.CancelledError:
                    if self._restart is None:
                        raise  # run() itself cancelled
                except (ConnectionError, CallErrorReceived, asyncio.TimeoutError,
                        ValidationError, KeyError) as e:
                    log.info("%s: %s; booting again", self.identity, e)
                finally:
                    if self.booted.is_set():
                        self.stats.booted -= 1
                        self.booted.clear()
                if self._stopping:
                    break
                await self._sleep(self.options.reboot_delay if self._restart == "reboot"
                                  else self._backoff())
        finally:
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None

    async def _listen(self) -> None:
        """The HTTP server for commands: at ChargePointURL when its port is free, else any port."""
        wanted = urlsplit(self.key("ChargePointURL") or "")
        host = wanted.hostname or "127.0.0.1"
        path = wanted.path or f"/{self.identity}"
        app = web.Application()
        app.router.add_post("/{path:.*}", self._on_post)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        for port in ([wanted.port] if wanted.port else []) + [0]:
            site = web.TCPSite(self._runner, host, port)
            try:
                await site.start()
                break
            except OSError:
                continue
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.from_address = f"http://{host}:{port}{path}"
        log.info("%s: OCPP %s over SOAP, commands at %s", self.identity, self.version,
                 self.from_address)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for t in list(self._tasks):
            t.cancel()
        if self._life_task is not None:
            self._restart = "stop"
            self._life_task.cancel()

    async def drop(self) -> None:
        """No connection to lose: the station boots again at once."""
        self._restart = "drop"
        if self._life_task is not None:
            self._life_task.cancel()

    async def reboot(self) -> None:
        self._restart = "reboot"
        for k, v in self.after_reboot.items():
            self.changed[k] = v
        self.after_reboot.clear()
        if self._life_task is not None:
            self._life_task.cancel()

    # ---------------------------------------------------------------- our requests
    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self.options.validate:
            try:
                self._schemas.check_request(action, payload)
            except ValidationError as e:
                self.stats.error(self.identity, f"{action} would break the schema: "
                                                f"{e.code} {e.description}")
                raise
        message_id = f"urn:uuid:{uuid.uuid4()}"
        data = envelope(request_body(self.version, action, payload),
                        [(f"{{{CS_NS[self.version]}}}chargeBoxIdentity", self.identity),
                         (f"{{{WSA}}}Action", f"/{action}"),
                         (f"{{{WSA}}}MessageID", message_id),
                         (f"{{{WSA}}}To", self.url)], self.from_address)
        async with self._lock:
            try:
                async with self.session.post(
                        self.url, data=data,
                        headers={"Content-Type": f'{CONTENT_TYPE}; action="/{action}"'},
                        timeout=aiohttp.ClientTimeout(total=self.options.call_timeout)) as r:
                    status, body = r.status, await r.read()
            except asyncio.TimeoutError:
                self.stats.error(self.identity, f"{action}: no answer within "
                                                f"{self.options.call_timeout:g} s")
                raise
            except (aiohttp.ClientError, OSError) as e:
                self.stats.connect_failures += 1
                raise ConnectionError(f"{action}: POST {self.url}: {e}") from None
            self.stats.calls += 1
        try:
            root = etree.fromstring(body, _parser())
        except etree.XMLSyntaxError as e:
            raise ConnectionError(f"{action}: HTTP {status}, not XML: {e}") from None
        answer = root.find(f"{{{SOAP}}}Body")
        first = next((c for c in answer if isinstance(c.tag, str)), None) \
            if answer is not None else None
        if first is None or first.tag == f"{{{SOAP}}}Fault":
            f = first if first is not None else root
            error = CallError(message_id, (f.findtext(
                f"{{{SOAP}}}Code/{{{SOAP}}}Subcode/{{{SOAP}}}Value") or "GenericError")
                .rpartition(":")[2], f.findtext(f"{{{SOAP}}}Reason/{{{SOAP}}}Text") or "")
            self.stats.error(self.identity, f"{action}: {error.code} {error.description}")
            raise CallErrorReceived(action, error)
        result = from_xml(first, self.version, LIST_KEYS)
        if self.options.validate:
            try:
                self._schemas.check_response(action, result)
            except ValidationError as e:
                self.stats.error(self.identity, f"{action} answer: {e.code} {e.description}")
                raise
        return result

    # ---------------------------------------------------------------- the central system asks
    async def _on_post(self, request: web.Request) -> web.Response:
        ns = CP_NS[self.version]
        try:
            body = await request.read()
            if b"<!DOCTYPE" in body:
                raise ValueError("a DOCTYPE is not allowed in a SOAP message")
            root = etree.fromstring(body, _parser())
            element = next(c for c in root.find(f"{{{SOAP}}}Body") if isinstance(c.tag, str))
        except (ValueError, TypeError, StopIteration, etree.XMLSyntaxError) as e:
            return self._reply(fault("Sender", "FormationViolation", str(e) or "no request", ns,
                                     None), 400)
        message_id = root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}MessageID")
        name = etree.QName(element).localname
        ns = etree.QName(element).namespace or ns
        if not name.endswith("Request"):
            return self._reply(fault("Sender", "NotSupported", f"{name} is not a request", ns,
                                     message_id), 400)
        action = name[0].upper() + name[1:-len("Request")]
        payload = from_xml(element, self.version, LIST_KEYS | LIST_KEYS_OF.get(action, set()))
        answer, follow = self.answer(Call(message_id or str(next(self._message_ids)), action,
                                          payload))
        if self.options.validate and not isinstance(answer, CallError):
            try:
                self._schemas.check_response(action, answer)
            except ValidationError as e:
                self.stats.error(self.identity, f"our answer to {action} breaks the schema: "
                                                f"{e.code} {e.description}")
                answer, follow = CallError(message_id or "", "InternalError", e.description), None
        self.stats.answered += 1
        if isinstance(answer, CallError):
            code = "Receiver" if answer.code == "InternalError" else "Sender"
            return self._reply(fault(code, answer.code, answer.description, ns, message_id),
                               400 if code == "Sender" else 500)
        if self.version == "1.5" and action == "UnlockConnector":
            answer = {"status": UNLOCK_15.get(answer["status"], answer["status"])}
        response = etree.Element(f"{{{ns}}}{name[:-len('Request')]}Response", nsmap={"cp": ns})
        to_xml(response, ns, answer)
        if follow is not None:
            self.spawn(follow())
        return self._reply(envelope(response, [(f"{{{WSA}}}Action", f"/{action}Response"),
                                               (f"{{{WSA}}}RelatesTo", message_id),
                                               (f"{{{WSA}}}MessageID",
                                                f"urn:uuid:{uuid.uuid4()}")]), 200)

    @staticmethod
    def _reply(body: bytes, status: int) -> web.Response:
        return web.Response(body=body, status=status, headers={"Content-Type": CONTENT_TYPE})


__all__ = ["SoapStation", "soap_url"]
