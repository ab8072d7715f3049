"""The metrics of one node, in one CollectorRegistry per app: tests run several servers in one
process, and prometheus_client's global default registry would mix their numbers.

Two kinds of numbers:
- counted as they happen, on the station path (StationMetrics): calls received, CALLERRORs sent,
  the time from a frame received to its reply sent. That path does thousands of calls a second, so
  each count is a dict lookup and an .inc() on a child whose labels were bound once;
- read when Prometheus scrapes (the collector below), from the boxes that keep them anyway: the
  stations this node holds, the message log's buffer and counts, the pool, the dispatcher's
  outcomes, and the command queue (one SQL statement, refreshed by http.py before each scrape).
  Nothing to keep in step, and nothing on the hot path.

Labels stay few: versions, actions the version knows ("other" for any other name a station sends),
error codes (capped), statuses; never a station's identity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable, Iterator, Mapping, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from .. import __version__
from ..protocol.actions import VERSIONS, actions

PREFIX = "ocpp_cs_"
# seconds from a station's frame received to its reply sent: 1 ms (a replay, a refusal) to 5 s
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
MAX_ERROR_CODES = 64  # distinct CALLERROR codes labelled by name; any further one counts as "other"
OTHER = "other"


class StationMetrics:
    """What the WebSocket transport counts on the station path (transport's Observer protocol)."""

    def __init__(self, registry: CollectorRegistry):
        self._call_counter = Counter(
            PREFIX + "station_calls", "CALLs (and 2.1 SENDs) received from stations",
            ["action", "version"], registry=registry)
        self._error_counter = Counter(
            PREFIX + "callerrors_sent", "CALLERRORs sent to stations, by error code",
            ["code"], registry=registry)
        self._latency = Histogram(
            PREFIX + "call_latency_seconds",
            "seconds from a station's frame received to its reply sent (framing, validation, "
            "ocpp.parse)", buckets=LATENCY_BUCKETS, registry=registry)
        self._calls: dict[str, dict[str, Any]] = {}
        self._errors: dict[str, Any] = {}

    def call_received(self, version: str, action: str) -> None:
        try:
            self._calls[version][action].inc()
        except KeyError:
            self._call_child(version, action).inc()

    def error_sent(self, code: str) -> None:
        child = self._errors.get(code)
        if child is None:
            child = self._error_child(code)
        child.inc()

    def answered(self, seconds: float) -> None:
        self._latency.observe(seconds)

    def _call_child(self, version: str, action: str) -> Any:
        """Bind the labels once per known action; a name the version does not know is counted as
        "other" and not remembered, so a station sending made-up names grows nothing."""
        known = self._calls.setdefault(version, {})
        if version in VERSIONS and action in actions(version):
            known[action] = self._call_counter.labels(action, version)
            return known[action]
        return self._call_counter.labels(OTHER, version)

    def _error_child(self, code: str) -> Any:
        if len(self._errors) >= MAX_ERROR_CODES:
            return self._error_counter.labels(OTHER)
        child = self._errors[code] = self._error_counter.labels(code)
        return child


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
