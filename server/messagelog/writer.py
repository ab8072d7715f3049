"""Buffered message log: frames are appended in memory and flushed by one background task.

Nothing is lost for one bad row, and nothing leaves the buffer before it is committed:
- a batch is serialised whole when it can be (one orjson call), else row by row, so a payload
  JSON cannot express (nested deeper than orjson allows) spoils only its own row;
- a row PostgreSQL cannot store (a NUL in a string, nesting beyond its stack) is stored in a safe
  form instead: its payload becomes {"unstorable": why, "raw": the frame as escaped text};
- a batch PostgreSQL refuses for its data is split until the refusing row is found, so every other
  row of the batch is written;
- rows leave the buffer only once their INSERT returned; PostgreSQL away (or restarting, or
  terminating our connection) keeps them for a retry after a backoff with jitter.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import random
import re
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import orjson

from ..database.outage import Outage

log = logging.getLogger("ocpp_cs.messagelog")

IN, OUT = "in", "out"

RAW_LIMIT = 65536  # characters of an unstorable payload kept as text
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 15.0  # seconds between retries while PostgreSQL is away
NUL_ESCAPE = "\\u0000"  # how orjson writes a NUL character, which jsonb refuses
# ... unless its backslash is itself escaped: "\\\\u0000" is the six characters \u0000, harmless
_UNESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


class MessageLog:
    def __init__(self, write: Callable[[str], Awaitable[None]],
                 refused: Callable[[BaseException], bool], *, outage: Outage | None = None,
                 flush_interval: float = 0.2, batch_size: int = 1000, max_buffer: int = 200000,
                 enabled: bool = True):
        """`write` stores a JSON array of rows (ocpp.log_frames); `refused` tells an error about
        the rows' data (split the batch, store the bad row safely) from PostgreSQL being away
        (keep the rows, retry later)."""
        self._write = write
        self._refused = refused
        self.outage = outage or Outage()
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.max_buffer = max_buffer
        self.enabled = enabled
        self._rows: deque[tuple[int, dict[str, Any]]] = deque()
        self._seq = itertools.count()
        self.written = 0       # rows through a committed write, `lost` ones too (read by /metrics)
        self.dropped = 0       # buffer full while PostgreSQL was away: the oldest rows went
        self.unstorable = 0    # rows stored in the safe form
        self.lost = 0          # rows not even the safe form could store
        self._wake = asyncio.Event()
        self._backoff = 0.0

    def written_elsewhere(self, rows: int) -> None:
        """rows of the message log written by a committed station message (ocpp.parse_logged),
        counted with this writer's own (written)."""
        if self.enabled:
            self.written += rows

    def record(self, identity: str, account: str | None, direction: str, message_type: int | None,
               action: str | None, unique_id: str | None, payload: Any,
               error_code: str | None = None, error_description: str | None = None,
               latency_ms: float | None = None, at: datetime | None = None) -> None:
        if not self.enabled:
            return
        if len(self._rows) >= self.max_buffer:
            self._rows.popleft()
            self.dropped += 1
        self._rows.append((next(self._seq), {
            "identity": identity, "account": account, "direction": direction,
            "messageType": message_type, "action": action, "uniqueId": unique_id,
            "payload": payload, "errorCode": error_code, "errorDescription": error_description,
            "at": (at or datetime.now(timezone.utc)).isoformat(), "latencyMs": latency_ms,
        }))
        if len(self._rows) >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._rows)

    async def flush(self) -> bool:
        """Write what is buffered; False when PostgreSQL is away (the rows stay for the next try)."""
        while self._rows:
            batch = list(itertools.islice(self._rows, self.batch_size))
            started = time.monotonic()
            try:
                unstorable = await self._store_batch([row for _, row in batch])
            except Exception as e:  # noqa: BLE001 - not about the data: PostgreSQL away
                self.outage.failed(f"message log, {len(self._rows)} rows waiting", e)
                return False
            self.outage.recovered(started)
            self.unstorable += unstorable
            self.written += len(batch)
            last = batch[-1][0]
            while self._rows and self._rows[0][0] <= last:  # committed: now they may go
                self._rows.popleft()
        return True

    async def _store_batch(self, rows: list[dict[str, Any]]) -> int:
        """Store rows; returns how many went in the safe form. The whole batch in one go when it
        can (almost always); else row by row encoded, split where PostgreSQL refuses."""
        whole = _encode_all(rows)
        if whole is not None:
            try:
                await self._write(whole)
                return 0
            except Exception as e:  # noqa: BLE001
                if not self._refused(e):
                    raise
        encoded = [_encode(row) for row in rows]
        await self._store([text for text, _ in encoded])
        return sum(safe for _, safe in encoded)

    async def _store(self, rows: list[str]) -> None:
        """Store encoded rows; a refused batch is split until the refusing rows are stored in the
        safe form. Raises what is not a refusal (PostgreSQL away)."""
        try:
            await self._write("[" + ",".join(rows) + "]")
        except Exception as e:  # noqa: BLE001
            if not self._refused(e):
                raise
            if len(rows) > 1:
                half = len(rows) // 2
                await self._store(rows[:half])
                await self._store(rows[half:])
                return
            await self._store_safely(rows[0], e)

    async def _store_safely(self, row_json: str, error: BaseException) -> None:
        row = orjson.loads(row_json)
        if isinstance(row.get("payload"), dict) and "unstorable" in row["payload"]:
            self._lose(row, error)  # the safe form itself was refused
            return
        try:
            await self._write("[" + _encode(_safe(row, f"{type(error).__name__}: {error}"))[0] + "]")
            self.unstorable += 1
        except Exception as e:  # noqa: BLE001
            if not self._refused(e):
                raise
            self._lose(row, e)

    def _lose(self, row: dict[str, Any], error: BaseException) -> None:
        self.lost += 1
        log.warning("message log: a row of %r could not be stored even in the safe form: %s",
                    row.get("identity"), error)

    async def run(self) -> None:
        """Flush until cancelled, backing off while PostgreSQL is away; on cancellation try once
        more to write what is left."""
        try:
            while True:
                wait = self._backoff or self.flush_interval
                try:
                    await asyncio.wait_for(self._wake.wait(), wait) if not self._backoff \
                        else await asyncio.sleep(wait)
                except asyncio.TimeoutError:
                    pass
                self._wake.clear()
                if await self.flush():
                    self._backoff = 0.0
                else:
                    base = min(BACKOFF_MAX, max(BACKOFF_FIRST, self._backoff * 2))
                    self._backoff = base * random.uniform(0.5, 1.5)
        finally:
            try:
                await self.flush()
            finally:
                if self._rows:
                    log.warning("message log: %d rows not written at shutdown", len(self._rows))
                if self.dropped:
                    log.warning("message log: %d rows dropped while the buffer was full",
                                self.dropped)


def _encode_all(rows: list[dict[str, Any]]) -> str | None:
    """The rows as one JSON array in one orjson call; None when one of them needs the safe form."""
    try:
        text = orjson.dumps(rows).decode()
    except (orjson.JSONEncodeError, TypeError):
        return None
    if NUL_ESCAPE in text and _UNESCAPED_NUL.search(text):
        return None
    return text


def _encode(row: dict[str, Any]) -> tuple[str, bool]:
    """One row as JSON, or its safe form (then True) when JSON or PostgreSQL cannot take it."""
    try:
        text = orjson.dumps(row).decode()
    except (orjson.JSONEncodeError, TypeError) as e:  # nested deeper than orjson goes
        return orjson.dumps(_safe(row, f"not JSON-encodable: {e}")).decode(), True
    if NUL_ESCAPE in text and _UNESCAPED_NUL.search(text):  # jsonb refuses NUL: spare it the try
        return orjson.dumps(_safe(row, "NUL character: PostgreSQL stores no \\u0000")).decode(), True
    return text, False


def _safe(row: dict[str, Any], why: str) -> dict[str, Any]:
    """The row with its payload as escaped text, flagged, and NULs out of every text column."""
    safe = {k: v.replace("\x00", NUL_ESCAPE) if isinstance(v, str) else v
            for k, v in row.items() if k != "payload"}
    safe["payload"] = {"unstorable": why, "raw": _text(row.get("payload"))}
    return safe


def _text(value: Any, limit: int = RAW_LIMIT) -> str:
    """value as JSON text, NULs escaped, cut at limit characters; iterative, so no depth is too
    deep for it."""
    out: list[str] = []
    size = 0
    stack: list[Any] = [value]
    while stack and size < limit:
        item = stack.pop()
        if isinstance(item, _Token):
            piece = item.text
        elif isinstance(item, dict):
            stack.append(_Token("}"))
            for i, (k, v) in enumerate(reversed(list(item.items()))):
                stack.append(v)
                stack.append(_Token(orjson.dumps(str(k)).decode() + ":"))
                if i < len(item) - 1:
                    stack.append(_Token(","))
            piece = "{"
        elif isinstance(item, list):
            stack.append(_Token("]"))
            for i, v in enumerate(reversed(item)):
                stack.append(v)
                if i < len(item) - 1:
                    stack.append(_Token(","))
            piece = "["
        else:
            try:
                piece = orjson.dumps(item).decode()
            except (orjson.JSONEncodeError, TypeError):
                piece = orjson.dumps(repr(item)).decode()
        out.append(piece)
        size += len(piece)
    return "".join(out)[:limit]


class _Token:
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text
