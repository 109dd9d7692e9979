"""The database engine: one pooled SQLAlchemy engine per process.

All SQL lives in this package, in functions named for the question they answer.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
import logging
import time

from mysql.connector.connection import MySQLConnection
from mysql.connector.errors import ReadTimeoutError, WriteTimeoutError
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, TimeoutError as PoolTimeout

_engine = None
log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The database could not be reached; nothing was written."""


def normalise_url(url):
    """Route plain `mysql://` URLs to mysql-connector-python, with utf8mb4."""
    parsed = make_url(url)
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        parsed = parsed.set(drivername="mysql+mysqlconnector")
        query = dict(parsed.query)
        query.setdefault("charset", "utf8mb4")
        query.setdefault("collation", "utf8mb4_unicode_ci")
        parsed = parsed.set(query=query)
    return parsed


def build_engine(url, pool_size=10, max_overflow=20, pool_timeout=30, pool_recycle=1800, timeout=10,
                 lock_wait_timeout=5):
    """Create a pooled engine. A pool that is full waits `pool_timeout` s for a connection.

    On MySQL/MariaDB a statement waits at most `timeout` s for the network and `lock_wait_timeout` s
    for a row lock; either way the caller gets DatabaseUnavailable instead of hanging.
    """
    url = normalise_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, pool_pre_ping=True, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=pool_recycle,
        # Every use of a connection ends in COMMIT or ROLLBACK (transaction() below), so the pool's
        # own ROLLBACK on return is a wasted round trip; _rollback_if_open covers anything else.
        pool_reset_on_return=None,
        # mysql-connector drops its connect timeout after the handshake: without these a send or a
        # read on a network gone silent (no reset) waits for ever, inside a transaction.
        connect_args={"connection_timeout": 5, "read_timeout": int(timeout), "write_timeout": int(timeout)},
    )
    session = {"innodb_lock_wait_timeout": int(lock_wait_timeout), "idle_transaction_timeout": int(timeout)}
    event.listen(engine, "do_connect", lambda _d, _r, cargs, cparams: _connect_mysql(session, cargs, cparams))
    event.listen(engine, "handle_error", _timeouts_are_disconnects)
    event.listen(engine, "reset", _rollback_if_open)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_return)
    return engine


# A connection back from use less than this many seconds ago is used without a ping: under load
# that saves a round trip per transaction. One idle for longer (the server may have restarted or
# timed it out meanwhile) is pinged first, and replaced if it is dead, as pool_pre_ping would.
PING_AFTER_IDLE = 1.0


def _ping_if_idle(dbapi_conn, record, _proxy):
    if time.monotonic() - record.info.get("returned_at", 0) > PING_AFTER_IDLE:
        try:
            dbapi_conn.cmd_ping()
        except Exception as exc:
            raise DisconnectionError("dead pooled connection") from exc  # the pool connects afresh


def _note_return(_dbapi_conn, record):
    record.info["returned_at"] = time.monotonic()


class _PooledMySQLConnection(MySQLConnection):
    """mysql-connector's pure-Python connection, without its ping before every cursor.

    Pure Python because the C extension blocks the gevent hub; this one yields on I/O.

    The driver pings the server each time a cursor is made: one extra round trip per statement.
    The pool pings a connection that has been idle (_ping_if_idle), and a statement on one that
    died since fails with a disconnect error, which invalidates it.
    """

    def is_connected(self):
        return self._socket is not None and self._handshake is not None


def _connect_mysql(session, cargs, cparams):
    conn = _PooledMySQLConnection(*cargs, **cparams)
    if "MariaDB" not in conn.server_info:
        # MySQL has no idle_transaction_timeout: a lock held by a vanished client lives until wait_timeout.
        session = {k: v for k, v in session.items() if k != "idle_transaction_timeout"}
    cursor = conn.cursor()
    # idle_transaction_timeout: the server ends a transaction whose client went silent (its read
    # timed out, or it vanished) instead of keeping its row locks until wait_timeout (8 hours).
    cursor.execute("SET SESSION " + ", ".join(f"{name} = {int(value)}" for name, value in session.items()))
    cursor.close()
    return conn


def _timeouts_are_disconnects(context):
    # The driver closes its socket on a read/write timeout; whether the server still has the
    # transaction is unknown, so the connection is discarded, never returned to the pool.
    if isinstance(context.original_exception, (ReadTimeoutError, WriteTimeoutError)):
        context.is_disconnect = True


def _rollback_if_open(dbapi_conn, _record, reset_state):
    # The driver tracks the server's "in transaction" flag, so this costs no round trip.
    if not reset_state.terminate_only and dbapi_conn.in_transaction:
        dbapi_conn.rollback()


def _sqlite_pragmas(dbapi_conn, _record):
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_engine(config):
    """Create this process's engine from a Config."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = build_engine(
        config.DATABASE_URL,
        pool_size=config.DB_POOL_SIZE,
        max_overflow=config.DB_MAX_OVERFLOW,
        pool_timeout=config.DB_POOL_TIMEOUT,
        pool_recycle=config.DB_POOL_RECYCLE,
        timeout=config.DB_TIMEOUT,
        lock_wait_timeout=config.DB_LOCK_WAIT_TIMEOUT,
    )
    return _engine


def get_engine():
    if _engine is None:
        raise RuntimeError("db.init_engine() has not been called")
    return _engine


# The connection of the transaction this greenlet (or thread) is inside, if any.
_current = ContextVar("havana_db_transaction", default=None)
# What that transaction runs once it has committed (see on_commit).
_after_commit = ContextVar("havana_db_after_commit", default=None)


@contextmanager
def transaction():
    """A connection inside one transaction. Raises DatabaseUnavailable when unreachable.

    Inside another `transaction()` block of the same greenlet it joins that transaction, so an
    action's db/ calls cost one checkout and one COMMIT. Keep slow work (model calls) outside.
    """
    joined = _current.get()
    if joined is not None:
        yield joined
        return
    callbacks = []
    try:
        with get_engine().begin() as conn:
            token, queued = _current.set(conn), _after_commit.set(callbacks)
            try:
                yield conn
            finally:
                _current.reset(token)
                _after_commit.reset(queued)
    except (DBAPIError, PoolTimeout) as exc:
        if isinstance(exc, DBAPIError) and not _is_unavailable(exc):
            raise
        raise DatabaseUnavailable(str(exc.__class__.__name__)) from exc
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the change is committed: a failed notification must not undo or hide it
            log.exception("after-commit callback failed")


def in_transaction():
    """Whether this greenlet is inside a `transaction()` block."""
    return _current.get() is not None


def on_commit(callback):
    """Run callback once the outermost transaction commits, never if it rolls back; at once outside one.

    Zulip's send_event_on_commit: events describe committed state only.
    """
    callbacks = _after_commit.get()
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)


def lock_not_granted(exc):
    """Whether a DatabaseUnavailable was a row (or SQLite's database) lock that did not come in time:
    the database itself answered, and another attempt may find the lock free."""
    orig = getattr(exc.__cause__, "orig", None)
    return getattr(orig, "errno", None) == 1205 or "database is locked" in str(orig)


def _is_unavailable(exc):
    """A lost, silent or locked-up database: worth retrying later, nothing was written."""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if isinstance(exc.orig, (ReadTimeoutError, WriteTimeoutError)):
        return True
    # mysql-connector error numbers for "can't connect", "server gone", "lost connection", and
    # 1205, a row lock not granted within innodb_lock_wait_timeout (SQLite: "database is locked").
    errno = getattr(exc.orig, "errno", None)
    return errno in (1205, 2002, 2003, 2005, 2006, 2013, 2055) \
        or any(text in str(exc.orig) for text in ("unable to open database", "database is locked"))


def utcnow():
    """Naive UTC now: every timestamp column stores UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
