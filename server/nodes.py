"""Node liveness: this node renews its lease in cs.node and declares dead the nodes whose lease ran out.

A node killed with SIGKILL never says goodbye: without a lease its stations would show connected on
it forever and a command sent to them would never end. Every rule is SQL's (ocpp.node_renew,
ocpp.node_reap in db/functions/01_stations/connect.sql): how long a lease lasts and the grace after it
(settings node.lease_seconds, node.grace_seconds), how often to renew (node_renew answers it), what a
dead node's connections and commands become. This loop only keeps time and acts on the answers:

- renewed after having been declared dead (the node was paused, or cut off from PostgreSQL longer than
  its lease): every socket it holds is closed, so that those stations reconnect and ocpp.connect
  decides where they are served. Claiming them back instead could take a station from the node that
  serves it now, and their commands were already ended by the reaper.
- a dead node reaped: one INFO line each, with what was done.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from .database import is_connection_error

if TYPE_CHECKING:
    from .database import Gateway
    from .transport import Stations

log = logging.getLogger("ocpp_cs.nodes")

FIRST_RENEW_EVERY = 5.0  # seconds, until ocpp.node_renew has answered once (the default lease / 3)
REAPED_CLOSE_CODE = 1012  # WebSocket "service restart": the station should reconnect


class NodeLease:
    def __init__(self, gateway: "Gateway", stations: "Stations") -> None:
        self.gateway = gateway
        self.stations = stations
        self.renew_every = FIRST_RENEW_EVERY

    async def run(self) -> None:
        """Renew and reap every renew_every seconds until cancelled; a failed round is retried at
        the next one (should PostgreSQL stay away longer than the lease, the renewal after it says
        the node was reaped)."""
        while True:
            try:
                await self.tick()
            except Exception as e:  # noqa: BLE001 - PostgreSQL away: the next round retries
                if is_connection_error(e):
                    self.gateway.outage.failed("node lease", e)
                else:
                    log.warning("node lease renewal failed: %s", e)
            await asyncio.sleep(self.renew_every)

    async def tick(self) -> None:
        lease = await self.gateway.node_renew()
        self.renew_every = float(lease["renewEvery"])
        if lease["reaped"]:
            await self.close_ghosts()
        for dead in await self.gateway.node_reap():
            log.info("node %s declared dead (lease over since %s): %d connections removed, "
                     "%d sent commands interrupted", dead["node"], dead["leaseUntil"],
                     dead["connections"], dead["interrupted"])

    async def close_ghosts(self) -> None:
        sessions = self.stations.all()
        log.warning("node %s was declared dead by another node while it was away; closing the %d "
                    "station sockets it holds so that they reconnect", self.gateway.node, len(sessions))
        await asyncio.gather(*(s.close(REAPED_CLOSE_CODE, "node was declared dead; reconnect")
                               for s in sessions), return_exceptions=True)
