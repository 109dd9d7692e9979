"""Rate limits for student traffic, in Redis when configured so every process shares them."""
import logging

from limits import parse, storage, strategies

from havana.errors import ClientError

log = logging.getLogger(__name__)


class RateLimits:
    """Named limits ('20/minute'), checked per key: a chat id or a client address."""

    def __init__(self, config):
        self._limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(config.REDIS_URL or "memory://"))
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
