"""The HTTP side of the provider: an OCSP request to a remote responder (RFC 6960 over HTTP POST) and
a Get15118EVCertificate request forwarded to the contract-certificate service. Both are bounded by a
timeout and a response size; a failure is a RemoteError, which SQL records, and the worker retries."""
from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import aiohttp
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from .responder import HASHES, REASON_NAMES, Prepared

MAX_RESPONSE = 65536  # bytes: an OCSP response or an exiResponse reply is a few kB


class RemoteError(Exception):
    """The remote service could not be asked or its answer is unusable."""


async def _post(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> bytes:
    try:
        async with session.post(url, **kwargs) as response:
            body = await response.content.read(MAX_RESPONSE + 1)
            if response.status != 200:
                raise RemoteError(f"{url} answered HTTP {response.status}")
    except (aiohttp.ClientError, TimeoutError) as e:
        raise RemoteError(f"{url}: {type(e).__name__}: {e}") from None
    if len(body) > MAX_RESPONSE:
        raise RemoteError(f"{url} answered more than {MAX_RESPONSE} bytes")
    return body


async def fetch_ocsp(session: aiohttp.ClientSession, url: str, item: dict[str, Any]) -> Prepared:
    """Ask the responder at url about the certificate of one ocpp.ocsp_to_refresh row; the response
    goes to stations as it came (it is the responder's signature they check)."""
    request = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        bytes.fromhex(item["issuerNameHash"]), bytes.fromhex(item["issuerKeyHash"]),
        int(item["serialNumber"], 16), HASHES[item["hashAlgorithm"]]()).build()
    der = await _post(session, url, data=request.public_bytes(Encoding.DER),
                      headers={"Content-Type": "application/ocsp-request",
                               "Accept": "application/ocsp-response"})
    try:
        response = ocsp.load_der_ocsp_response(der)
    except ValueError as e:
        raise RemoteError(f"{url}: not an OCSP response: {e}") from None
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise RemoteError(f"{url}: OCSP {response.response_status.name}")
    single = next((r for r in response.responses if r.serial_number == int(item["serialNumber"], 16)),
                  None)
    if single is None:
        raise RemoteError(f"{url}: the response is about another certificate")
    now = dt.datetime.now(dt.timezone.utc)
    # no nextUpdate: newer information is always there; keep it for the provider's own validity
    next_update = single.next_update_utc or now + dt.timedelta(seconds=int(item["validitySeconds"]))
    status = {ocsp.OCSPCertStatus.GOOD: "good", ocsp.OCSPCertStatus.REVOKED: "revoked",
              ocsp.OCSPCertStatus.UNKNOWN: "unknown"}[single.certificate_status]
    return Prepared(base64.b64encode(der).decode(), status, single.this_update_utc, next_update,
                    single.revocation_time_utc,
                    REASON_NAMES.get(single.revocation_reason) if single.revocation_reason else None)


async def ask_contract_service(session: aiohttp.ClientSession, url: str, identity: str | None,
                               payload: dict[str, Any]) -> dict[str, Any]:
    """POST {"identity", "request": Get15118EVCertificateRequest} to the contract-certificate service;
    its JSON answer is the Get15118EVCertificateResponse (SQL checks its shape)."""
    body = await _post(session, url, json={"identity": identity, "request": payload},
                       headers={"Accept": "application/json"})
    try:
        reply = json.loads(body)
    except ValueError as e:
        raise RemoteError(f"{url}: not JSON: {e}") from None
    if not isinstance(reply, dict):
        raise RemoteError(f"{url}: the answer is not a JSON object")
    return reply
