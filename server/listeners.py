"""Where the server listens: the plain ws:// port ([server]) and the wss:// port ([tls]), one aiohttp
site each on one application; and `run`, web.run_app's loop for several sites with different TLS."""
from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass

from aiohttp import web
from aiohttp.web_runner import GracefulExit

from .config import Config, ConfigError
from .transport.tls import server_context

log = logging.getLogger("ocpp_cs")


@dataclass(frozen=True)
class Listener:
    scheme: str  # "ws" or "wss": what a station puts in its URL
    host: str
    port: int
    ssl_context: ssl.SSLContext | None = None

    @property
    def station_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/ocpp/IDENTITY"


def plan(config: Config) -> list[Listener]:
    """The listeners the configuration asks for; builds the TLS context, so a bad [tls] file is a
    ConfigError here, before anything starts."""
    listeners = []
    if config.server.plain:
        listeners.append(Listener("ws", config.server.host, config.server.port))
    context = server_context(config)
    if context is not None:
        listeners.append(Listener("wss", config.tls.host or config.server.host, config.tls.port,
                                  context))
    if not listeners:
        raise ConfigError("nothing to listen on: [server] plain = false and no [tls] port")
    return listeners


async def listen(runner: web.AppRunner, listeners: list[Listener]) -> None:
    """Start one site per listener on a runner that is set up."""
    for listener in listeners:
        await web.TCPSite(runner, listener.host, listener.port,
                          ssl_context=listener.ssl_context).start()


def run(app: web.Application, listeners: list[Listener], loop: asyncio.AbstractEventLoop,
        shutdown_timeout: float = 10.0) -> None:
    """web.run_app for several listeners: SIGINT and SIGTERM stop the server gracefully (the
    runner's signal handlers raise GracefulExit), the application's cleanup runs, then the loop
    closes."""
    async def main() -> None:
        runner = web.AppRunner(app, handle_signals=True, shutdown_timeout=shutdown_timeout,
                               access_log=None)
        await runner.setup()
        try:
            await listen(runner, listeners)
            await asyncio.Event().wait()  # until a signal
        finally:
            await runner.cleanup()

    asyncio.set_event_loop(loop)
    task = loop.create_task(main())
    try:
        loop.run_until_complete(task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            if not task.done():  # a signal: the runner's cleanup runs in main's finally
                task.cancel()
                try:
                    loop.run_until_complete(task)
                except asyncio.CancelledError:
                    pass
        finally:
            _cancel_all(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """What outlived the application (the emulator's stations, say) is cancelled and awaited."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s ended with %r at shutdown", task.get_name(), task.exception())
