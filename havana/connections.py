"""What one connection may cost the server: checked before any handler runs.

python-engineio hands every packet to Socket.IO in the connection's reader, and Socket.IO spawns a
greenlet per event; a flood is stopped here, in the reader, so a refused packet costs a dict
look-up, not a greenlet, a handler run and an `error` emit. Binary packets (the app never sends
any) close the connection: Socket.IO would otherwise keep every attachment a header announces.
"""
import logging
import re
import time

from cachetools import TTLCache
from socketio import packet

from havana import metrics, protocol as p

log = logging.getLogger(__name__)

BINARY_PACKETS = ("5", "6")  # Socket.IO BINARY_EVENT, BINARY_ACK
RATE_LIMITED = {"code": "rate_limited", "message": "This connection sent too many events and was closed."}
NOT_UNDERSTOOD = {"code": "invalid_payload", "message": "The request was not understood."}
# An event's ack id and name, read without decoding its JSON (which is what failed).
EVENT_HEADER = re.compile(r'2(?:/[^,]*,)?(\d{1,20})?\["([^"\\]{1,64})"')


class ConnectionGuard:
    """A token bucket per engine.io connection, in front of Socket.IO's packet dispatch."""

    def __init__(self, server, config):
        self.server = server
        self.rate, self.burst = config.SOCKET_EVENTS_PER_SECOND, config.SOCKET_EVENT_BURST
        self._buckets = {}  # eio_sid -> (tokens, when)
        # eio_sids told to go: what they still send is dropped (kept a while: the reader outlives the close).
        self._closing = TTLCache(maxsize=100_000, ttl=60)
        self._dispatch, self._gone = server._handle_eio_message, server._handle_eio_disconnect
        server.eio.on("message", self.message)
        server.eio.on("disconnect", self.disconnect)

    def message(self, eio_sid, data):
        if eio_sid in self._closing:
            # The reader does not yield while frames are buffered: let the close (and everyone else) run.
            self.server.sleep(0)
            return
        if not isinstance(data, str) or data[:1] in BINARY_PACKETS:
            log.warning("binary packet refused; closing connection %s", eio_sid)
            self._close(eio_sid, "binary")
            return
        if not self._take(eio_sid):
            log.warning("connection %s over its event budget; closing it", eio_sid)
            self._tell(eio_sid, RATE_LIMITED, None, None, capped=False)  # once per connection anyway
            metrics.RATE_LIMITED.labels("connection").inc()
            self._close(eio_sid, "rate_limited")
            return
        try:
            self._dispatch(eio_sid, data)
        except (ValueError, RecursionError):  # undecodable JSON, nested past the decoder's depth
            header = EVENT_HEADER.match(data)
            self._tell(eio_sid, NOT_UNDERSTOOD, *(header.groups() if header else (None, None)))

    def disconnect(self, eio_sid, reason=None):
        self._buckets.pop(eio_sid, None)
        self._gone(eio_sid, reason)

    def _take(self, eio_sid):
        now = time.monotonic()
        tokens, when = self._buckets.get(eio_sid, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        if tokens < 1:
            return False
        self._buckets[eio_sid] = (tokens - 1, now)
        return True

    def _tell(self, eio_sid, error, ack_id, event, capped=True):
        """An `error` event (and the ack's refusal, when the packet asked for one), to this connection only."""
        sid = self.server.manager.sid_from_eio_sid(eio_sid, "/")
        if sid is None:
            return
        if ack_id is not None:  # the handler never ran, so Socket.IO will not answer the ack itself
            self.server._send_packet(eio_sid, self.server.packet_class(
                packet.ACK, namespace="/", id=int(ack_id), data=[{"ok": False, "error": error}]))
        if not capped or errors.allow(sid):
            self.server.emit(p.ERROR, {**error, "event": event}, to=sid, ignore_queue=True)

    def _close(self, eio_sid, reason):
        self._closing[eio_sid] = reason
        metrics.CONNECTIONS_CLOSED.labels(reason).inc()
        socket = self.server.eio.sockets.get(eio_sid)
        if socket is not None:
            # As engine.io closes a connection that stopped answering pings: without waiting for the
            # writer (a client that does not read would hold this reader), its queue ends with CLOSE.
            socket.close(wait=False, abort=False)


class ErrorAllowance:
    """How many `error` events one connection may cause per second; the acks still say each refusal."""

    def __init__(self):
        self.per_second = 5
        self._windows = TTLCache(maxsize=100_000, ttl=2)  # sid -> (when its second began, errors in it)

    def allow(self, sid):
        now = time.monotonic()
        began, count = self._windows.get(sid, (now, 0))
        if now - began >= 1:
            began, count = now, 0
        self._windows[sid] = (began, count + 1)
        return count < self.per_second


class TypingThrottle:
    """Typing events pass only on a change, and "started typing" at most once per `interval` per chat.

    "Stopped typing" always passes when it is a change, so an indicator never sticks on.
    """

    def __init__(self):
        self.interval = 2.0
        self._state = TTLCache(maxsize=100_000, ttl=60)  # (who, chat_id) -> (typing, when it last started)

    def allow(self, who, chat_id, typing):
        key, now = (who, chat_id), time.monotonic()
        was, started = self._state.get(key, (False, float("-inf")))
        if typing == was or (typing and now - started < self.interval):
            return False
        self._state[key] = (typing, now if typing else started)
        return True

    def stopped(self, who, chat_id):
        """A sent message ends the typing indicator (each page infers that): the next start may come at once."""
        self._state.pop((who, chat_id), None)


errors = ErrorAllowance()
typing = TypingThrottle()


def init_app(server, config):
    """Guard this Socket.IO server's connections with the configured budgets."""
    errors.per_second = config.SOCKET_ERRORS_PER_SECOND
    typing.interval = config.TYPING_INTERVAL
    return ConnectionGuard(server, config)
