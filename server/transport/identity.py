"""What a station identity may be, for every transport: the WebSocket path's last segment (and the
account before it) and SOAP's chargeBoxIdentity. Checked before anything reaches SQL."""
from __future__ import annotations

import re

# NUL above all: PostgreSQL text cannot hold it, and the identity goes into every table.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def identity_problem(identity: str, max_length: int) -> str | None:
    """Why a station identity (or account) cannot be taken, or None: a control character, or more
    than max_length characters ([ocpp] max_identity_length; OCPP's identity has at most 48)."""
    if _CONTROL.search(identity):
        return "a station identity must not contain control characters"
    if len(identity) > max_length:
        return (f"a station identity of {len(identity)} characters exceeds the limit of "
                f"{max_length}")
    return None


def loggable(name: str) -> str:
    """A refused identity as the message log can keep it: control characters shown as \\xNN, at
    most 100 characters."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return shown if len(shown) <= 100 else shown[:100] + "…"
