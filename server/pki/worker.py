"""The pki worker: woken by NOTIFY ocpp_pki (and a periodic scan), it prepares the OCSP responses SQL
asks for (signed by the local responder, or fetched from the certificate's remote responder) and
forwards the Get15118EVCertificate requests waiting for the contract-certificate service. Each item
on its own: one that fails is recorded and retried later, never holds up the others."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from ..database import DatabaseError, Gateway, NotifyListener
from .remote import RemoteError, ask_contract_service, fetch_ocsp
from .responder import LocalResponder

log = logging.getLogger("ocpp_cs.pki")

CHANNEL = "ocpp_pki"
BATCH = 100  # items taken from SQL per round; a longer backlog is taken in the next rounds
MAX_OCSP_RESULT = 5500  # characters: GetCertificateStatusResponse.ocspResult's maxLength


class PkiWorker:
    def __init__(self, gateway: Gateway, responder: LocalResponder | None, *,
                 http_timeout: float = 10.0, scan_interval: float = 60.0):
        self.gateway = gateway
        self.responder = responder
        self.http_timeout = http_timeout
        self.scan_interval = scan_interval
        self._wake = asyncio.Event()

    def wake(self, *_: Any) -> None:
        self._wake.set()

    def subscribe(self, listener: NotifyListener) -> None:
        """Woken by NOTIFY ocpp_pki, and each time the LISTEN is (again) in place."""
        listener.subscribe(CHANNEL, self.wake, on_listen=self.wake)

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.http_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                self._wake.clear()
                try:
                    busy = await self.round(session)
                except Exception as e:  # noqa: BLE001 - PostgreSQL away: the next round retries
                    log.warning("pki round failed: %s", e)
                    busy = False
                if busy:
                    continue  # a full batch: more may wait
                try:
                    await asyncio.wait_for(self._wake.wait(), self.scan_interval)
                except asyncio.TimeoutError:
                    pass

    async def round(self, session: aiohttp.ClientSession) -> bool:
        """One pass over what SQL has waiting; true when a batch was full."""
        due = await self.gateway.ocsp_to_refresh(BATCH)
        for item in due:
            await self._guard(self._ocsp(session, item), "OCSP", item["id"])
        pending = await self.gateway.ev_certificate_requests_to_forward(BATCH)
        for request in pending:
            await self._guard(self._forward(session, request), "Get15118EVCertificate", request["id"])
        return len(due) == BATCH or len(pending) == BATCH

    async def _guard(self, work: Any, what: str, item_id: int) -> None:
        try:
            await work
        except DatabaseError as e:
            log.warning("%s %s: recording the outcome failed: %s", what, item_id, e)

    async def _ocsp(self, session: aiohttp.ClientSession, item: dict[str, Any]) -> None:
        try:
            if item["responderUrl"]:
                prepared = await fetch_ocsp(session, item["responderUrl"], item)
            elif self.responder is not None:
                prepared = self.responder.prepare(item)
            else:
                raise RemoteError("no local OCSP responder ([iso15118] ocsp_responder = none)")
        except Exception as e:  # noqa: BLE001 - whatever went wrong, this certificate waits its retry
            log.info("OCSP response of certificate %s: %s", item["id"], e)
            await self.gateway.ocsp_response_failed(item["id"], f"{type(e).__name__}: {e}")
            return
        if len(prepared.response_b64) > MAX_OCSP_RESULT:
            await self.gateway.ocsp_response_failed(
                item["id"], f"the response has {len(prepared.response_b64)} characters of base64, "
                            f"more than ocspResult may carry ({MAX_OCSP_RESULT})")
            return
        stored = await self.gateway.ocsp_response_prepared(
            item["id"], prepared.response_b64, prepared.cert_status, prepared.this_update,
            prepared.next_update, prepared.revoked_at, prepared.revocation_reason)
        log.info("OCSP response of certificate %s (%s) %s", item["id"], prepared.cert_status,
                 "stored" if stored else "stale, dropped")
        if not stored:
            self.wake()  # revoked meanwhile: prepare it again

    async def _forward(self, session: aiohttp.ClientSession, request: dict[str, Any]) -> None:
        try:
            reply = await ask_contract_service(session, request["url"], request["identity"],
                                               request["payload"])
        except Exception as e:  # noqa: BLE001 - whatever went wrong, this request waits its retry
            log.info("Get15118EVCertificate request %s: %s", request["id"], e)
            await self.gateway.ev_certificate_forward_failed(
                request["id"], str(e) if isinstance(e, RemoteError) else f"{type(e).__name__}: {e}")
            return
        try:
            await self.gateway.ev_certificate_forwarded(request["id"], reply)
        except DatabaseError as e:
            if getattr(e, "sqlstate", None) != "OC007":
                raise
            await self.gateway.ev_certificate_forward_failed(request["id"], f"unusable answer: {e}")
