"""Commands to SOAP stations (OCPP 1.5 and 1.6 over SOAP): no socket, one HTTP POST per command.

ocpp.command_claim_soap claims the queued commands of stations known by their latest WS-Addressing
From address; each is built into a request envelope by ocpp.jsontosoap, POSTed to that address (the
station's ChargePointService) and the answer, parsed as safely as a station's request, is read back
by ocpp.soaptojson and recorded like an OCPP-J answer:
  a response              → ocpp.command_result (PL/pgSQL applies its effect)
  a SOAP Fault            → ocpp.command_error with the fault's subcode (GenericError when it has
                            none), its Code in the details as faultCode (protocol/errors.py)
  no answer in time       → ocpp.command_timeout
  HTTP or network failure → ocpp.command_error GenericError, the HTTP status in details
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import orjson
from lxml import etree

from ..database import Gateway, to_ocpp_error
from ..messagelog import MessageLog
from ..messagelog.writer import IN, OUT
from ..protocol.errors import error_name, fault_error_code
from ..protocol.soap import SoapFault, parse_envelope, read_fault
from ..validation import ValidationError, schemas_for

log = logging.getLogger("ocpp_cs.dispatcher.soap")


class SoapDelivery:
    def __init__(self, gateway: Gateway, messages: MessageLog | None, *, call_timeout: float,
                 max_body_size: int = 262144, max_depth: int = 64):
        self.gateway = gateway
        self.messages = messages
        self.call_timeout = call_timeout
        self.max_body_size = max_body_size
        self.max_depth = max_depth
        self._session: aiohttp.ClientSession | None = None

    def _log(self, *args: Any) -> None:
        if self.messages is not None:
            self.messages.record(*args)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # No keep-alive: a station is asked rarely, and its address may change.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, force_close=True))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def deliver(self, command: dict[str, Any]) -> None:
        """POST one claimed command and record its outcome."""
        cid, identity, action = command["id"], command["identity"], command["action"]
        payload, unique_id = command["payload"], command["uniqueId"]
        version, to = command.get("version") or "1.6", command.get("to")
        schemas = schemas_for("1.6") if version == "1.6" else None  # no JSON schemas for 1.5
        if schemas is not None:
            try:
                schemas.check_request(action, payload)
            except ValidationError as e:
                await self.gateway.command_refused(cid, error_name(e.code, version), e.description,
                                                   e.details)
                return
        if not to:
            await self.gateway.command_refused(cid, "GenericError",
                                               "the station's From address is unknown", {})
            return
        if command.get("secretPath"):
            # OCPP-S has no Basic auth: a station password would only travel in clear over HTTP
            await self.gateway.command_refused(cid, "SecurityError",
                                               "OCPP-S stations have no Basic-auth password to set",
                                               {})
            return
        try:
            envelope = await self.gateway.jsontosoap({
                "action": action, "kind": "request", "version": version, "payload": payload,
                "identity": identity, "messageId": unique_id, "to": to})
        except Exception as e:  # noqa: BLE001 - SQL could not build it: never sent
            err = to_ocpp_error(e)
            await self.gateway.command_refused(cid, error_name(err.code, version),
                                               err.description, err.details)
            return
        self._log(identity, None, OUT, None, action, unique_id, envelope)
        started = asyncio.get_running_loop().time()
        try:
            async with self.session.post(
                    to, data=envelope.encode(),
                    headers={"Content-Type": f'application/soap+xml; charset=utf-8; '
                                             f'action="/{action}"'},
                    timeout=aiohttp.ClientTimeout(total=self.call_timeout)) as r:
                status = r.status
                body = await r.content.read(self.max_body_size + 1)
        except asyncio.TimeoutError:
            self._log(identity, None, IN, None, action, unique_id, None, "Timeout",
                      f"no answer from {to} within {self.call_timeout:g} s")
            await self.gateway.command_timeout(cid)
            return
        except (aiohttp.ClientError, OSError, ValueError) as e:
            description = f"POST to {to} failed: {type(e).__name__}: {e}"
            self._log(identity, None, IN, None, action, unique_id, None, "GenericError",
                      description)
            await self.gateway.command_error(cid, "GenericError", description, {"to": to})
            return
        latency = (asyncio.get_running_loop().time() - started) * 1000
        await self._answer(cid, identity, action, unique_id, schemas, status, body, latency)

    async def _answer(self, cid: int, identity: str, action: str, unique_id: str,
                      schemas: Any, status: int, body: bytes, latency: float) -> None:
        # Codes recorded as they are: SOAP stations speak 1.5 or 1.6, whose spelling they have.
        text = body[:4096].decode("utf-8", "replace")
        details: dict[str, Any] = {"httpStatus": status}
        if len(body) > self.max_body_size:
            return await self._error(cid, identity, action, unique_id, text, "GenericError",
                                     f"answer larger than {self.max_body_size} bytes", details,
                                     latency)
        try:
            root = parse_envelope(body, self.max_depth)
        except SoapFault as f:
            description = (f"HTTP {status}" if status != 200 else "unreadable answer") \
                + f": {f.reason}"
            return await self._error(cid, identity, action, unique_id, text, "GenericError",
                                     description, details, latency)
        fault = read_fault(root)
        if fault is not None:
            return await self._error(cid, identity, action, unique_id, text,
                                     fault_error_code(fault["code"], fault["subcode"]),
                                     fault["reason"], {**details, "faultCode": fault["code"]},
                                     latency)
        if status != 200:
            return await self._error(cid, identity, action, unique_id, text, "GenericError",
                                     f"HTTP {status}", details, latency)
        xml = etree.tostring(root, encoding="unicode")
        try:
            answer = await self.gateway.soaptojson(xml)
        except Exception as e:  # noqa: BLE001 - SQL could not read the answer
            err = to_ocpp_error(e)
            return await self._error(cid, identity, action, unique_id, xml, err.code,
                                     f"the station's answer could not be read: {err.description}",
                                     {**details, **err.details}, latency)
        response = answer.get("payload")
        if not isinstance(response, dict):
            response = {}
        self._log(identity, None, IN, None, action, unique_id, xml, None, None, latency)
        if schemas is not None:
            try:
                schemas.check_response(action, response)
            except ValidationError as e:
                await self.gateway.command_error(
                    cid, e.code, f"the station's answer breaks the schema: {e.description}",
                    {**e.details, "response": response})
                return
        await self.gateway.command_result(cid, orjson.dumps(response).decode())

    async def _error(self, cid: int, identity: str, action: str, unique_id: str, logged: str,
                     code: str, description: str, details: dict[str, Any],
                     latency: float) -> None:
        self._log(identity, None, IN, None, action, unique_id, logged, code, description, latency)
        await self.gateway.command_error(cid, code, description, details)
