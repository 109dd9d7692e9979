"""A TCP proxy a test can cut, silence and restore: the database "goes down" without touching the real server."""
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target.

    `cut()` drops every connection and refuses new ones (a reset network); `silence()` keeps every
    connection open but forwards nothing either way, and new ones are accepted and read but never
    answered (a network gone silent: packets dropped, no reset); `silence_after(pattern)` does so
    right after forwarding the first client packet that contains `pattern`.
    """

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.silent = False
        self._trigger = None
        self._sockets = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            if self.silent:
                with self._lock:
                    self._sockets.add(client)
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source, sink, from_client):
        try:
            while data := source.recv(65536):
                if self.silent:
                    continue  # read and dropped: the sender sees no error, the peer sees nothing
                sink.sendall(data)
                if from_client and self._trigger is not None and self._trigger in data:
                    self._trigger = None
                    self.silent = True
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _swallow(self, client):
        try:
            while client.recv(65536):
                pass
        except OSError:
            pass

    def cut(self):
        """The database is unreachable: open connections die, new ones are refused."""
        self.up = False
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def silence(self):
        """The network goes silent: nothing is forwarded any more and nothing is closed."""
        self.silent = True

    def silence_after(self, pattern):
        """Go silent right after forwarding the first client packet containing `pattern` (bytes)."""
        self._trigger = pattern

    def restore(self):
        self.up, self.silent, self._trigger = True, False, None

    def close(self):
        self.cut()
        self.listener.close()
