"""State changes. Each commits through db/, then emits its named event to the rooms it chooses.

Nothing else in the app emits.
"""
import logging
import threading
import time
from datetime import timedelta
from collections import defaultdict

import redis

import db
from db import bookings as booking_db, chats as chat_db, history as history_db
from db import presence, settings as settings_db
from assistant.tools import SlotTaken
from havana import protocol as p
from havana.errors import ClientError, chat_not_found, forbidden
from havana.extensions import socketio
from havana.ratelimits import RateLimits

log = logging.getLogger(__name__)

ACTIVE_MODEL_KEY = "active_model"


class Services:
    """The app's actions; one instance per process (app.extensions['havana'])."""

    def __init__(self, config, chatbot):
        self.config = config
        self.chatbot = chatbot
        self._chat_locks = defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()
        # With several processes, one chat's replies are ordered by a lock in Redis.
        self._redis = redis.Redis.from_url(config.REDIS_URL) if config.REDIS_URL else None
        self.limits = RateLimits(config)
        self._viewing = set()  # this process's admin connections that have a chat open
        self._presence_task = None
        self._in_flight = 0  # AI replies queued or running in this process
        self._in_flight_lock = threading.Lock()

    # -- chats ---------------------------------------------------------------------------

    def start_chat(self, sid, address):
        """A new chat for the student connection `sid`; its token goes to that connection only."""
        self.limits.hit("chat_per_address", address)
        chat, token = chat_db.create_chat()
        socketio.emit(p.CHAT_CREATED, {"chat_id": chat["id"], "token": token}, to=sid)
        socketio.emit(p.CHAT_CREATED, {"chat_id": chat["id"], "chat": self.chat_summary(chat)}, to=p.ADMINS_ROOM)
        return chat, token

    def open_chat(self, chat_id, token):
        """The chat, if the token is right. Raises ClientError otherwise."""
        chat = chat_db.get_chat(chat_id)
        if chat is None:
            raise chat_not_found()
        if not chat_db.token_matches(chat, token):
            raise forbidden("That chat token is not valid.")
        self._answer_if_pending(chat)
        return chat

    def _answer_if_pending(self, chat):
        """A student message left unanswered (say, a server stopped mid-reply) is answered on reconnect."""
        last = history_db.recent_messages(chat["id"], limit=1)
        if last and last[0]["role"] == "human" and not chat["is_human_enabled"]:
            self._queue_answer(chat["id"], last[0]["id"])

    def chat_view(self, chat):
        return p.chat_payload(chat, booking_db.booking_for_chat(chat["id"]), len(presence.viewers(chat["id"])))

    def chat_summary(self, chat, booking=None, viewers=()):
        """A dashboard row: the chat, its last message, unread count and who is viewing it."""
        return p.admin_chat_payload(chat, booking, list(viewers))

    def messages_since(self, chat_id, last_id):
        return [p.message_payload(m) for m in history_db.messages_after(chat_id, last_id or 0)]

    def post_student_message(self, chat_id, text, client_id=None, address=None):
        """Store a student's message, show it everywhere, and queue the AI's answer."""
        text = self._clean(text)
        self.limits.hit("message_per_chat", chat_id)
        self.limits.hit("message_per_address", address or "unknown")
        row, created = history_db.add_message(chat_id, "human", text, client_id=client_id)
        payload = p.message_payload(row)
        if created:
            self._emit_message(payload)
            self._queue_answer(chat_id, row["id"])
        return payload

    def _clean(self, text):
        if not isinstance(text, str):
            raise ClientError("invalid_payload", "The message must be text.")
        text = text.replace("\x00", "").strip()
        if not text:
            raise ClientError("message_empty", "Please write a message first.")
        if len(text) > self.config.MAX_MESSAGE_LENGTH:
            raise ClientError("message_too_long",
                              f"Messages can be at most {self.config.MAX_MESSAGE_LENGTH} characters.")
        return text

    def _emit_message(self, payload):
        socketio.emit(p.NEW_MESSAGE, payload, to=p.chat_room(payload["chat_id"]))
        socketio.emit(p.NEW_MESSAGE, payload, to=p.ADMINS_ROOM)

    def _emit_chat(self, event, payload, chat_id):
        socketio.emit(event, payload, to=p.chat_room(chat_id))
        socketio.emit(event, payload, to=p.ADMINS_ROOM)

    def post_system_notice(self, chat_id, text):
        row, _ = history_db.add_message(chat_id, "system", text)
        self._emit_message(p.message_payload(row))

    # -- the assistant ------------------------------------------------------------------

    def _lock_for(self, chat_id):
        """One chat's replies, one at a time: across processes in Redis, else in this process."""
        if self._redis is not None:
            hold = self.config.AI_TIMEOUT * (self.config.AI_MAX_TOOL_STEPS + 1) + 30
            return self._redis.lock(f"havana:chat-reply:{chat_id}", timeout=hold)
        with self._locks_guard:
            return self._chat_locks[chat_id]

    def _queue_answer(self, chat_id, message_id):
        with self._in_flight_lock:
            self._in_flight += 1
        socketio.start_background_task(self.answer_student, chat_id, message_id)

    def wait_for_replies(self, timeout):
        """Block until no AI reply is in flight, or timeout; returns how many are left."""
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            socketio.sleep(0.1)
        return self._in_flight

    def answer_student(self, chat_id, message_id):
        """Background task: the AI answers one chat's messages in order, unless a human has it."""
        try:
            self._answer_in_order(chat_id, message_id)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _answer_in_order(self, chat_id, message_id):
        with self._lock_for(chat_id):
            try:
                self._answer(chat_id, message_id)
            except db.DatabaseUnavailable:
                log.warning("database unavailable while answering chat %s", chat_id)
                socketio.emit(p.ERROR, {"code": "unavailable", "event": p.STUDENT_MESSAGE,
                                        "message": "The assistant could not answer just now. Please try again."},
                              to=p.chat_room(chat_id))
            except Exception:
                log.exception("answering chat %s failed", chat_id)

    def _answer(self, chat_id, message_id):
        chat = chat_db.get_chat(chat_id)
        if chat is None or chat["is_human_enabled"] or history_db.has_reply_after(chat_id, message_id):
            return
        socketio.emit(p.TYPING, {"chat_id": chat_id, "who": "assistant", "typing": True}, to=p.chat_room(chat_id))
        try:
            reply = self.chatbot.reply(chat_id, history_db.recent_messages(chat_id), self.active_model(),
                                       AgentActions(self))
            if chat_db.get_chat(chat_id)["is_human_enabled"]:
                return  # an advisor took over while the model was thinking: don't talk over them
            row, _ = history_db.add_message(chat_id, "ai", reply.text, model=reply.model)
            self._emit_message(p.message_payload(row))
        finally:
            socketio.emit(p.TYPING, {"chat_id": chat_id, "who": "assistant", "typing": False},
                          to=p.chat_room(chat_id))

    def model_state(self):
        """Every provider, whether it is configured (and why not), and which one is active."""
        active = self.active_model()
        return {"active": active, "providers": [
            {"name": pr.name, "label": pr.label, "configured": pr.configured, "reason": pr.reason,
             "active": pr.name == active} for pr in self.chatbot.providers.values()]}

    def set_active_model(self, name):
        """Switch the model for every chat's next reply, in every process; tell every admin page."""
        provider = self.chatbot.providers.get(name)
        if provider is None:
            raise ClientError("invalid_payload", "model must be one of: " + ", ".join(self.chatbot.providers))
        if not provider.configured:
            raise ClientError("not_configured", f"{provider.label} is not configured: {provider.reason}.")
        settings_db.set_setting(ACTIVE_MODEL_KEY, name)
        state = self.model_state()
        socketio.emit(p.MODEL_CHANGED, state, to=p.ADMINS_ROOM)
        return state

    def active_model(self):
        name = settings_db.get_setting(ACTIVE_MODEL_KEY)
        providers = self.chatbot.providers
        if name in providers and providers[name].configured:
            return name
        return self.chatbot.default_model

    # -- escalation and bookings --------------------------------------------------------

    def escalate_chat(self, chat_id, reason):
        """Hand a chat to the advisors (once); returns the chat row."""
        before = chat_db.get_chat(chat_id)
        chat = chat_db.escalate(chat_id, reason)
        if before["status"] != chat["status"]:
            self.post_system_notice(chat_id, "You're being connected to an admissions advisor.")
            self._emit_chat(p.ESCALATION_TRIGGERED,
                            {"chat_id": chat_id, "reason": reason, "status": chat["status"]}, chat_id)
        return chat

    def free_slots(self):
        return booking_db.free_slots(self.chatbot.now())

    def book_slot(self, chat_id, slot_id):
        """Give a free slot to the chat (moving its old booking); raises SlotTaken."""
        try:
            slot, previous = booking_db.claim_slot(slot_id, chat_id)
        except booking_db.SlotTaken as exc:
            raise SlotTaken(slot_id) from exc
        booking = p.booking_payload(slot)
        moved = f" (moved from {p.booking_payload(previous)['label']})" if previous else ""
        self.post_system_notice(chat_id, f"Advisor call booked for {booking['label']}{moved}.")
        self._emit_chat(p.BOOKING_CONFIRMED, {"chat_id": chat_id, "booking": booking}, chat_id)
        return slot


    def cancel_booking(self, slot_id):
        """Free a booked slot; the student is told in their chat. Raises ClientError if not booked."""
        slot = booking_db.release_slot(slot_id)
        if slot is None:
            raise ClientError("not_found", "That slot is not booked.")
        booking = p.booking_payload(slot)
        self.post_system_notice(slot["chat_id"], f"Your advisor call on {booking['label']} was cancelled by "
                                                 "the admissions office. You can book another time here.")
        self._emit_chat(p.BOOKING_CANCELLED, {"chat_id": slot["chat_id"], "booking": booking}, slot["chat_id"])
        return booking

    def slots_overview(self):
        """The coming days' slots, free or booked, for the bookings panel."""
        today = self.chatbot.today()
        return [dict(p.booking_payload(s), chat_id=s["chat_id"])
                for s in booking_db.slots_between(today, today + timedelta(days=self.config.SLOT_DAYS - 1))]

    # -- advisors -----------------------------------------------------------------------

    def existing_chat(self, chat_id):
        chat = chat_db.get_chat(chat_id)
        if chat is None:
            raise chat_not_found()
        return chat

    def dashboard(self, status=None, escalated=None, limit=50, offset=0):
        rows, total = chat_db.list_chats(status, escalated, limit, offset)
        booked = booking_db.bookings_for_chats([r["id"] for r in rows])
        return {"chats": [self.chat_summary(r, booked.get(r["id"]), presence.viewers(r["id"])) for r in rows],
                "total": total, "limit": limit, "offset": offset}

    def chat_detail(self, chat_id):
        chat = self.existing_chat(chat_id)
        messages = history_db.messages_after(chat_id, 0, limit=5000)
        return {"chat": self.chat_summary(dict(chat, last_message=messages[-1] if messages else None, unread=0),
                                          booking_db.booking_for_chat(chat_id), presence.viewers(chat_id)),
                "messages": [p.message_payload(m) for m in messages]}

    def open_chat_as_admin(self, sid, chat_id, admin):
        """An advisor opens a chat: presence is recorded and the student sees an advisor is there."""
        detail = self.chat_detail(chat_id)
        left = presence.view_chat(sid, chat_id, admin.id)
        self._viewing.add(sid)
        if self._presence_task is None:
            self._presence_task = socketio.start_background_task(self._refresh_presence)
        if detail["messages"]:
            chat_db.mark_read(chat_id, detail["messages"][-1]["id"])
        for changed in filter(None, (left, chat_id)):
            self._emit_presence(changed)
        detail["chat"]["viewers"] = presence.viewers(chat_id)
        return detail

    def close_chat_as_admin(self, sid):
        self._viewing.discard(sid)
        left = presence.leave(sid)
        if left:
            self._emit_presence(left)

    def _refresh_presence(self):
        """Background task: keep this process's presence rows fresh so other processes trust them."""
        while True:
            socketio.sleep(presence.REFRESH_SECONDS)
            try:
                presence.refresh(set(self._viewing))
            except db.DatabaseUnavailable:
                log.warning("presence refresh skipped: database unavailable")

    def _emit_presence(self, chat_id):
        viewers = presence.viewers(chat_id)
        socketio.emit(p.ADMIN_STATUS_CHANGED, {"chat_id": chat_id, "advisors_online": len(viewers)},
                      to=p.chat_room(chat_id))
        socketio.emit(p.ADMIN_STATUS_CHANGED, {"chat_id": chat_id, "advisors_online": len(viewers),
                                               "viewers": viewers}, to=p.ADMINS_ROOM)

    def set_human_enabled(self, chat_id, enabled, admin):
        """Take a chat over (the AI stops) or hand it back (the AI answers the next message)."""
        chat = self.existing_chat(chat_id)
        if bool(chat["is_human_enabled"]) == enabled:
            return self._human_payload(chat)
        chat = chat_db.update_chat(chat_id, is_human_enabled=enabled, status="human" if enabled else "ai")
        self.post_system_notice(chat_id, "An advisor has joined the chat." if enabled
                                else "You're back with the assistant.")
        payload = self._human_payload(chat, admin)
        self._emit_chat(p.HUMAN_ENABLED_CHANGED, payload, chat_id)
        return payload

    @staticmethod
    def _human_payload(chat, admin=None):
        return {"chat_id": chat["id"], "is_human_enabled": bool(chat["is_human_enabled"]),
                "status": chat["status"], "by": admin.username if admin else None}

    def post_operator_message(self, chat_id, text, admin, client_id=None):
        """An advisor writes to the student; writing takes the chat over so the AI stays quiet."""
        text = self._clean(text)
        chat = self.existing_chat(chat_id)
        if not chat["is_human_enabled"]:
            self.set_human_enabled(chat_id, True, admin)
        row, created = history_db.add_message(chat_id, "human_operator", text, model=None, client_id=client_id)
        payload = dict(p.message_payload(row), author=admin.username)
        if created:
            self._emit_message(payload)
            chat_db.mark_read(chat_id, row["id"])
        return payload


class AgentActions:
    """What the agent's tools may do, for the chat they are bound to."""

    def __init__(self, services):
        self.services = services

    def escalate(self, chat_id, reason):
        return self.services.escalate_chat(chat_id, reason)

    def free_slots(self):
        return self.services.free_slots()

    def book(self, chat_id, slot_id):
        return self.services.book_slot(chat_id, slot_id)

    def today(self):
        return self.services.chatbot.today()
