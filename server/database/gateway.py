"""The gateway: the pool, and one method per named statement of queries.sql that the station side
(transport, dispatcher, signer, pki worker, message log) runs."""
from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from .batching import Batcher
from .connection import Login, close_pool, create_pool, session
from .errors import is_connection_error
from .outage import Outage

QUERIES_FILE = Path(__file__).with_name("queries.sql")


def load_queries(path: Path = QUERIES_FILE) -> dict[str, str]:
    """Split a file of `-- name: x` blocks into {x: statement}."""
    queries: dict[str, str] = {}
    for block in re.split(r"^-- name: ", path.read_text(), flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        queries[name.strip()] = body.strip()
    return queries


async def login_superuser(login: Login) -> tuple[str, bool]:
    """The login of `login`, and whether it is a superuser or may SET ROLE to one. Asked before the
    migrations, so as the login itself: the role it will act as may not exist yet."""
    async with session(login.without_role(), "check") as conn:
        row = await conn.fetchrow(load_queries()["login_superuser"])
    return row[0], row[1]


class Gateway:
    def __init__(self, pool: asyncpg.Pool, node: str, *, parse_workers: int = 2,
                 parse_batch: int = 100, logs_calls: bool = False):
        self.pool = pool
        self.node = node
        self.q = load_queries()
        self.outage = Outage()  # one report per PostgreSQL outage, whoever meets it
        # ocpp.parse_logged: a CALL and its CALLRESULT enter the message log in the transaction
        # that stores the message ([message_log] durable_calls), not through the buffered writer
        self.logs_calls = logs_calls
        if logs_calls:
            self._parse = Batcher(self._parse_logged_one, self._parse_logged_many, workers=parse_workers,
                                  max_batch=parse_batch)
        else:
            self._parse = Batcher(self._parse_one, self._parse_many, workers=parse_workers,
                                  max_batch=parse_batch)

    @classmethod
    async def open(cls, login: Login, *, min_size: int = 2, max_size: int = 10,
                   parse_workers: int = 2, parse_batch: int = 100,
                   logs_calls: bool = False) -> "Gateway":
        pool = await create_pool(login, min_size=min_size, max_size=max_size)
        return cls(pool, login.node, parse_workers=parse_workers, parse_batch=parse_batch,
                   logs_calls=logs_calls)

    async def close(self) -> None:
        await self._parse.close()
        await close_pool(self.pool)

    async def parse(self, identity: str, unique_id: str, action: str, payload_json: str,
                    account: str | None, version: str, *, raw_json: str | None = None,
                    received: datetime | None = None) -> str:
        """The reply payload as JSON text; raises asyncpg errors for refused messages.
        Calls arriving together share one statement and one commit (batching.py). With logs_calls
        the CALL (its payload as it came: raw_json, else payload_json; received: when) and the reply
        are in the message log once this returns."""
        started = time.monotonic()
        args: tuple = (identity, unique_id, action, payload_json, account, version)
        if self.logs_calls:
            args += (received or datetime.now(timezone.utc), raw_json)
        try:
            reply = await self._parse.submit(args)
        except Exception as e:
            if is_connection_error(e):
                self.outage.failed("station messages", e)
            raise
        self.outage.recovered(started)
        return reply

    async def _parse_one(self, args: tuple) -> str:
        return await self.pool.fetchval(self.q["parse"], *args)

    async def _parse_many(self, batch: list[tuple]) -> list[str]:
        columns = list(zip(*batch))
        rows = await self.pool.fetch(self.q["parse_batch"], *map(list, columns))
        return [r[0] for r in rows]

    async def _parse_logged_one(self, args: tuple) -> str:
        return (await self._parse_logged_many([args]))[0]

    async def _parse_logged_many(self, batch: list[tuple]) -> list[str]:
        rows = await self.pool.fetch(self.q["parse_logged"], *map(list, zip(*batch)))
        return [r[0] for r in rows]

    async def connect(self, identity: str, account: str | None, version: str,
                      password: bytes | None, remote: str | None, *, tls: bool = False,
                      certificate: dict[str, Any] | None = None) -> dict[str, Any]:
        """ocpp.connect: may the station connect, and with which security profile."""
        text = await self.pool.fetchval(self.q["connect"], identity, account, version,
                                        self.node, password, remote, tls,
                                        None if certificate is None
                                        else orjson.dumps(certificate).decode())
        return orjson.loads(text)

    async def disconnect(self, identity: str, connected_at: str | None) -> None:
        """ocpp.disconnect of the connection ocpp.connect answered with connectedAt."""
        await self.pool.execute(self.q["disconnect"], identity, self.node, connected_at)

    async def node_start(self) -> None:
        await self.pool.execute(self.q["node_start"], self.node)

    async def node_renew(self) -> dict[str, Any]:
        """ocpp.node_renew: {"reaped": bool, "renewEvery": seconds, "leaseUntil"}."""
        return orjson.loads(await self.pool.fetchval(self.q["node_renew"], self.node))

    async def node_reap(self) -> list[dict[str, Any]]:
        """ocpp.node_reap: the nodes this one declared dead, {"node", "leaseUntil",
        "connections", "interrupted"} each."""
        return orjson.loads(await self.pool.fetchval(self.q["node_reap"], self.node))

    async def log_frames(self, frames_json: str) -> None:
        await self.pool.execute(self.q["log_frames"], frames_json)

    async def command_claim(self) -> list[dict[str, Any]]:
        return orjson.loads(await self.pool.fetchval(self.q["command_claim"], self.node) or "[]")

    async def command_result(self, command_id: int, response_json: str) -> None:
        await self.pool.execute(self.q["command_result"], command_id, response_json)

    async def command_error(self, command_id: int, code: str, description: str,
                            details: dict[str, Any]) -> None:
        await self.pool.execute(self.q["command_error"], command_id, code, description,
                                orjson.dumps(details).decode())

    async def command_timeout(self, command_id: int) -> None:
        await self.pool.execute(self.q["command_timeout"], command_id)

    async def command_unclaim(self, command_id: int) -> None:
        """Claimed, never sent: back to the queue."""
        await self.pool.execute(self.q["command_unclaim"], command_id)

    async def command_refused(self, command_id: int, code: str, description: str,
                              details: dict[str, Any]) -> None:
        await self.pool.execute(self.q["command_refused"], command_id, code, description,
                                orjson.dumps(details).decode())

    async def commands_interrupted(self, identity: str | None = None) -> int:
        """Sent commands of this node (or of one station) whose answer can no longer come."""
        return await self.pool.fetchval(self.q["commands_interrupted"], self.node, identity)

    async def parsexml(self, envelope: str, account: str | None) -> dict[str, Any]:
        """A SOAP request envelope → {"identity", "from", "action", "version", "response"
        (the response envelope as text), "fault": {"code", "subcode", "reason"} when it is one}."""
        return orjson.loads(await self.pool.fetchval(self.q["parsexml"], envelope, account))

    async def jsontosoap(self, message: dict[str, Any]) -> str:
        """{"action", "kind", "version", "payload", "identity", "messageId", "to"} → an envelope."""
        return await self.pool.fetchval(self.q["jsontosoap"], orjson.dumps(message).decode())

    async def soaptojson(self, envelope: str) -> dict[str, Any]:
        """A station's SOAP answer → {"action", "kind", "payload", ...}."""
        return orjson.loads(await self.pool.fetchval(self.q["soaptojson"], envelope))

    async def command_claim_soap(self) -> list[dict[str, Any]]:
        """Queued commands of SOAP stations (no socket anywhere), claimed by this node."""
        return orjson.loads(await self.pool.fetchval(self.q["command_claim_soap"], self.node)
                            or "[]")

    async def certificate_requests_to_sign(self) -> list[dict[str, Any]]:
        return orjson.loads(await self.pool.fetchval(self.q["certificate_requests_to_sign"]))

    async def certificate_request_signed(self, request_id: int, chain: str) -> int:
        return await self.pool.fetchval(self.q["certificate_request_signed"], request_id, chain)

    async def certificate_request_rejected(self, request_id: int, reason: str) -> None:
        await self.pool.execute(self.q["certificate_request_rejected"], request_id, reason)

    async def ocsp_to_refresh(self, limit: int = 100) -> list[dict[str, Any]]:
        return orjson.loads(await self.pool.fetchval(self.q["ocsp_to_refresh"], limit))

    async def ocsp_response_prepared(self, certificate_id: int, response_b64: str, cert_status: str,
                                     this_update: datetime, next_update: datetime,
                                     revoked_at: datetime | None = None,
                                     revocation_reason: str | None = None) -> bool:
        return await self.pool.fetchval(self.q["ocsp_response_prepared"], certificate_id, response_b64,
                                        cert_status, this_update, next_update, revoked_at,
                                        revocation_reason)

    async def ocsp_response_failed(self, certificate_id: int, error: str) -> None:
        await self.pool.execute(self.q["ocsp_response_failed"], certificate_id, error)

    async def ev_certificate_requests_to_forward(self, limit: int = 100) -> list[dict[str, Any]]:
        return orjson.loads(await self.pool.fetchval(self.q["ev_certificate_requests_to_forward"], limit))

    async def ev_certificate_forwarded(self, request_id: int, reply: dict[str, Any]) -> None:
        await self.pool.execute(self.q["ev_certificate_forwarded"], request_id, orjson.dumps(reply).decode())

    async def ev_certificate_forward_failed(self, request_id: int, error: str) -> None:
        await self.pool.execute(self.q["ev_certificate_forward_failed"], request_id, error)

    async def log_cleanup(self) -> int:
        return await self.pool.fetchval(self.q["log_cleanup"])

    def pool_stats(self) -> dict[str, int]:
        """The pool's connections now: {"size", "idle", "min", "max"} (for /metrics)."""
        return {"size": self.pool.get_size(), "idle": self.pool.get_idle_size(),
                "min": self.pool.get_min_size(), "max": self.pool.get_max_size()}

    async def command_queue_depth(self, timeout: float) -> dict[str, int]:
        """{"queued": n, "sent": n} of the whole system's command queue (for /metrics), within
        `timeout` seconds, waiting for a pooled connection included."""
        text = await asyncio.wait_for(self.pool.fetchval(self.q["command_queue_depth"],
                                                         timeout=timeout), timeout)
        return orjson.loads(text)
