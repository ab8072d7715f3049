"""POST each station-initiated message to the webhook and return its answer's payload.

The request and answer follow apostoldevel/ocpp-cs's webhook (its README, "Webhook"):

    → {"identity", "uniqueId", "action", "payload", "account"}
    ← {"identity", "uniqueId", "action", "payload"}            the reply the station gets
    ← {"error": {"code", "message", "details"}}                 a CALLERROR the station gets

apostoldevel documents no error answer; its framework answers errors as {"error": {"code",
"message"}}, so that is the shape read here. A code that is an OCPP error name (ProtocolError,
SecurityError, ...) goes to the station as it is; any other (an HTTP-like number) as GenericError.
"description" is read when "message" is missing, and a bare string error is its message.

Everything else that goes wrong (no connection, no answer within the timeout, an HTTP error
without an error body, not JSON, no payload) raises WebhookError, which the transport turns into
an InternalError for the station, with the reason in the message log.
"""
from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import orjson

from ..config import WebhookConfig
from ..validation import ValidationError

# An answer is one OCPP payload; a larger body is a broken webhook, not something to buffer.
MAX_ANSWER_SIZE = 1048576

# Both spellings: 1.6's and 2.0.1's (the transport respells for the station's version).
OCPP_ERROR_CODES = frozenset({
    "GenericError", "NotImplemented", "NotSupported", "InternalError", "ProtocolError",
    "SecurityError", "FormationViolation", "FormatViolation", "PropertyConstraintViolation",
    "OccurenceConstraintViolation", "OccurrenceConstraintViolation", "TypeConstraintViolation",
    "RpcFrameworkError", "MessageTypeNotSupported",
})
_TO_16_SPELLING = {"FormatViolation": "FormationViolation",
                   "OccurrenceConstraintViolation": "OccurenceConstraintViolation"}


class WebhookError(Exception):
    """The webhook gave no usable answer: the station gets an InternalError."""


class WebhookRefused(ValidationError):
    """The webhook answered with an error: the station gets it as a CALLERROR."""


def refusal(error: Any) -> WebhookRefused:
    if isinstance(error, str):
        return WebhookRefused("GenericError", error)
    if not isinstance(error, dict):
        raise WebhookError(f"webhook answered an error that is neither an object nor a string: "
                           f"{error!r:.200}")
    code = error.get("code")
    code = _TO_16_SPELLING.get(code, code) if code in OCPP_ERROR_CODES else "GenericError"
    description = error.get("message") or error.get("description") or ""
    details = error.get("details")
    return WebhookRefused(code, str(description), details if isinstance(details, dict) else {})


def payload_of(body: bytes, status: int = 200) -> str:
    """The reply payload as JSON text from the webhook's answer; raises WebhookRefused for an error
    answer (whatever the HTTP status) and WebhookError for anything unusable."""
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        answer = None
    if isinstance(answer, dict) and answer.get("error") is not None:
        raise refusal(answer["error"])
    if not 200 <= status < 300:
        raise WebhookError(f"webhook answered HTTP {status}: {body[:200]!r}")
    if not isinstance(answer, dict):
        raise WebhookError(f"webhook answer is not a JSON object: {body[:200]!r}")
    payload = answer.get("payload")
    if not isinstance(payload, dict):
        raise WebhookError(f"webhook answer has no payload object: {body[:200]!r}")
    return orjson.dumps(payload).decode()


class WebhookClient:
    """Has the Gateway's parse(); start() and close() bracket its HTTP connection pool."""

    def __init__(self, config: WebhookConfig):
        if config.auth not in ("none", "basic", "bearer"):
            raise ValueError(f"[webhook] auth must be none, basic or bearer, not {config.auth!r}")
        self.url = config.url
        self.timeout = config.timeout
        self.headers = {"Content-Type": "application/json"}
        if config.auth == "basic":
            basic = base64.b64encode(f"{config.username}:{config.password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {basic}"
        elif config.auth == "bearer":
            self.headers["Authorization"] = f"Bearer {config.token}"
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def parse(self, identity: str, unique_id: str, action: str, payload_json: str,
                    account: str | None, version: str) -> str:
        """The reply payload as JSON text, as Gateway.parse returns it."""
        if self._http is None:
            raise WebhookError("webhook client not started")
        body = (f'{{"identity":{orjson.dumps(identity).decode()},'
                f'"uniqueId":{orjson.dumps(unique_id).decode()},'
                f'"action":{orjson.dumps(action).decode()},"payload":{payload_json},'
                f'"account":{orjson.dumps(account).decode()}}}')
        try:
            async with self._http.post(self.url, data=body, headers=self.headers) as response:
                status = response.status
                answer = await read_bounded(response.content)
        except asyncio.TimeoutError:
            raise WebhookError(f"webhook {self.url} gave no answer within {self.timeout:g} s") \
                from None
        except aiohttp.ClientError as e:
            raise WebhookError(f"webhook {self.url} unreachable: {type(e).__name__}: {e}") \
                from None
        return payload_of(answer, status)


async def read_bounded(stream: aiohttp.StreamReader, limit: int = MAX_ANSWER_SIZE) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(65536):
        size += len(chunk)
        if size > limit:
            raise WebhookError(f"webhook answer exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
