"""One wrapper for every socket handler: errors become an `error` event and a failed ack."""
import functools
import logging

from flask import request

import db
from havana import broadcast, connections, metrics
from havana.errors import INTERNAL, UNAVAILABLE, ClientError
from havana.extensions import socketio

log = logging.getLogger(__name__)


def on_event(name):
    """Register a handler; it returns a dict for the ack, or raises ClientError."""

    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(data=None, *extra):
            try:
                return {"ok": True, **(handler(data) or {})}
            except ClientError as exc:
                error = exc.as_dict()
                if exc.code == "rate_limited":
                    metrics.RATE_LIMITED.labels(name).inc()
            except db.DatabaseUnavailable:
                metrics.DATABASE_UNAVAILABLE.labels("socket").inc()
                error = dict(zip(("code", "message"), UNAVAILABLE))
            except Exception:
                log.exception("socket event %s failed", name)
                error = dict(zip(("code", "message"), INTERNAL))
            if connections.errors.allow(request.sid):
                broadcast.refused(request.sid, name, error)
            return {"ok": False, "error": error}

        return socketio.on(name)(wrapper)

    return decorate
