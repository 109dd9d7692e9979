"""The in-memory rate limits (no Redis): they count, forget, and cost nothing while nobody writes."""
import threading
import time

import pytest

from havana.config import Config
from havana.errors import ClientError
from havana.ratelimits import RateLimits


def limits(**settings):
    return RateLimits(Config(REDIS_URL="", RATE_MESSAGES_PER_CHAT="3/second", **settings))


def test_a_fourth_message_in_one_second_is_refused_and_a_later_one_allowed():
    rl = limits()
    for _ in range(3):
        rl.hit("message_per_chat", "c1")
    with pytest.raises(ClientError) as refused:
        rl.hit("message_per_chat", "c1")
    assert refused.value.code == "rate_limited"
    rl.hit("message_per_chat", "c2")  # another chat has its own window
    time.sleep(1.05)
    rl.hit("message_per_chat", "c1")


def test_hits_start_no_timer_thread():
    """limits' own memory storage starts a 10 ms Timer after every hit: a thread (a greenlet under
    gevent) a hundred times a second on a busy server, and wake-ups while it is idle."""
    rl = limits()
    time.sleep(0.05)
    before = {t.ident for t in threading.enumerate()}
    started = []
    for i in range(5):
        rl.hit("message_per_chat", f"chat-{i}")
        started += [t for t in threading.enumerate() if t.ident not in before]
        time.sleep(0.02)
    assert started == []


def test_quiet_keys_are_swept_on_a_later_hit():
    rl = limits()
    store = rl._limiter.storage
    store.SWEEP_EVERY = 0.1
    rl.hit("message_per_chat", "quiet")
    quiet = lambda: [e for key, entries in store.events.items() if "quiet" in key for e in entries]  # noqa: E731
    assert quiet()
    time.sleep(1.1)  # the entry is older than its one-second window
    rl.hit("message_per_chat", "busy")
    assert quiet() == []
