"""PostgreSQL out of reach: said once when it starts, counted while it lasts, said again when it ends.

Every station message, every message-log flush and every dispatcher scan fails while PostgreSQL is
away; one line each would be thousands a second. The Gateway owns one Outage; whoever sees a
connection error reports it here, and a call that works again ends the outage.
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger("ocpp_cs.database")


class Outage:
    def __init__(self) -> None:
        self.since: float | None = None
        self.failures = 0

    def failed(self, what: str, error: BaseException) -> None:
        """A call could not reach PostgreSQL; logged only when it starts an outage."""
        self.failures += 1
        if self.since is None:
            self.since = time.monotonic()
            log.error("PostgreSQL unreachable (%s: %s: %s); failures are counted until it is back",
                      what, type(error).__name__, error)

    def recovered(self, started: float | None = None) -> None:
        """A call reached PostgreSQL: the outage, if any, is over. `started` (time.monotonic() when
        the call began) lets a call that was already in flight when the outage began, and finished
        on a backend PostgreSQL had not stopped yet, prove nothing: ending the outage on it would
        log the next failure of the same outage as a second one."""
        if self.since is None or (started is not None and started < self.since):
            return
        log.warning("PostgreSQL reachable again after %.1f s; %d calls failed meanwhile",
                    time.monotonic() - self.since, self.failures)
        self.since = None
        self.failures = 0
