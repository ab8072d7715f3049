"""Buffered message log: frames are appended in memory and flushed by one background task."""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import orjson

log = logging.getLogger("ocpp_cs.messagelog")

IN, OUT = "in", "out"


class MessageLog:
    def __init__(self, write: Callable[[str], Awaitable[None]],
                 transient: Callable[[BaseException], bool], *, flush_interval: float = 0.2,
                 batch_size: int = 1000, max_buffer: int = 200000, enabled: bool = True):
        self._write = write
        self._transient = transient
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.enabled = enabled
        self._rows: deque[dict[str, Any]] = deque(maxlen=max_buffer)
        self.dropped = 0
        self._wake = asyncio.Event()

    def record(self, identity: str, account: str | None, direction: str, message_type: int | None,
               action: str | None, unique_id: str | None, payload: Any,
               error_code: str | None = None, error_description: str | None = None,
               latency_ms: float | None = None) -> None:
        if not self.enabled:
            return
        if len(self._rows) == self._rows.maxlen:
            self.dropped += 1  # the deque drops the oldest row
        self._rows.append({
            "identity": identity, "account": account, "direction": direction,
            "messageType": message_type, "action": action, "uniqueId": unique_id,
            "payload": payload, "errorCode": error_code, "errorDescription": error_description,
            "at": datetime.now(timezone.utc).isoformat(), "latencyMs": latency_ms,
        })
        if len(self._rows) >= self.batch_size:
            self._wake.set()

    async def flush(self) -> None:
        while self._rows:
            batch = [self._rows.popleft() for _ in range(min(self.batch_size, len(self._rows)))]
            try:
                await self._write(orjson.dumps(batch).decode())
            except Exception as e:  # noqa: BLE001
                if self._transient(e):  # PostgreSQL away: keep the rows for the next try
                    self._rows.extendleft(reversed(batch))
                    log.warning("message log: %d rows waiting, PostgreSQL unreachable: %s",
                                len(self._rows), e)
                    return
                # A batch PostgreSQL refuses would block every later row: drop it, loudly.
                self.dropped += len(batch)
                log.error("message log: %d rows refused by PostgreSQL and dropped: %s",
                          len(batch), e)

    async def run(self) -> None:
        """Flush until cancelled; on cancellation write what is left."""
        try:
            while True:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.flush_interval)
                except asyncio.TimeoutError:
                    pass
                self._wake.clear()
                await self.flush()
        finally:
            await self.flush()
            if self.dropped:
                log.warning("message log: %d rows dropped while the buffer was full", self.dropped)
