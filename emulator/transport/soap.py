"""OCPP 1.5/1.6 over SOAP 1.2: the station's requests are POSTed to the central system's
CentralSystemURL (http://HOST:PORT/Ocpp), each carrying the chargeBoxIdentity header and a
WS-Addressing From address, where the station runs a small HTTP server that answers the central
system's ChargePointService requests.

For connection.py it is a transport like the WebSocket: it moves OCPP-J frames. A CALL the
connection sends is POSTed and the response comes back as a CALLRESULT (a SOAP fault as a
CALLERROR); a request POSTed to the station goes to the connection as a CALL and its CALLRESULT or
CALLERROR becomes the HTTP response. There is no link to lose: it is "open" while the station runs,
and the listener answers from start to finish, between boots too.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from aiohttp import web
from lxml import etree

from ocpp_cs.protocol import Call, CallError, CallResult, decode, encode_call, encode_call_error
from .base import Deliver
from ..stats import Stats
from .soap_codec import (CONTENT_TYPE, CP_NS, CS_NS, LIST_KEYS, LIST_KEYS_OF, SOAP, UNLOCK_15, WSA,
                         envelope, fault, from_xml, request_body, soap_url, to_xml, xml_parser)

log = logging.getLogger("ocpp_emulator")


class SoapTransport:
    def __init__(self, session: aiohttp.ClientSession, *, identity: str, version: str,
                 listen_at: str | None, stats: Stats, call_timeout: float):
        self.session = session
        self.identity = identity
        self.version = version if version in CS_NS else "1.5"
        self.listen_at = listen_at or ""     # the file's ChargePointURL
        self.stats = stats
        self.call_timeout = call_timeout
        self.url = ""                        # the central system's endpoint
        self.from_address = ""               # ours
        self._deliver: Deliver | None = None
        self._runner: web.AppRunner | None = None
        self._closed = asyncio.Event()
        self._message_ids = itertools.count(1)
        # The central system's requests waiting for the connection's answer: id → (action, reply).
        self._waiting: dict[str, tuple[str, asyncio.Future]] = {}

    @property
    def is_open(self) -> bool:
        return True

    # ---------------------------------------------------------------- life
    async def start(self, deliver: Deliver) -> None:
        """The HTTP server for commands: at ChargePointURL when its port is free, else any port."""
        self._deliver = deliver
        wanted = urlsplit(self.listen_at)
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

    async def open(self, base_url: str, password: str | None) -> bool:
        self.url = soap_url(base_url)
        self._closed.clear()
        return True

    async def run(self) -> str | None:
        await self._closed.wait()
        return None

    async def close(self, why: str) -> None:
        self._closed.set()

    async def release(self) -> None:
        pass

    async def finish(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---------------------------------------------------------------- frames out
    async def send(self, frame: str) -> None:
        message = decode(frame, "1.6")
        if isinstance(message, Call):
            await self._post(message)
            return
        waiting = self._waiting.pop(message.unique_id, None)
        if waiting is not None and not waiting[1].done():
            waiting[1].set_result(message)

    async def _post(self, call: Call) -> None:
        """POST one of the station's requests; its response goes back to the connection."""
        assert self._deliver is not None
        action = call.action
        message_id = f"urn:uuid:{uuid.uuid4()}"
        data = envelope(request_body(self.version, action, call.payload),
                        [(f"{{{CS_NS[self.version]}}}chargeBoxIdentity", self.identity),
                         (f"{{{WSA}}}Action", f"/{action}"),
                         (f"{{{WSA}}}MessageID", message_id),
                         (f"{{{WSA}}}To", self.url)], self.from_address)
        try:
            async with self.session.post(
                    self.url, data=data,
                    headers={"Content-Type": f'{CONTENT_TYPE}; action="/{action}"'},
                    timeout=aiohttp.ClientTimeout(total=self.call_timeout)) as r:
                status, body = r.status, await r.read()
        except asyncio.TimeoutError:
            raise     # the connection counts it: no answer within call_timeout
        except (aiohttp.ClientError, OSError) as e:
            self.stats.connect_failures += 1
            raise ConnectionError(f"{action}: POST {self.url}: {e}") from None
        try:
            root = etree.fromstring(body, xml_parser())
        except etree.XMLSyntaxError as e:
            raise ConnectionError(f"{action}: HTTP {status}, not XML: {e}") from None
        answer = root.find(f"{{{SOAP}}}Body")
        first = next((c for c in answer if isinstance(c.tag, str)), None) \
            if answer is not None else None
        if first is None or first.tag == f"{{{SOAP}}}Fault":
            f = first if first is not None else root
            code = (f.findtext(f"{{{SOAP}}}Code/{{{SOAP}}}Subcode/{{{SOAP}}}Value")
                    or "GenericError").rpartition(":")[2]
            await self._deliver(encode_call_error(
                call.unique_id, code, f.findtext(f"{{{SOAP}}}Reason/{{{SOAP}}}Text") or ""))
            return
        result = from_xml(first, self.version, LIST_KEYS)
        await self._deliver(f"[3,{orjson.dumps(call.unique_id).decode()},"
                            f"{orjson.dumps(result).decode()}]")

    # ---------------------------------------------------------------- the central system asks
    async def _on_post(self, request: web.Request) -> web.Response:
        assert self._deliver is not None
        ns = CP_NS[self.version]
        try:
            body = await request.read()
            if b"<!DOCTYPE" in body:
                raise ValueError("a DOCTYPE is not allowed in a SOAP message")
            root = etree.fromstring(body, xml_parser())
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
        unique_id = f"cs-{next(self._message_ids)}"   # the frame's own (a MessageID is too long)
        reply: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting[unique_id] = (action, reply)
        try:
            await self._deliver(encode_call(unique_id, action, payload))
        finally:
            self._waiting.pop(unique_id, None)
        answer: CallResult | CallError = reply.result() if reply.done() else CallError(
            unique_id, "InternalError", "the station did not answer")
        if isinstance(answer, CallError):
            code = "Receiver" if answer.code == "InternalError" else "Sender"
            return self._reply(fault(code, answer.code, answer.description, ns, message_id),
                               400 if code == "Sender" else 500)
        result: dict[str, Any] = answer.payload
        if self.version == "1.5" and action == "UnlockConnector":
            result = {"status": UNLOCK_15.get(result["status"], result["status"])}
        response = etree.Element(f"{{{ns}}}{name[:-len('Request')]}Response", nsmap={"cp": ns})
        to_xml(response, ns, result)
        return self._reply(envelope(response, [(f"{{{WSA}}}Action", f"/{action}Response"),
                                               (f"{{{WSA}}}RelatesTo", message_id),
                                               (f"{{{WSA}}}MessageID",
                                                f"urn:uuid:{uuid.uuid4()}")]), 200)

    @staticmethod
    def _reply(body: bytes, status: int) -> web.Response:
        return web.Response(body=body, status=status, headers={"Content-Type": CONTENT_TYPE})
