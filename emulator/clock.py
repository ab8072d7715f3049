"""Time as OCPP writes it: UTC with milliseconds and a Z, read back leniently."""
from __future__ import annotations

import time
from datetime import datetime, timezone


def now_iso(at: float | None = None) -> str:
    dt = datetime.fromtimestamp(time.time() if at is None else at, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
