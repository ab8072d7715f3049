"""OCPP 1.5 and 1.6 over SOAP 1.2: HTTP POST at /Ocpp and below it (/Ocpp/CentralSystemService).

The front end only makes sure the body is a safe, bounded XML document — size limit (HTTP 413) here,
then protocol/soap.py's parser (no DOCTYPE, so no entity is ever expanded or fetched; depth limit; a
SOAP 1.2 Envelope) — and hands its re-serialization to PL/pgSQL (ocpp.parsexml), which reads the OCPP
operation, applies the same rules as for OCPP-J and builds the response envelope, or a Fault. Faults
for what never reaches SQL are built here, their codes from the error table (protocol/errors.py).
SOAP 1.2 HTTP binding: a Sender fault is HTTP 400, any other 500.

Content types: `application/soap+xml` (SOAP 1.2). `text/xml` is tolerated when the body is a
SOAP 1.2 Envelope (some 1.5 stations send it); a SOAP 1.1 Envelope gets a VersionMismatch fault.
"""
from __future__ import annotations

import logging
import time

from aiohttp import web

from ..config import SoapConfig
from ..database import Gateway, is_connection_error, to_ocpp_error
from ..protocol.errors import internal
from ..protocol.soap import (SoapFault, fault_envelope, fault_for, guess_version, http_status,
                             read_envelope)
from ..messagelog import MessageLog
from ..messagelog.writer import IN, OUT
from .identity import identity_problem, loggable

log = logging.getLogger("ocpp_cs.transport.soap")

CONTENT_TYPE = "application/soap+xml; charset=utf-8"
ACCEPTED_TYPES = ("application/soap+xml", "text/xml")
LOGGED_RAW = 4096  # characters of a refused body kept in the message log

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
            parsed = read_envelope(body, self.config.max_depth)
        except SoapFault as fault:
            return self._refuse(fault, body, started)
        identity = parsed.identity or ""
        message_id = parsed.message_id
        operation = parsed.operation
        problem = identity_problem(identity, self.max_identity_length)
        if problem is not None:
            return self._refuse(SoapFault("Sender", "PropertyConstraintViolation",
                                          f"chargeBoxIdentity: {problem}"), body, started,
                                loggable(identity), operation, message_id)
        envelope = parsed.text()
        try:
            result = await self.gateway.parsexml(envelope, None)
        except Exception as e:  # noqa: BLE001 - every failure becomes a Fault, never a crash
            err = to_ocpp_error(e)
            if is_connection_error(e):
                self.gateway.outage.failed("SOAP station messages", e)
            elif err.internal:
                log.error("%s %s %s: %s", identity, operation, message_id, err.internal)
            return self._refuse(fault_for(err), body, started, identity, operation, message_id)
        identity = result.get("identity") or identity
        action = result.get("action") or operation
        self.messages.record(identity, None, IN, None, action, message_id, envelope)
        response = result.get("response")
        fault = result.get("fault")
        if not response:
            log.error("%s %s: ocpp.parsexml returned no response envelope: %s", identity, action,
                      result)
            refusal = fault_for(internal("no response envelope"))
            fault = {"code": refusal.code, "subcode": refusal.subcode, "reason": refusal.reason}
            response = fault_envelope(refusal, result.get("version") or guess_version(body),
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
