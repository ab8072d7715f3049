"""The aiohttp application: the one place that wires the boxes together, with their routes and the
background work that lives as long as the app does.

Each box gets what it needs under a typed key of keys.py (the REST API and the web UI are
sub-applications that read them through request.config_dict), so nothing below imports this module.
Every connection to PostgreSQL is the database package's: the gateway's pool, and one LISTEN
connection (database/listener.py) whose channels the dispatcher, the signer, the pki worker and the
live feed subscribe to before it starts."""
from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

from aiohttp import web

from .api import setup_api
from .api.limits import body_limit_middleware
from .config import Config
from .database import ApiQueries, Gateway, Login, NotifyListener, is_refusal
from .dispatcher import Dispatcher
from .dispatcher.soap import SoapDelivery
from .keys import (API_QUERIES, CONFIG, DISPATCHER, ENDPOINT, GATEWAY, LISTENER, LIVE, MESSAGES,
                   METRICS, SOAP, STATIONS, WEBHOOK)
from .messagelog import MessageLog
from .metrics import NodeMetrics, metrics_response
from .nodes import NodeLease
from .pki import LocalResponder, PkiWorker
from .signer import LocalCA, Signer
from .transport import SoapEndpoint, Stations, WebSocketEndpoint
from .transport.proxy import TrustedProxies
from .webhook import WebhookClient
from .webui import LiveHub, setup_webui
from .webui.headers import setup_headers

log = logging.getLogger("ocpp_cs")

__all__ = ["API_QUERIES", "CONFIG", "DISPATCHER", "ENDPOINT", "GATEWAY", "LISTENER", "LIVE",
           "MESSAGES", "METRICS", "SOAP", "STATIONS", "WEBHOOK", "build_app", "stop_tasks"]

LOG_CLEANUP_EVERY = 3600.0  # seconds between ocpp.log_cleanup() runs (retention is a SQL setting)


def build_app(config: Config, dsn: str) -> web.Application:
    # The body limit comes first: an oversized request is refused before the token check.
    app = web.Application(client_max_size=config.api.max_body_size,
                          middlewares=[body_limit_middleware(config.api.max_body_size)])
    setup_headers(app)
    proxies = TrustedProxies.from_config(config)  # here: a bad [tls] entry stops the start at once
    app[CONFIG] = config
    login = Login.from_config(config, dsn)
    # Each box hands the metrics its numbers as it starts (metrics.Sources); the station path
    # counts through metrics.station.
    metrics = NodeMetrics(config.node, config.ocpp.versions) if config.metrics.enabled else None
    if metrics is not None:
        app[METRICS] = metrics

    async def database(app: web.Application) -> AsyncIterator[None]:
        gateway = await Gateway.open(login, min_size=config.database.pool_min,
                                     max_size=config.database.pool_max,
                                     parse_workers=config.database.parse_workers,
                                     parse_batch=config.database.parse_batch,
                                     logs_calls=(config.message_log.enabled
                                                 and config.message_log.durable_calls))
        await gateway.node_start()
        app[GATEWAY] = gateway
        app[API_QUERIES] = ApiQueries(gateway.pool)
        if metrics is not None:
            metrics.sources.pool = gateway.pool_stats
            metrics.sources.queue_depth = gateway.command_queue_depth
        # Subscribers register below; it starts listening last (listen), once all have.
        app[LISTENER] = NotifyListener(login, gateway.outage)
        yield
        await gateway.close()

    async def message_log(app: web.Application) -> AsyncIterator[None]:
        c = config.message_log
        messages = MessageLog(app[GATEWAY].log_frames, is_refusal, outage=app[GATEWAY].outage,
                              flush_interval=c.flush_interval,
                              batch_size=c.batch_size, max_buffer=c.max_buffer, enabled=c.enabled)
        app[MESSAGES] = messages
        if metrics is not None:
            metrics.sources.message_log = messages
        writer = asyncio.create_task(messages.run(), name="message-log")
        cleanup = asyncio.create_task(_log_cleanup(app[GATEWAY]), name="message-log-cleanup")
        yield
        await stop_tasks(cleanup, writer)

    async def live_feed(app: web.Application) -> AsyncIterator[None]:
        queries = app[API_QUERIES]
        hub = LiveHub(queries.message_log_after, queries.message_log_newest)
        hub.subscribe(app[LISTENER])
        app[LIVE] = hub
        task = asyncio.create_task(hub.run(), name="live-feed")
        yield
        await stop_tasks(task)

    async def webhook(app: web.Application) -> AsyncIterator[None]:
        if not config.webhook.url:
            yield
            return
        client = WebhookClient(config.webhook)
        await client.start()
        app[WEBHOOK] = client
        log.info("webhook mode: station messages go to %s, not ocpp.parse", config.webhook.url)
        yield
        await client.close()

    async def stations(app: web.Application) -> AsyncIterator[None]:
        app[STATIONS] = Stations()
        soap = SoapDelivery(app[GATEWAY], app[MESSAGES], call_timeout=config.ocpp.call_timeout,
                            max_body_size=config.soap.max_body_size,
                            max_depth=config.soap.max_depth) if config.soap.enabled else None
        dispatcher = Dispatcher(app[GATEWAY], app[STATIONS],
                                call_timeout=config.ocpp.call_timeout,
                                scan_interval=config.ocpp.command_scan_interval, soap=soap)
        dispatcher.subscribe(app[LISTENER])
        app[DISPATCHER] = dispatcher
        # A station that connects may have commands waiting for it.
        # In webhook mode the webhook answers station messages; connections, station auth and the
        # message log stay with the gateway.
        hook = app.get(WEBHOOK)
        app[ENDPOINT] = WebSocketEndpoint(app[GATEWAY], app[MESSAGES], app[STATIONS], config.ocpp,
                                          on_connect=dispatcher.wake,
                                          parse=hook.parse if hook else None,
                                          parse_name="webhook" if hook else "ocpp.parse",
                                          proxies=proxies,
                                          observer=metrics.station if metrics else None)
        if metrics is not None:
            held = app[STATIONS]
            metrics.sources.connected = lambda: [s.version for s in held.all()]
            metrics.sources.commands_sent = lambda: dispatcher.sent
        app[SOAP] = SoapEndpoint(app[GATEWAY], app[MESSAGES], config.soap,
                                 config.ocpp.max_identity_length)
        task = asyncio.create_task(dispatcher.run(), name="dispatcher")
        yield
        await stop_tasks(task)

    async def node_lease(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(NodeLease(app[GATEWAY], app[STATIONS]).run(), name="node-lease")
        yield
        await stop_tasks(task)

    async def close_sockets(app: web.Application) -> None:
        sessions = app[STATIONS].all()
        await asyncio.gather(*(s.close(1001, "central system shutting down") for s in sessions),
                             app[LIVE].close_clients(), return_exceptions=True)

    async def signer(app: web.Application) -> AsyncIterator[None]:
        c = config.certificates
        if c.signer == "none":
            yield
            return
        if c.signer != "local-ca":
            raise ValueError(f"[certificates] signer must be local-ca or none, not {c.signer!r}")
        ca = LocalCA(config.local_ca_dir, c.validity_days)
        csr_signer = Signer(app[GATEWAY], ca)
        csr_signer.subscribe(app[LISTENER])
        task = asyncio.create_task(csr_signer.run(), name="signer")
        yield
        await stop_tasks(task)

    async def pki(app: web.Application) -> AsyncIterator[None]:
        c = config.iso15118
        if not c.worker:
            yield
            return
        if c.ocsp_responder not in ("local-ca", "none"):
            raise ValueError(f"[iso15118] ocsp_responder must be local-ca or none, not {c.ocsp_responder!r}")
        responder = None
        if c.responder_cert and c.responder_key:
            responder = LocalResponder.from_files(c.responder_cert, c.responder_key)
        elif c.ocsp_responder == "local-ca":
            ca = LocalCA(config.local_ca_dir, config.certificates.validity_days)
            responder = LocalResponder(ca.cert, ca.key)
        worker = PkiWorker(app[GATEWAY], responder, http_timeout=c.http_timeout,
                           scan_interval=c.scan_interval)
        worker.subscribe(app[LISTENER])
        task = asyncio.create_task(worker.run(), name="pki")
        yield
        await stop_tasks(task)

    async def listen(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(app[LISTENER].run(), name="listener")
        yield
        await stop_tasks(task)

    app.cleanup_ctx.extend([database, message_log, live_feed, webhook, stations, node_lease, signer,
                            pki, listen])
    app.on_shutdown.append(close_sockets)

    async def ocpp_websocket(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].serve(request)

    async def ping(request: web.Request) -> web.Response:
        return web.Response(text="pong\n")

    async def ocpp_soap(request: web.Request) -> web.StreamResponse:
        return await request.app[SOAP].handle(request)

    app.router.add_get("/ocpp/{path:.*}", ocpp_websocket)
    if config.soap.enabled:
        app.router.add_post("/Ocpp", ocpp_soap)
        app.router.add_post("/Ocpp/{path:.*}", ocpp_soap)
    app.router.add_get("/ping", ping)
    if metrics is not None:
        async def prometheus(request: web.Request) -> web.Response:
            return await metrics_response(request, request.app[METRICS], config.metrics.token)

        app.router.add_get("/metrics", prometheus)
    setup_api(app, config)
    setup_webui(app)
    return app


STOP_TIMEOUT = 10.0  # seconds a background task gets to finish once cancelled


async def stop_tasks(*tasks: asyncio.Task) -> None:
    """Cancel background tasks and wait for them, but never hang a shutdown on one."""
    for task in tasks:
        task.cancel()
    done, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
    for task in pending:
        log.warning("%s did not stop within %.0f s; left behind", task.get_name(), STOP_TIMEOUT)


async def _log_cleanup(gateway: Gateway) -> None:
    while True:
        try:
            deleted = await gateway.log_cleanup()
            if deleted:
                log.info("message log: %d rows past retention deleted", deleted)
        except Exception as e:  # noqa: BLE001 - try again next round
            log.warning("message log cleanup failed: %s", e)
        await asyncio.sleep(LOG_CLEANUP_EVERY)
