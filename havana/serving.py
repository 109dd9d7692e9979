"""The HTTP server: gevent's WSGI server with WebSocket support, guarded against slow and greedy clients.

`python app.py` serves with `serve(app, config)`; gunicorn runs the same handler through `Worker`
(gunicorn.conf.py). A client gets CLIENT_TIMEOUT seconds for each read of its request (request line,
headers, body) and the server as long for each write to it; one address (when no proxy is in front)
holds at most MAX_CONNECTIONS_PER_ADDRESS connections. Without these, half-open connections pile up
until the process runs out of file descriptors and nobody is served.
"""
from collections import Counter
import gc

from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler

# An open WebSocket is quiet between Engine.IO pings (every 25 s, answered within 20 s): it may stay
# idle this long before its socket counts as dead.
WEBSOCKET_IDLE = 90

REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 32\r\n"
           b"Connection: close\r\nRetry-After: 5\r\n\r\nToo many connections from here.\n")


class GuardedHandler(WebSocketHandler):
    """geventwebsocket's handler with read/write timeouts and a per-address connection cap."""

    client_timeout = None  # set by configure()
    max_per_address = 0  # 0: no cap (behind a proxy every connection comes from the proxy)
    _open = Counter()  # open connections per peer address; one gevent hub, so no lock is needed

    def handle(self):
        address = self.client_address[0] if isinstance(self.client_address, tuple) else self.client_address
        if self.max_per_address and self._open[address] >= self.max_per_address:
            try:
                self.socket.settimeout(1)
                self.socket.sendall(REFUSED)
            except OSError:
                pass
            self.socket.close()
            return
        self._open[address] += 1
        try:
            self.socket.settimeout(self.client_timeout)
            super().handle()
        finally:
            self._open[address] -= 1
            if not self._open[address]:
                del self._open[address]

    def run_websocket(self):
        self.socket.settimeout(WEBSOCKET_IDLE)
        super().run_websocket()


class Worker(GeventWebSocketWorker):
    """gunicorn's gevent WebSocket worker with the guarded handler."""

    wsgi_handler = GuardedHandler


def configure(config):
    """Take the limits from the Config (create_app calls this, in gunicorn's worker too)."""
    GuardedHandler.client_timeout = config.CLIENT_TIMEOUT
    GuardedHandler.max_per_address = 0 if config.TRUSTED_PROXIES else config.MAX_CONNECTIONS_PER_ADDRESS


def settle_heap():
    """Collect what starting up left behind, then exempt what it built from the collector's passes.

    The knowledge base, the language and retrieval models and the imported modules are some 230,000
    tracked objects that live as long as the process; every full collection walked them all, a
    190 ms pause for every connection of the process (seen as the replies' p99).
    """
    gc.collect()
    gc.freeze()


def real_poll_for_idle_http_connections():
    """httpcore checks every idle connection of the model client's pool with poll(0) before each
    request. That check never waits, so it needs no gevent: gevent's poll costs a watcher and a hub
    round (15 us against 0.7 us), 2% of an AI reply's CPU with a dozen idle connections."""
    import select
    from types import SimpleNamespace

    import httpcore2._utils
    from gevent import monkey
    httpcore2._utils.select = SimpleNamespace(poll=monkey.get_original("select", "poll"), POLLIN=select.POLLIN,
                                              select=monkey.get_original("select", "select"))


def serve(app, config, socketio):
    """Serve on HOST:PORT until stopped (SIGTERM: see app.py)."""
    from gevent import pywsgi

    server = pywsgi.WSGIServer((config.HOST, config.PORT), app, handler_class=GuardedHandler,
                               log="default" if config.ACCESS_LOG else None)
    socketio.wsgi_server = server  # what socketio.stop() and the SIGTERM handler stop
    server.serve_forever()
