"""GET /metrics: the Prometheus exposition of the node's registry.

Prometheus usually scrapes without credentials, so none are needed by default; with [metrics] token
set, the scrape must send `Authorization: Bearer <token>` (Prometheus: `authorization:
{credentials: ...}` in the scrape config). The command queue is asked of SQL first, bounded in time,
so a PostgreSQL that does not answer makes the scrape late by at most QUEUE_TIMEOUT, never fail.
"""
from __future__ import annotations

import hmac

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from .node import NodeMetrics

QUEUE_TIMEOUT = 1.0  # seconds the scrape waits for the command-queue statement


def authorized(request: web.Request, token: str) -> bool:
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


async def metrics_response(request: web.Request, metrics: NodeMetrics, token: str) -> web.Response:
    if not authorized(request, token):
        return web.Response(status=401, text="metrics need Authorization: Bearer <token>\n",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    await metrics.refresh(QUEUE_TIMEOUT)
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return web.Response(body=encode(metrics.registry), headers={"Content-Type": content_type})
