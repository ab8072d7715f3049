"""What the emulated stations did, counted in one place (shared by every station of a run)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields

log = logging.getLogger("ocpp_emulator")


@dataclass(slots=True)
class Stats:
    connected: int = 0         # sockets open now
    booted: int = 0            # stations Accepted on their current socket
    connects: int = 0          # handshakes that succeeded
    connect_failures: int = 0  # handshakes that failed (refused, HTTP error, timeout)
    disconnects: int = 0
    boots: int = 0             # BootNotifications answered Accepted
    calls: int = 0             # CALLs sent by the stations
    answered: int = 0          # CALLs of the central system answered by the stations
    sessions: int = 0          # transactions started
    sessions_done: int = 0     # transactions stopped
    errors: int = 0            # CALLERRORs received, call timeouts, invalid payloads
    last_errors: list[str] = field(default_factory=list)
    # a list: every CALL the central system answered with a CALLRESULT, as (identity, unique id,
    # time.monotonic()), for a benchmark that checks them against the central system's log
    acked: list[tuple[str, str, float]] | None = None

    def error(self, identity: str, what: str) -> None:
        self.errors += 1
        if len(self.last_errors) < 20:
            self.last_errors.append(f"{identity}: {what}")
        log.warning("%s: %s", identity, what)

    def line(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self)
                         if f.name not in ("last_errors", "acked"))
