"""The metrics of one node, in one CollectorRegistry per app: tests run several servers in one
process, and prometheus_client's global default registry would mix their numbers.

Two kinds of numbers:
- counted as they happen, on the station path (StationMetrics): calls received, CALLERRORs sent,
  the time from a frame received to its reply sent. That path does thousands of calls a second, so
  each count is a dict lookup and an integer add, turned into metric families only at a scrape;
- read when Prometheus scrapes (the collector below), from the boxes that keep them anyway: the
  stations this node holds, the message log's buffer and counts, the pool, the dispatcher's
  outcomes, and the command queue (one SQL statement, refreshed by http.py before each scrape).
  Nothing to keep in step, and nothing on the hot path.

Labels stay few: versions, actions the version knows ("other" for any other name a station sends),
error codes (capped), statuses; never a station's identity.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable, Iterator, Mapping, Protocol

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import (CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily,
                                   Metric)

from .. import __version__
from ..protocol.actions import VERSIONS, actions

PREFIX = "ocpp_cs_"
# seconds from a station's frame received to its reply sent: 1 ms (a replay, a refusal) to 5 s
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
MAX_ERROR_CODES = 64  # distinct CALLERROR codes labelled by name; any further one counts as "other"
OTHER = "other"


class StationMetrics:
    """What the WebSocket transport counts on the station path (transport's Observer protocol).

    Plain ints in dicts, turned into metric families only when Prometheus scrapes: a
    prometheus_client Counter or Histogram takes a lock on every .inc()/.observe(), which the
    station path, at thousands of calls a second, would pay for nothing between two scrapes. The
    event loop is the only writer, so no lock is needed here."""

    def __init__(self, registry: CollectorRegistry):
        self._calls: dict[tuple[str, str], int] = {}   # (action, version) → count
        self._errors: dict[str, int] = {}              # code → count
        self._buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # per bucket, not cumulative; last: +Inf
        self._latency_sum = 0.0
        self._known = {version: actions(version) for version in VERSIONS}
        registry.register(self)

    def call_received(self, version: str, action: str) -> None:
        key = (action, version)
        try:
            self._calls[key] += 1
        except KeyError:
            # an action the version does not know counts as "other": made-up names grow nothing
            if action not in self._known.get(version, ()):
                key = (OTHER, version)
            self._calls[key] = self._calls.get(key, 0) + 1

    def error_sent(self, code: str) -> None:
        try:
            self._errors[code] += 1
        except KeyError:
            if len(self._errors) >= MAX_ERROR_CODES:
                code = OTHER
            self._errors[code] = self._errors.get(code, 0) + 1

    def answered(self, seconds: float) -> None:
        self._buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self._latency_sum += seconds

    def collect(self) -> Iterator[Metric]:
        calls = CounterMetricFamily(PREFIX + "station_calls",
                                    "CALLs (and 2.1 SENDs) received from stations",
                                    labels=["action", "version"])
        for (action, version), count in sorted(self._calls.items()):
            calls.add_metric([action, version], count)
        yield calls
        errors = CounterMetricFamily(PREFIX + "callerrors_sent",
                                     "CALLERRORs sent to stations, by error code", labels=["code"])
        for code, count in sorted(self._errors.items()):
            errors.add_metric([code], count)
        yield errors
        cumulative, buckets = 0, []
        for bound, count in zip([*map(str, LATENCY_BUCKETS), "+Inf"], self._buckets):
            cumulative += count
            buckets.append((bound, cumulative))
        latency = HistogramMetricFamily(
            PREFIX + "call_latency_seconds",
            "seconds from a station's frame received to its reply sent (framing, validation, "
            "ocpp.parse)")
        latency.add_metric([], buckets, self._latency_sum)
        yield latency


class MessageLogStats(Protocol):
    """messagelog.MessageLog's numbers."""
    pending: int
    written: int
    dropped: int
    unstorable: int
    lost: int


@dataclass
class Sources:
    """Where the scrape reads its numbers; app.py fills them as the boxes start (None: not yet, or
    not on this node)."""
    # the OCPP version of each station socket this node holds
    connected: Callable[[], Iterable[str]] | None = None
    message_log: MessageLogStats | None = None
    # {"size", "idle", "min", "max"} of the gateway's pool
    pool: Callable[[], Mapping[str, int]] | None = None
    # {(action, outcome): count} of the commands the dispatcher sent
    commands_sent: Callable[[], Mapping[tuple[str, str], int]] | None = None
    # {status: count} of the command queue (SQL); awaited by refresh() with a time limit
    queue_depth: Callable[[float], Awaitable[Mapping[str, int]]] | None = None


class NodeMetrics:
    """The registry of one node and its metrics; `station` is what the transport counts with."""

    def __init__(self, node: str, versions: Iterable[str] = VERSIONS):
        self.registry = CollectorRegistry()
        self.sources = Sources()
        self.station = StationMetrics(self.registry)
        self.versions = list(versions)  # reported at 0 connected too, so graphs start at 0
        Gauge(PREFIX + "node_info", "this node: its name and the ocpp-cs version it runs (always 1)",
              ["node", "version"], registry=self.registry).labels(node, __version__).set(1)
        self.queue_depth: dict[str, int] = {}  # the last answer of the queue statement
        self.database_up = 0
        self.registry.register(_ScrapeCollector(self))

    async def refresh(self, timeout: float) -> None:
        """Ask SQL for the command queue before a scrape, within `timeout` seconds; when
        PostgreSQL does not answer, the scrape reports the last figures and database up 0."""
        if self.sources.queue_depth is None:
            return
        try:
            self.queue_depth = dict(await self.sources.queue_depth(timeout))
            self.database_up = 1
        except Exception:  # noqa: BLE001 - a scrape answers with what it has
            self.database_up = 0


class _ScrapeCollector:
    def __init__(self, metrics: NodeMetrics):
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m, s = self.metrics, self.metrics.sources
        if s.connected is not None:
            by_version = dict.fromkeys(m.versions, 0)
            for version in s.connected():
                by_version[version] = by_version.get(version, 0) + 1
            g = GaugeMetricFamily(PREFIX + "stations_connected",
                                  "station WebSockets this node holds, by OCPP version",
                                  labels=["version"])
            for version, n in sorted(by_version.items()):
                g.add_metric([version], n)
            yield g
        if s.message_log is not None:
            log = s.message_log
            yield GaugeMetricFamily(PREFIX + "message_log_backlog",
                                    "frames buffered for the message log, not yet written",
                                    value=log.pending)
            for name, value, what in (
                    ("written", log.written, "message-log rows written to PostgreSQL"),
                    ("dropped", log.dropped, "message-log rows dropped: buffer full while "
                                             "PostgreSQL was away"),
                    ("unstorable", log.unstorable, "message-log rows stored in the safe form"),
                    ("lost", log.lost, "message-log rows not even the safe form could store")):
                yield CounterMetricFamily(PREFIX + "message_log_" + name, what, value=value)
        if s.pool is not None:
            pool = s.pool()
            size, idle = pool["size"], pool["idle"]
            yield GaugeMetricFamily(PREFIX + "db_pool_size",
                                    "connections open in the database pool", value=size)
            yield GaugeMetricFamily(PREFIX + "db_pool_max",
                                    "the most connections the database pool may open",
                                    value=pool["max"])
            g = GaugeMetricFamily(PREFIX + "db_pool_connections",
                                  "connections of the database pool, idle or in use",
                                  labels=["state"])
            g.add_metric(["idle"], idle)
            g.add_metric(["in_use"], size - idle)
            yield g
        if s.commands_sent is not None:
            c = CounterMetricFamily(PREFIX + "commands_sent",
                                    "commands the dispatcher sent to stations, by action and "
                                    "outcome", labels=["action", "outcome"])
            for (action, outcome), n in sorted(s.commands_sent().items()):
                c.add_metric([action, outcome], n)
            yield c
        if s.queue_depth is not None:
            g = GaugeMetricFamily(PREFIX + "command_queue_depth",
                                  "commands in cs.command by status (the whole system's queue, "
                                  "the same on every node)", labels=["status"])
            for status in ("queued", "sent"):
                g.add_metric([status], m.queue_depth.get(status, 0))
            yield g
            yield GaugeMetricFamily(PREFIX + "database_up",
                                    "1 when PostgreSQL answered this scrape's queue statement",
                                    value=m.database_up)
