"""Where the server listens: the plain ws:// port ([server]) and the wss:// port ([tls]), one aiohttp
site each on one application; and `run`, web.run_app's loop for several sites with different TLS."""
from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import Awaitable, Callable

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
    handshake_timeout: float = 10.0  # [server] handshake_timeout: for the TLS handshake here

    @property
    def station_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/ocpp/IDENTITY"

    @property
    def web_url(self) -> str:
        """The web UI's address as a browser on this machine or another one may open it: a
        wildcard address is this machine's name."""
        host = socket.gethostname() if self.host in ("", "0.0.0.0", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.ssl_context else 'http'}://{host}:{self.port}/"


def plan(config: Config) -> list[Listener]:
    """The listeners the configuration asks for; builds the TLS context, so a bad [tls] file is a
    ConfigError here, before anything starts."""
    listeners = []
    if config.server.plain:
        listeners.append(Listener("ws", config.server.host, config.server.port,
                                  handshake_timeout=config.server.handshake_timeout))
    context = server_context(config)
    if context is not None:
        listeners.append(Listener("wss", config.tls.host or config.server.host, config.tls.port,
                                  context, config.server.handshake_timeout))
    if not listeners:
        raise ConfigError("nothing to listen on: [server] plain = false and no [tls] port")
    return listeners


def make_runner(app: web.Application, config: Config, **kwargs) -> web.AppRunner:
    """The runner of the sites. aiohttp's keep-alive timer starts when a connection opens and closes
    it while no whole request has arrived (a half-sent request as well as an idle keep-alive), so
    keepalive_timeout = handshake_timeout drops slow or stuck handshakes; a WebSocket or a request
    being handled is not idle and stays."""
    return web.AppRunner(app, keepalive_timeout=config.server.handshake_timeout, **kwargs)


class Site(web.TCPSite):
    """TCPSite with a bound on the TLS handshake: asyncio's default waits 60 s for a peer that
    connected and sends nothing."""

    def __init__(self, runner: web.AppRunner, listener: Listener):
        super().__init__(runner, listener.host, listener.port, ssl_context=listener.ssl_context)
        self.handshake_timeout = listener.handshake_timeout

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            server, self._host, self._port, ssl=self._ssl_context, backlog=self._backlog,
            reuse_address=self._reuse_address, reuse_port=self._reuse_port,
            ssl_handshake_timeout=self.handshake_timeout if self._ssl_context else None)
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port


async def listen(runner: web.AppRunner, listeners: list[Listener]) -> None:
    """Start one site per listener on a runner that is set up (make_runner). A port that cannot be
    bound (in use, or privileged) is a ConfigError: one line for the operator, not a traceback."""
    for listener in listeners:
        try:
            await Site(runner, listener).start()
        except OSError as e:
            raise ConfigError(f"cannot listen on {listener.host}:{listener.port}: "
                              f"{e.strerror or e} (another ocpp-cs running? choose another "
                              f"{'--tls-port' if listener.scheme == 'wss' else '--port'})") from None


def run(app: web.Application, config: Config, listeners: list[Listener],
        loop: asyncio.AbstractEventLoop, shutdown_timeout: float = 10.0,
        on_listening: Callable[[], Awaitable[None]] | None = None) -> None:
    """web.run_app for several listeners: SIGINT and SIGTERM stop the server gracefully (the
    runner's signal handlers raise GracefulExit), the application's cleanup runs, then the loop
    closes. on_listening runs once every port is bound (what must not happen for a start that
    fails, such as printing the first token)."""
    async def main() -> None:
        runner = make_runner(app, config, handle_signals=True, shutdown_timeout=shutdown_timeout,
                             access_log=None)
        await runner.setup()
        try:
            await listen(runner, listeners)
            if on_listening is not None:
                await on_listening()
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
