"""The live feed of the web UI: PostgreSQL NOTIFY → this hub → every browser's WebSocket.

The hub subscribes to the two channels of db/schema/16_live.sql on the node's one LISTEN connection
(database/listener.py). `ocpp_log` carries the highest message-log id a batch wrote: the hub reads the
new rows once, for all browsers (ocpp.api_message_log_after), and gives each the rows of the station it
follows. `ocpp_station` carries a station whose state changed; the hub gathers them for a moment and
tells every browser which stations to fetch again. The rows come from the database, not from this
process, so a browser sees the frames of every front-end node. Each time the LISTENs are (again) in
place, what was written before is history, not news: the hub starts from the newest row then.

A browser that reads slower than frames arrive loses frames, not the server's memory: its queue is
bounded, and what did not fit is reported as {"type": "dropped", "count": n}.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from ..database import NotifyListener

log = logging.getLogger("ocpp_cs.webui")

LOG_CHANNEL = "ocpp_log"
STATION_CHANNEL = "ocpp_station"
READ_LIMIT = 2000         # rows read per NOTIFY; more than that at once are dropped, not queued
STATION_DELAY = 0.2       # seconds to gather station changes before telling the browsers
CLIENT_QUEUE = 64         # messages a browser may be behind before it loses frames
RETRY = 2.0               # seconds before reading the message log again after a failed read

# (after_id, upto_id, limit) -> the rows as JSON text (ocpp.api_message_log_after)
ReadRows = Callable[[int, int, int], Awaitable[str]]
NewestId = Callable[[], Awaitable[int]]


@dataclass(eq=False)
class Client:
    """One browser's socket: a bounded queue and the station whose frames it wants (None: all;
    frames False: none, station changes only)."""
    ws: web.WebSocketResponse
    identity: str | None = None
    frames: bool = True
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(CLIENT_QUEUE))
    dropped: int = 0

    def offer(self, message: dict[str, Any]) -> None:
        if self.dropped and self.queue.qsize() < CLIENT_QUEUE - 1:
            self.queue.put_nowait({"type": "dropped", "count": self.dropped})
            self.dropped = 0
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped += len(message.get("frames", ())) if message["type"] == "frames" else 0

    async def pump(self) -> None:
        while True:
            message = await self.queue.get()
            await self.ws.send_str(orjson.dumps(message).decode())


class LiveHub:
    def __init__(self, read_rows: ReadRows, newest_id: NewestId):
        self.read_rows = read_rows
        self.newest_id = newest_id
        self.clients: set[Client] = set()
        self._last_id: int | None = None     # rows up to this id were handed out
        self._upto = 0                         # highest id a NOTIFY announced
        self._rows_wake = asyncio.Event()
        self._stations: set[str] = set()
        self._stations_wake = asyncio.Event()
        self.listening = asyncio.Event()       # set while the LISTENs are up, history skipped

    def subscribe(self, listener: NotifyListener) -> None:
        listener.subscribe(LOG_CHANNEL, self._on_log, on_listen=self._on_listen,
                           on_lost=self.listening.clear)
        listener.subscribe(STATION_CHANNEL, self._on_station)

    # --- NOTIFY callbacks (run in the event loop) ---

    async def _on_listen(self) -> None:
        # what was written before we listened is history, not news
        self._upto = max(self._upto, await self.newest_id())
        self.listening.set()

    def _on_log(self, payload: str) -> None:
        try:
            upto = int(payload)
        except ValueError:
            return
        self._upto = max(self._upto, upto)
        self._rows_wake.set()

    def _on_station(self, payload: str) -> None:
        self._stations.add(payload)
        self._stations_wake.set()

    # --- the work ---

    async def run(self) -> None:
        await asyncio.gather(self._hand_out_rows(), self._hand_out_stations())

    async def _hand_out_rows(self) -> None:
        while True:
            await self._rows_wake.wait()
            self._rows_wake.clear()
            upto = self._upto
            if not self.clients or self._last_id is None:
                self._last_id = upto   # nobody watching: the next browser starts from here
                continue
            if upto <= self._last_id:
                continue
            try:
                rows = orjson.loads(await self.read_rows(self._last_id, upto, READ_LIMIT))
            except Exception as e:  # noqa: BLE001 - the next NOTIFY tries again
                log.warning("live feed: reading the message log failed: %s", e)
                await asyncio.sleep(RETRY)
                self._rows_wake.set()
                continue
            skipped = (upto - self._last_id) - len(rows) if len(rows) == READ_LIMIT else 0
            self._last_id = upto
            self._deliver(rows, skipped)

    def _deliver(self, rows: list[dict[str, Any]], skipped: int) -> None:
        for client in list(self.clients):
            if not client.frames:
                continue
            mine = rows if client.identity is None else [r for r in rows if r["identity"] == client.identity]
            if skipped and client.identity is None:
                client.offer({"type": "dropped", "count": skipped})
            if mine:
                client.offer({"type": "frames", "frames": mine})

    async def _hand_out_stations(self) -> None:
        while True:
            await self._stations_wake.wait()
            await asyncio.sleep(STATION_DELAY)
            self._stations_wake.clear()
            identities, self._stations = sorted(self._stations), set()
            for client in list(self.clients):
                client.offer({"type": "stations", "identities": identities})

    async def close_clients(self) -> None:
        await asyncio.gather(*(c.ws.close(code=1001, message=b"server shutting down")
                               for c in list(self.clients)), return_exceptions=True)

    # --- one browser ---

    async def serve(self, ws: web.WebSocketResponse) -> None:
        """Feeds ws until the browser goes; reads its {"type": "subscribe", "identity": ...} and
        {"type": "subscribe", "frames": false} messages."""
        client = Client(ws)
        if self._last_id is None:
            self._last_id = self._upto
        self.clients.add(client)
        pump = asyncio.create_task(client.pump(), name="live-pump")
        try:
            async for message in ws:
                if message.type != web.WSMsgType.TEXT:
                    continue
                try:
                    data = orjson.loads(message.data)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(data, dict) and data.get("type") == "subscribe":
                    identity = data.get("identity")
                    client.identity = identity if isinstance(identity, str) and identity else None
                    client.frames = data.get("frames") is not False
        finally:
            self.clients.discard(client)
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
