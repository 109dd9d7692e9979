"""AI replies: the one object that runs them (per-chat order, the concurrency cap, in-flight count,
streaming), and the actions the agent's tools may take for the chat they are bound to."""
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import redis

import db
from assistant.tools import ContactRefused
from db import chats as chat_db, history as history_db
from db import knowledge as knowledge_db, settings as settings_db
from havana import broadcast, protocol as p
from havana.actions import bookings, contact, handoff
from havana.actions.knowledge import KNOWLEDGE_VERSION_KEY
from havana.actions.models import ACTIVE_MODEL_KEY, usable_model
from havana.errors import ClientError
from havana.extensions import socketio

log = logging.getLogger(__name__)

SOURCE_SEPARATOR = " · "


class Replies:
    """Answers students' messages in the background, one at a time per chat, at most
    AI_MAX_CONCURRENT_REPLIES at once per process (more wait their turn, in order)."""

    def __init__(self, config, chatbot):
        self.config, self.chatbot = config, chatbot
        # With several processes, one chat's replies are ordered by a lock in Redis.
        self._redis = redis.Redis.from_url(config.REDIS_URL) if config.REDIS_URL else None
        self._chat_locks = {}  # chat_id -> [lock, replies holding or waiting for it]; idle chats leave
        self._guard = threading.Lock()
        self._slots = threading.BoundedSemaphore(config.AI_MAX_CONCURRENT_REPLIES)
        self.in_flight = 0  # replies queued or running in this process
        self._knowledge_version = None

    def queue(self, chat_id, message_id, address=None, context=None):
        """Answer message_id of chat_id in the background (call after the message is committed);
        `address`: the student's, for the per-address booking cap; `context`: what read_context
        read when the message was stored."""
        with self._guard:
            self.in_flight += 1
        socketio.start_background_task(self._run, chat_id, message_id, address, context)

    @staticmethod
    def read_context(chat, message_id):
        """What a reply to message_id needs from the database: the ReplyContext, read in the transaction
        that stored the message (a lone student message then costs one transaction, not two)."""
        return ReplyContext(chat, message_id, history_db.conversation(chat["id"]),
                            settings_db.get_settings([ACTIVE_MODEL_KEY, KNOWLEDGE_VERSION_KEY]))

    def answer_if_pending(self, chat):
        """A student message left unanswered (say, a server stopped mid-reply) is answered now."""
        last = history_db.recent_messages(chat["id"], limit=1)
        if last and last[0]["role"] == p.ROLE_STUDENT and chat["status"] != p.STATUS_HUMAN:
            self.queue(chat["id"], last[0]["id"])

    def wait(self, timeout):
        """Block until no reply is in flight, or timeout; returns how many are left."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            socketio.sleep(0.1)
        return self.in_flight

    def chat_locks_held(self):
        """How many chats have a reply lock in this process (none once every reply is done)."""
        with self._guard:
            return len(self._chat_locks)

    def _run(self, chat_id, message_id, address=None, context=None):
        try:
            # The chat's turn first, then a slot: a reply waiting for its chat (say, for a dead
            # process's lease to lapse) must not keep other chats' replies from starting.
            with self._chat_lock(chat_id) as waited, _slot(self._slots) as waited_for_slot:
                # A reply that had to wait reads afresh: what was read at the write may be stale by
                # now (another reply of the chat, or an advisor, wrote meanwhile).
                self._answer(chat_id, message_id, address, None if waited or waited_for_slot else context)
        except db.DatabaseUnavailable:
            log.warning("database unavailable while answering chat %s", chat_id)
            broadcast.reply_failed(chat_id)
        except Exception:
            log.exception("answering chat %s failed", chat_id)
        finally:
            with self._guard:
                self.in_flight -= 1

    @contextmanager
    def _chat_lock(self, chat_id):
        """One chat's replies, one at a time: across processes in Redis, else in this process.
        Yields whether it had to wait for another reply of the chat."""
        if self._redis is not None:
            with self._leased_lock(chat_id) as waited:
                yield waited
            return
        with self._guard:
            entry = self._chat_locks.setdefault(chat_id, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with _slot(entry[0]) as waited:
                yield waited
        finally:
            with self._guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._chat_locks[chat_id]

    @contextmanager
    def _leased_lock(self, chat_id):
        """The chat's Redis lock on a short lease, renewed while the reply runs.

        A process killed mid-reply stops renewing, so another one takes the chat over once the
        lease lapses (REPLY_LOCK_LEASE seconds), not after the longest possible reply.
        """
        lease = self.config.REPLY_LOCK_LEASE
        lock = self._redis.lock(f"havana:chat-reply:{chat_id}", timeout=lease)
        waited = not lock.acquire(blocking=False)
        if waited:
            lock.acquire()
        done = threading.Event()

        def renew():
            while not done.wait(lease / 3):
                try:
                    lock.reacquire()
                except redis.RedisError:  # the lease lapsed (or Redis is away): the next renewal may work
                    log.warning("could not renew the reply lock of chat %s", chat_id)

        renewer = socketio.start_background_task(renew)
        try:
            yield waited
        finally:
            done.set()
            renewer.join()
            try:
                lock.release()
            except redis.RedisError:
                log.warning("the reply lock of chat %s had lapsed before its reply ended", chat_id)

    def _answer(self, chat_id, message_id, address=None, context=None):
        if context is None:
            with db.transaction():  # what to answer, and with which model: one round of reads
                chat = chat_db.get_chat(chat_id)
                context = chat and self.read_context(chat, message_id)
        if context is None or context.chat["status"] == p.STATUS_HUMAN or context.answered:
            return
        chat, history, current = context.chat, context.history, context.settings
        self._refresh_knowledge(current.get(KNOWLEDGE_VERSION_KEY, "0"))
        broadcast.assistant_typing(chat_id, True)
        stored = False
        try:
            stream = ReplyStream(chat_id)
            # A language the student chose on the page holds; otherwise the assistant follows the student.
            chosen = {"lang": chat["language"]} if chat.get("language_chosen") and chat.get("language") else {}
            reply = self.chatbot.reply(chat_id, history, usable_model(current.get(ACTIVE_MODEL_KEY)),
                                       AgentActions(self.chatbot, address), stream, **chosen)
            stored = self._store(chat_id, reply, stream, context.last_student_message)
        finally:
            if not stored:  # a stored reply ends the indicator on every page; without one, this does
                broadcast.assistant_typing(chat_id, False)

    @staticmethod
    def _store(chat_id, reply, stream, replying_to):
        """Store and send the reply, unless an advisor took the chat over while the model was thinking,
        or another reply with the same messages in view was stored first."""
        source = SOURCE_SEPARATOR.join(getattr(reply, "sources", None) or []) or None
        write = history_db.write_message(history_db.MessageWrite(
            chat_id, p.ROLE_AI, reply.text, model=reply.model, source=source, calls=tuple(reply.calls),
            client_id=_reply_client_id(replying_to), accept=lambda chat: chat["status"] != p.STATUS_HUMAN))
        if not write.created:
            stream.reset()
            return False
        stream.flush()  # the text still waiting goes before the final message replaces the stream
        broadcast.message(write.row, stream.stream_id)
        return True

    def _refresh_knowledge(self, version):
        """Approved advisor answers reach the assistant in every process on the next question."""
        if version != self._knowledge_version:
            self.chatbot.set_approved_answers(knowledge_db.list_answers("approved"))
            self._knowledge_version = version


# A model's chunks are a few characters each, and every `message_delta` costs a serialisation and a
# frame per viewer. Twenty updates a second still reads as the text being written, so chunks are
# joined until DELTA_EVERY seconds have passed since the last one went out, or DELTA_CHARS are waiting.
DELTA_EVERY = 0.05
DELTA_CHARS = 200


class ReplyStream:
    """Passes the model's text on as it is produced: `message_delta` events, joined a few chunks at a
    time, then `new_message`."""

    def __init__(self, chat_id):
        self.chat_id = chat_id
        self.stream_id = "s-" + uuid.uuid4().hex[:16]
        self._pending, self._size = [], 0
        self._sent_at = float("-inf")  # the first chunk goes out at once: it ends "typing"

    def delta(self, text):
        # Checked on the next chunk, not by a timer: a model that pauses mid-reply leaves at most
        # its last few chunks waiting, and flush() sends them before the final message.
        self._pending.append(text)
        self._size += len(text)
        if self._size >= DELTA_CHARS or time.monotonic() - self._sent_at >= DELTA_EVERY:
            self.flush()

    def flush(self):
        """Send the text still waiting (before the final message)."""
        if self._pending:
            broadcast.message_delta(self.chat_id, self.stream_id, "".join(self._pending))
            self._pending, self._size = [], 0
            self._sent_at = time.monotonic()

    def reset(self):
        self._pending, self._size = [], 0
        broadcast.message_delta(self.chat_id, self.stream_id)


class AgentActions:
    """What the agent's tools may do (assistant/tools.py `Actions`), for the chat they are bound to."""

    def __init__(self, chatbot, address=None):
        self.chatbot, self.address = chatbot, address

    def escalate(self, chat_id, reason):
        chat, availability = handoff.escalate_chat(chat_id, reason)
        return dict(chat, advisors_available=availability["available_now"], open_now=availability["open_now"])

    def free_slots(self):
        return bookings.free_slots()

    def book(self, chat_id, slot_id):
        return bookings.book_slot(chat_id, slot_id, self.address)

    def my_booking(self, chat_id):
        return bookings.chat_booking(chat_id)

    def cancel_my_booking(self, chat_id):
        return bookings.cancel_chat_booking(chat_id)

    def save_contact(self, chat_id, name, email, phone, method):
        try:
            return contact.save_contact(chat_id, name, email, phone, method)
        except ClientError as exc:
            raise ContactRefused(exc.code, exc.message) from None

    def today(self):
        return self.chatbot.today()


@dataclass(frozen=True)
class ReplyContext:
    """What a reply reads before it asks the model: the chat (its status and language at least), its
    recent history (every role, system notices included), the active model and knowledge version."""
    chat: dict
    message_id: int
    history: list
    settings: dict

    @property
    def last_student_message(self):
        return max((m["id"] for m in self.history if m["role"] == p.ROLE_STUDENT), default=self.message_id)

    @property
    def answered(self):
        """Whether message_id needs no reply of its own: an advisor has written since, a later student
        message will be answered in its turn (with this one in view), or a reply that had it in view
        is stored. A reply stored while this message waited for its turn did not see it: that one
        does not count, and the message gets its own answer."""
        for m in self.history:
            if m["id"] > self.message_id and (m["role"] in (p.ROLE_OPERATOR, p.ROLE_STUDENT) or (
                    m["role"] == p.ROLE_AI and _replied_to(m) >= self.message_id)):
                return True
        return False


# An AI reply's client_id names the last student message it had in view: it tells which messages a
# reply answered, and the unique (chat_id, client_id) stores at most one reply to the same view.
_REPLY_TO = "reply-to:"


def _reply_client_id(message_id):
    return f"{_REPLY_TO}{message_id}"


def _replied_to(row):
    """The last student message the reply had in view (a reply from before this was recorded: all before it)."""
    client_id = row.get("client_id") or ""
    return int(client_id[len(_REPLY_TO):]) if client_id.startswith(_REPLY_TO) else row["id"]


@contextmanager
def _slot(lock):
    """Acquire a lock or semaphore; yields whether it had to wait."""
    waited = not lock.acquire(blocking=False)
    if waited:
        lock.acquire()
    try:
        yield waited
    finally:
        lock.release()
