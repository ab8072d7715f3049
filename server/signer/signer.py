"""The signer: woken by NOTIFY ocpp_csr (and a periodic scan), it takes the requests to sign from
SQL, signs each with the local CA, and hands the chain back; SQL sends it as CertificateSigned."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..database import DatabaseError, Gateway, NotifyListener
from .local_ca import CsrRefused, LocalCA

log = logging.getLogger("ocpp_cs.signer")

CHANNEL = "ocpp_csr"


class Signer:
    def __init__(self, gateway: Gateway, ca: LocalCA, *, scan_interval: float = 30.0):
        self.gateway = gateway
        self.ca = ca
        self.scan_interval = scan_interval
        self._wake = asyncio.Event()

    def wake(self, *_: Any) -> None:
        self._wake.set()

    def subscribe(self, listener: NotifyListener) -> None:
        """Woken by NOTIFY ocpp_csr, and each time the LISTEN is (again) in place."""
        listener.subscribe(CHANNEL, self.wake, on_listen=self.wake)

    async def run(self) -> None:
        while True:
            try:
                await self.sign_pending()
            except Exception as e:  # noqa: BLE001 - PostgreSQL away: the next round retries
                log.warning("signing failed: %s", e)
            try:
                await asyncio.wait_for(self._wake.wait(), self.scan_interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def sign_pending(self) -> None:
        """Sign or refuse each pending request on its own: one that cannot be signed must never hold
        up the others (they come oldest first, so a stuck one would block every later one)."""
        for request in await self.gateway.certificate_requests_to_sign():
            try:
                await self._sign(request)
            except DatabaseError as e:
                log.warning("CSR %s of %s: recording the outcome failed: %s", request["id"],
                            request["identity"], e)

    async def _sign(self, request: dict[str, Any]) -> None:
        try:
            chain = self.ca.sign(request["csr"])
        except CsrRefused as e:
            log.info("CSR %s of %s refused: %s", request["id"], request["identity"], e)
            await self.gateway.certificate_request_rejected(request["id"], str(e))
            return
        await self.gateway.certificate_request_signed(request["id"], chain)
        log.info("CSR %s of %s signed", request["id"], request["identity"])
