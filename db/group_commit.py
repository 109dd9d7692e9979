"""Group commit: writes from many greenlets stored by one writer, in one transaction per batch.

Each caller hands its write to the writer and waits for the COMMIT that includes it, so nothing
is shown before it is stored. While the writer is busy with one batch the next one gathers: under
load a batch holds many writes (one multi-row INSERT, one COMMIT), and a lone write waits for
nothing but its own round trips: before each batch the writer only yields once, so writes already
on their way join it (`window` seconds more, for tests that need a batch to gather).
"""
import logging
import threading
import time

from . import DatabaseUnavailable, in_transaction, lock_not_granted, transaction

log = logging.getLogger(__name__)


class GroupCommit:
    """One writer per process for `store(conn, items)`, which stores a batch inside one transaction
    and returns whether it wrote anything."""

    def __init__(self, store, window=0.0, max_batch=500):
        self.store, self.window, self.max_batch = store, window, max_batch
        self._queue, self._lock, self._wake = [], threading.Lock(), threading.Event()
        self._writer = None

    def write(self, item):
        """Store `item` (its results are set on it by `store`); returns once it is committed.

        Inside a transaction already, `item` is stored in that one (the caller's locks must not
        wait for another transaction). Raises DatabaseUnavailable, or what `store` raised for it.
        """
        if in_transaction():
            with transaction() as conn:
                self.store(conn, [item])
            return item
        item.done, item.error = threading.Event(), None
        with self._lock:
            self._queue.append(item)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._writer.start()
        self._wake.set()
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item

    def _run(self):
        while True:
            self._wake.wait()
            time.sleep(self.window)  # 0: a yield, no timer (a timer per batch cost CPU and a millisecond)
            with self._lock:
                batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                if not self._queue:
                    self._wake.clear()
            if batch:
                self._commit(batch)

    def _commit(self, batch):
        try:
            with transaction() as conn:
                if not self.store(conn, batch):
                    conn.rollback()  # nothing was written (every write refused): nothing to commit
        except Exception as exc:
            if len(batch) > 1 and (not isinstance(exc, DatabaseUnavailable) or lock_not_granted(exc)):
                # One write broke the batch (a deadlock, a constraint, a chat locked too long by
                # another action): each is tried alone, so only its own caller sees the error. A
                # database gone silent fails the batch at once: alone, each would wait out its timeout.
                for item in batch:
                    self._commit([item])
                return
            if not isinstance(exc, DatabaseUnavailable):
                log.warning("a grouped write failed: %s: %s", type(exc).__name__, exc)
            for item in batch:  # each waiter raises its own copy: they run in different greenlets
                item.error = DatabaseUnavailable(*exc.args) if isinstance(exc, DatabaseUnavailable) else exc
                item.done.set()
            return
        for item in batch:
            item.done.set()
