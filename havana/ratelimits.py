"""Rate limits for student traffic, in Redis when configured so every process shares them."""
import logging
import time

from limits import parse, storage, strategies
from limits.storage.memory import MemoryStorage

from havana.errors import ClientError

log = logging.getLogger(__name__)

# Without Redis, limits are kept in this process's memory (this scheme, not limits' own memory://).
MEMORY_STORAGE = "havana-memory://"


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory storage without its expiry timer.

    MemoryStorage restarts a 10 ms threading.Timer after every hit, so a busy server spawns a
    thread (a greenlet under gevent) a hundred times a second. The counts never need it: a window
    is judged from its entries' own times; the sweep only frees the memory of keys gone quiet.
    Here it runs inline, at most once per SWEEP_EVERY seconds, and only when a hit comes in.
    """

    STORAGE_SCHEME = ["havana-memory"]
    SWEEP_EVERY = 1.0

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one Timer the parent starts
        self._swept_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self):  # the parent's private hook, called on every hit
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_EVERY:
            self._swept_at = now
            self._MemoryStorage__expire_events()


class RateLimits:
    """Named limits ('20/minute'), checked per key: a chat id or a client address."""

    def __init__(self, config):
        self._limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(config.REDIS_URL or MEMORY_STORAGE))
        self._limits = {
            "message_per_chat": parse(config.RATE_MESSAGES_PER_CHAT),
            "message_per_address": parse(config.RATE_MESSAGES_PER_ADDRESS),
            "chat_per_address": parse(config.RATE_CHATS_PER_ADDRESS),
        }

    def hit(self, name, key):
        """Count one hit; raises ClientError('rate_limited') when over the limit."""
        try:
            allowed = self._limiter.hit(self._limits[name], name, key)
        except Exception:  # a limiter outage must not stop the chat
            log.warning("rate limiter unavailable; allowing %s", name)
            return
        if not allowed:
            raise ClientError("rate_limited", "You're sending messages too quickly. Please wait a moment.")
