"""Observability: the node's Prometheus metrics, served at /metrics on the main port.

node.py holds one registry per app and the metric objects; the station path counts through the small
StationMetrics object app.py hands the WebSocket transport, and everything else (stations held,
message-log backlog, the pool, the dispatcher's outcomes, the command queue) is read from the boxes
that already keep those numbers when Prometheus scrapes. http.py answers the scrape.
"""
from __future__ import annotations

from .http import metrics_response
from .node import NodeMetrics, Sources, StationMetrics

__all__ = ["NodeMetrics", "Sources", "StationMetrics", "metrics_response"]
