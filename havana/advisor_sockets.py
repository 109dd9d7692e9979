"""Advisors' live sockets, by account: signing out disconnects every one of them, in every process.

Each process knows its own advisor sockets; with Redis, a set per account names them all, and
`disconnect(sid)` travels through the Socket.IO message queue to the process that holds the socket
(after the sign-out, in the queue's order, so no later desk event reaches it). A sweep re-reads the
accounts of this process's advisor sockets every ADVISOR_SWEEP_SECONDS as a backstop (a deleted
account, a sign-out whose message was lost).
"""
import logging
import threading

import redis
from flask import current_app
from flask_login import user_logged_out

import db
from db import admins as admin_db
from havana import metrics
from havana.extensions import socketio

log = logging.getLogger(__name__)

KEY_TTL = 24 * 3600  # a process that died leaves its sids behind; disconnecting those is harmless


class AdvisorSockets:
    def __init__(self, config):
        self._redis = redis.Redis.from_url(config.REDIS_URL) if config.REDIS_URL else None
        self._sweep_every = config.ADVISOR_SWEEP_SECONDS
        self._local = {}  # sid -> (admin_id, session epoch)
        self._guard = threading.Lock()
        self._sweeper = None

    def add(self, sid, admin):
        """Count sid as `admin`'s socket if the account is still signed in (read now, not from a cache)."""
        row = admin_db.admin_by_id(admin.id)
        if row is None or row["session_epoch"] != admin.epoch:
            return False
        with self._guard:
            self._local[sid] = (admin.id, admin.epoch)
            if self._sweeper is None:
                self._sweeper = socketio.start_background_task(self._sweep_forever)
        if self._redis is not None:
            self._shared(lambda r: r.pipeline().sadd(_key(admin.id), sid).expire(_key(admin.id), KEY_TTL).execute())
        return True

    def remove(self, sid):
        """Forget a closed socket; True if it was an advisor's."""
        with self._guard:
            entry = self._local.pop(sid, None)
        if entry and self._redis is not None:
            self._shared(lambda r: r.srem(_key(entry[0]), sid))
        return entry is not None

    def sign_out(self, admin_id):
        """Disconnect every socket of the account, here and in the other processes."""
        with self._guard:
            sids = {sid for sid, (owner, _) in self._local.items() if owner == admin_id}
        if self._redis is not None:
            shared = self._shared(lambda r: r.pipeline().smembers(_key(admin_id)).delete(_key(admin_id)).execute())
            sids |= {sid.decode() for sid in (shared[0] if shared else ())}
        self._disconnect(sids, "signed_out")

    def sweep(self):
        """Disconnect this process's advisor sockets whose account was signed out or deleted."""
        with self._guard:
            entries = dict(self._local)
        gone = set()
        for admin_id in {owner for owner, _ in entries.values()}:
            try:
                row = admin_db.admin_by_id(admin_id)
            except db.DatabaseUnavailable:
                return
            epoch = row["session_epoch"] if row else None
            gone |= {sid for sid, (owner, was) in entries.items() if owner == admin_id and was != epoch}
        self._disconnect(gone, "revalidated")

    def _sweep_forever(self):
        """Runs while this process has advisor sockets (the next one starts it again)."""
        while True:
            socketio.sleep(self._sweep_every)
            with self._guard:
                if not self._local:
                    self._sweeper = None
                    return
            try:
                self.sweep()
            except Exception:
                log.exception("advisor socket sweep failed")

    def _disconnect(self, sids, reason):
        for sid in sids:
            socketio.server.disconnect(sid, namespace="/")
        if sids:
            metrics.CONNECTIONS_CLOSED.labels(reason).inc(len(sids))

    def _shared(self, command):
        try:
            return command(self._redis)
        except redis.RedisError as exc:  # the sweep still ends the socket, later
            log.warning("advisor socket registry in Redis unavailable: %s", exc)
            return None


def _key(admin_id):
    return f"havana:advisor-sockets:{admin_id}"


def registry():
    return current_app.extensions["havana_advisor_sockets"]


@user_logged_out.connect
def _signed_out(app, user=None, **_):
    if user is not None and getattr(user, "id", None) is not None:
        app.extensions["havana_advisor_sockets"].sign_out(user.id)


def init_app(app, config):
    app.extensions["havana_advisor_sockets"] = AdvisorSockets(config)
