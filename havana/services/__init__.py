"""State changes. Each commits through db/, then emits its named event to the rooms it chooses.

Nothing else in the app emits. One Services object per process (app.extensions['havana']),
made of one part per area.
"""
import threading
from collections import defaultdict

import redis

from havana.ratelimits import RateLimits
from havana.services.advisors import AdvisorServices
from havana.services.answering import AnsweringServices
from havana.services.chats import ChatServices
from havana.services.insights import InsightServices


class Services(ChatServices, AnsweringServices, AdvisorServices, InsightServices):
    """The app's actions."""

    def __init__(self, config, chatbot):
        self.config = config
        self.chatbot = chatbot
        self.limits = RateLimits(config)
        self._chat_locks = defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()
        # With several processes, one chat's replies are ordered by a lock in Redis.
        self._redis = redis.Redis.from_url(config.REDIS_URL) if config.REDIS_URL else None
        self._viewing = set()  # this process's admin connections that have a chat open
        self._presence_task = None
        self._in_flight = 0  # AI replies queued or running in this process
        self._in_flight_lock = threading.Lock()
        # Past this many replies at once, more wait their turn instead of crowding the DB pool.
        self._reply_slots = threading.BoundedSemaphore(config.AI_MAX_CONCURRENT_REPLIES)
        self._knowledge_version = None
