"""The assistant's side: answering in order, streaming, escalating with a brief, booking calls."""
import json
import logging
import time
import uuid
from datetime import datetime, timedelta

import db
from assistant.brief import model_brief, rule_brief
from assistant.tools import SlotTaken
from db import analytics as analytics_db, bookings as booking_db, chats as chat_db, history as history_db
from db import knowledge as knowledge_db, settings as settings_db
from havana import protocol as p
from havana.errors import ClientError
from havana.extensions import socketio
from havana.services.base import ServiceBase

log = logging.getLogger(__name__)

ACTIVE_MODEL_KEY = "active_model"
KNOWLEDGE_VERSION_KEY = "knowledge_version"


class ReplyStream:
    """Passes the model's text on as it is produced: `message_delta` events, then `new_message`."""

    def __init__(self, services, chat_id):
        self.services, self.chat_id = services, chat_id
        self.stream_id = "s-" + uuid.uuid4().hex[:16]

    def delta(self, text):
        self.services._emit_watchers(p.MESSAGE_DELTA, {"chat_id": self.chat_id, "stream_id": self.stream_id,
                                                       "delta": text}, self.chat_id)

    def reset(self):
        self.services._emit_watchers(p.MESSAGE_DELTA, {"chat_id": self.chat_id, "stream_id": self.stream_id,
                                                       "reset": True}, self.chat_id)


class AnsweringServices(ServiceBase):
    def _answer_if_pending(self, chat):
        """A student message left unanswered (say, a server stopped mid-reply) is answered on reconnect."""
        last = history_db.recent_messages(chat["id"], limit=1)
        if last and last[0]["role"] == "human" and not chat["is_human_enabled"]:
            self._queue_answer(chat["id"], last[0]["id"])

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
            with self._reply_slots, self._lock_for(chat_id):
                self._answer(chat_id, message_id)
        except db.DatabaseUnavailable:
            log.warning("database unavailable while answering chat %s", chat_id)
            socketio.emit(p.ERROR, {"code": "unavailable", "event": p.STUDENT_MESSAGE,
                                    "message": "The assistant could not answer just now. Please try again."},
                          to=p.chat_room(chat_id))
        except Exception:
            log.exception("answering chat %s failed", chat_id)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _answer(self, chat_id, message_id):
        with db.transaction():  # what to answer, and with which model: one round of reads
            chat = chat_db.get_chat(chat_id)
            if chat is None or chat["is_human_enabled"]:
                return
            history = history_db.recent_messages(chat_id)
            if _answered(history, message_id):
                return
            current = settings_db.get_settings([ACTIVE_MODEL_KEY, KNOWLEDGE_VERSION_KEY])
            self._refresh_knowledge(current.get(KNOWLEDGE_VERSION_KEY, "0"))
        typing = {"chat_id": chat_id, "who": "assistant"}
        self._emit_watchers(p.TYPING, dict(typing, typing=True), chat_id)
        try:
            stream = ReplyStream(self, chat_id)
            reply = self.chatbot.reply(chat_id, history, self._usable_model(current.get(ACTIVE_MODEL_KEY)),
                                       AgentActions(self), stream)
            # An advisor who took over while the model was thinking is not talked over.
            row = history_db.add_message(chat_id, "ai", reply.text, model=reply.model,
                                         admit=lambda chat: not chat["is_human_enabled"]).message
            if row is None:
                stream.reset()
                return
            self._emit_message(dict(p.message_payload(row), stream_id=stream.stream_id))
            self._record_model_calls(chat_id, reply.calls)
        finally:
            self._emit_watchers(p.TYPING, dict(typing, typing=False), chat_id)

    @staticmethod
    def _record_model_calls(chat_id, calls):
        """After the reply is out: analytics must never delay or cost a reply."""
        try:
            analytics_db.record_model_calls(chat_id, calls)
        except db.DatabaseUnavailable:
            log.warning("model calls of chat %s not recorded: database unavailable", chat_id)

    def _refresh_knowledge(self, version):
        """Approved advisor answers reach the assistant in every process on the next question."""
        if version != self._knowledge_version:
            self.chatbot.set_approved_answers(knowledge_db.list_answers("approved"))
            self._knowledge_version = version

    # -- the active model ---------------------------------------------------------------

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
        return self._usable_model(settings_db.get_setting(ACTIVE_MODEL_KEY))

    def _usable_model(self, name):
        """The stored choice if that provider is configured here, else the default."""
        providers = self.chatbot.providers
        if name in providers and providers[name].configured:
            return name
        return self.chatbot.default_model

    # -- escalation ---------------------------------------------------------------------

    def escalate_chat(self, chat_id, reason):
        """Hand a chat to the advisors (once); returns the chat row and whether one can answer now."""
        before = self.existing_chat(chat_id)
        chat = chat_db.escalate(chat_id, reason)
        if before["status"] != chat["status"]:
            self.post_system_notice(chat_id, "You're being connected to an admissions advisor.")
            self._emit_chat(p.ESCALATION_TRIGGERED,
                            {"chat_id": chat_id, "reason": reason, "status": chat["status"],
                             "escalated_at": p.iso(chat["escalated_at"])}, chat_id)
            socketio.start_background_task(self._write_brief, chat_id, reason)
            self.broadcast_queue()
        return chat

    def _write_brief(self, chat_id, reason):
        """Background task: the hand-off brief, by the active model (rules for the offline assistant)."""
        try:
            history = history_db.recent_messages(chat_id, limit=60)
            brief, written_by = None, "local"
            provider = self.chatbot.providers[self.active_model()]
            if provider.name != "local":
                try:
                    brief, written_by = model_brief(provider.client(), history, reason), provider.model
                except Exception as exc:  # a provider fault falls back to the rules
                    log.warning("brief by %s failed for chat %s: %s", provider.name, chat_id, type(exc).__name__)
            brief = brief or rule_brief(history, reason)
            brief["model"] = written_by
            chat_db.update_chat(chat_id, brief=json.dumps(brief))
            booking = booking_db.booking_for_chat(chat_id)
            if booking:
                booking_db.set_note(booking["id"], json.dumps(brief))
            socketio.emit(p.BRIEF_READY, {"chat_id": chat_id, "brief": brief}, to=p.ADMINS_ROOM)
        except Exception:
            log.exception("writing the brief failed for chat %s", chat_id)

    # -- bookings -----------------------------------------------------------------------

    def free_slots(self):
        return booking_db.free_slots(self.chatbot.now())

    def book_slot(self, chat_id, slot_id):
        """Give a free slot to the chat (moving its old booking); raises SlotTaken."""
        try:
            slot, previous = booking_db.claim_slot(slot_id, chat_id, note=self.existing_chat(chat_id)["brief"])
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
        now = self.chatbot.now()
        return [dict(p.booking_payload(s), chat_id=s["chat_id"], note=p.json_or_none(s.get("note")),
                     past=datetime.combine(s["date"], s["time"]) <= now)
                for s in booking_db.slots_between(now.date(), now.date() + timedelta(days=self.config.SLOT_DAYS - 1))]


class AgentActions:
    """What the agent's tools may do, for the chat they are bound to."""

    def __init__(self, services):
        self.services = services

    def escalate(self, chat_id, reason):
        chat = self.services.escalate_chat(chat_id, reason)
        availability = self.services.advisor_availability()
        return dict(chat, advisors_available=availability["available_now"], open_now=availability["open_now"])

    def free_slots(self):
        return self.services.free_slots()

    def book(self, chat_id, slot_id):
        return self.services.book_slot(chat_id, slot_id)

    def today(self):
        return self.services.chatbot.today()


def _answered(history, message_id):
    """Whether the assistant or an advisor has written since message_id (its turn is answered)."""
    return any(m["id"] > message_id and m["role"] in ("ai", "human_operator") for m in history)
