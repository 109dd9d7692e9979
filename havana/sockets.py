"""One wrapper for every socket handler: errors become an `error` event and a failed ack."""
import functools
import logging

from flask import request
from flask.sessions import SecureCookieSessionInterface

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


class SocketSessionInterface(SecureCookieSessionInterface):
    """The cookie session, decoded once per socket connection instead of once per event.

    Flask-SocketIO keeps each connection's session in the connection's environ (`saved_session`,
    a copy made at its first event) and puts it on every event's request context; Flask would
    first open the cookie session anyway when that context is pushed (a signature check and a
    decode per event). HTTP requests have no `saved_session` and open the cookie as usual.
    """

    def open_session(self, app, request):
        saved = request.environ.get("saved_session")
        return saved if saved is not None else super().open_session(app, request)
