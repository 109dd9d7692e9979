"""Prometheus metrics, served at /metrics to a signed-in advisor or to a bearer of METRICS_TOKEN.

With PROMETHEUS_MULTIPROC_DIR set (several processes), every process writes its counters there and a
scrape of any one of them adds them up; the queue length is read from the database at scrape time.
"""
import hmac
import os
import time

from flask import Response, got_request_exception, request
from flask_login import current_user
from prometheus_client import (
    CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

import db
from db import chats as chat_db

REPLIES = Counter("havana_replies_total", "AI replies produced, per provider that answered", ["provider"])
REPLY_SECONDS = Histogram("havana_reply_seconds", "Time to produce an AI reply, per provider", ["provider"],
                          buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120))
ESCALATIONS = Counter("havana_escalations_total", "Chats handed to the advisors")
RATE_LIMITED = Counter("havana_rate_limited_total", "Client requests refused as rate_limited, per limit",
                       ["limit"])
CONNECTIONS_CLOSED = Counter("havana_connections_closed_total", "Socket connections the server closed, per reason",
                             ["reason"])
DATABASE_UNAVAILABLE = Counter("havana_database_unavailable_total",
                               "Requests and replies that found the database unreachable, per kind", ["where"])


class MeasuredAgent:
    """The agent, with each reply counted and timed per provider (the provider is the one that answered)."""

    def __init__(self, agent):
        self._agent = agent

    def __getattr__(self, name):
        return getattr(self._agent, name)

    def reply(self, *args, **kwargs):
        started = time.monotonic()
        reply = self._agent.reply(*args, **kwargs)
        provider = (reply.model or "unknown").partition(":")[0]
        REPLIES.labels(provider).inc()
        REPLY_SECONDS.labels(provider).observe(time.monotonic() - started)
        return reply


class QueueCollector:
    """Read at scrape time, so every process reports the one shared queue."""

    def collect(self):
        gauge = GaugeMetricFamily("havana_queue_length", "Escalated chats waiting for an advisor")
        try:
            gauge.add_metric([], len(chat_db.waiting_queue()))
        except db.DatabaseUnavailable:
            DATABASE_UNAVAILABLE.labels("metrics").inc()
            return
        yield gauge


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(QueueCollector())
    return registry


class _Forward:
    """This process's own metrics, beside the queue collector, in one scrape."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def _allowed(config):
    token = config.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    return current_user.is_authenticated


def _count_unavailable(_app, exception, **_):
    if isinstance(exception, db.DatabaseUnavailable):
        DATABASE_UNAVAILABLE.labels("request").inc()


def init_app(app, config):
    """Add /metrics; count requests that ended on an unreachable database."""
    got_request_exception.connect(_count_unavailable, app)

    @app.get("/metrics")
    def metrics():
        if not _allowed(config):
            return Response("Sign in as an admin, or send the metrics bearer token.\n", 401,
                            {"WWW-Authenticate": "Bearer", "Content-Type": "text/plain"})
        return Response(generate_latest(_registry()), headers={"Content-Type": CONTENT_TYPE_LATEST,
                                                              "Cache-Control": "no-store"})
