"""`--direct`: the conversations played in-process against chatbot.Chatbot, without a server."""
import itertools
import time
from datetime import datetime, timezone

from assistant.tools import ContactRefused, SlotTaken
from assistant.when import slot_label
from havana.config import Config
from havana.contact import clean_contact
from havana.errors import ClientError
from havana.protocol import booking_payload

from .score import TurnResult
from .slots import TIMEZONE, SLOT_DAYS, SLOT_TIMES, local_now, planned_slots

ESCALATED_NOTICE = "You're being connected to an admissions advisor."


class FakeActions:
    """The Actions the tools call (contract 2), in memory, shaped like the server's."""

    def __init__(self, today):
        self._today = today
        self.slots = [{"id": i, "date": d, "time": t, "chat_id": None, "note": None, "deleted_at": None}
                      for i, (d, t) in enumerate(planned_slots(today), 1)]
        self.chats = {}
        self.events = []  # (kind, chat_id, detail) in order, like the server's socket events

    def chat(self, chat_id):
        return self.chats.setdefault(chat_id, {"id": chat_id, "status": "ai", "is_human_enabled": False,
                                               "escalation_reason": None, "notices": []})

    def escalate(self, chat_id, reason):
        chat = self.chat(chat_id)
        if chat["status"] in ("ai", "closed"):
            chat.update(status="waiting_human", escalation_reason=reason)
            chat["notices"].append(ESCALATED_NOTICE)
            self.events.append(("escalated", chat_id, reason))
        # No advisor is signed in during an evaluation, as on the live server.
        return dict(chat, advisors_available=False, open_now=False)

    def free_slots(self):
        now = local_now()
        return [dict(s) for s in self.slots
                if s["chat_id"] is None and datetime.combine(s["date"], s["time"]) > now]

    def book(self, chat_id, slot_id):
        slot = next((s for s in self.slots if s["id"] == slot_id), None)
        if slot is None or slot["chat_id"] not in (None, chat_id):
            raise SlotTaken(slot_id)
        previous = self._held(chat_id)
        if previous is not None and previous is not slot:
            previous["chat_id"] = None
        slot["chat_id"] = chat_id
        moved = f" (moved from {slot_label(previous['date'], previous['time'])})" \
            if previous is not None and previous is not slot else ""
        self.chat(chat_id)["notices"].append(f"Advisor call booked for {slot_label(slot['date'], slot['time'])}{moved}.")
        self.events.append(("booked", chat_id, slot["id"]))
        return dict(slot)

    def my_booking(self, chat_id):
        held = self._held(chat_id)
        return dict(held) if held else None

    def cancel_my_booking(self, chat_id):
        held = self._held(chat_id)
        if held is None:
            return None
        held["chat_id"] = None
        self.chat(chat_id)["notices"].append(
            f"Your advisor call on {slot_label(held['date'], held['time'])} was cancelled.")
        self.events.append(("cancelled", chat_id, held["id"]))
        return dict(held)

    def save_contact(self, chat_id, name, email, phone, method):
        """The details checked as the server checks them; the chat's call counts as confirmed."""
        try:
            contact = clean_contact("en", name, email, phone, method)
        except ClientError as exc:
            raise ContactRefused(exc.code, exc.message) from None
        self.chat(chat_id)["contact"] = contact
        return {"contact": contact, "booking": booking_payload(self._held(chat_id))}

    def today(self):
        return self._today

    def _held(self, chat_id):
        return next((s for s in self.slots if s["chat_id"] == chat_id), None)


class DirectRunner:
    """One Chatbot per knowledge base, the offline assistant, an in-memory Actions."""

    def __init__(self, kb_path, timeout=30):
        from chatbot import Chatbot  # imported here: the live mode must not pay for it
        config = Config(KNOWLEDGE_BASE_PATH=str(kb_path), OPENAI_API_KEY=None, GOOGLE_API_KEY=None,
                        TIMEZONE=TIMEZONE, SLOT_DAYS=SLOT_DAYS, SLOT_TIMES=SLOT_TIMES)
        self.chatbot = Chatbot(config)
        self.model = self.chatbot.default_model
        self.ids = itertools.count(1)

    def close(self):
        pass

    def play(self, conversation):
        actions = FakeActions(local_now().date())
        chat_id = f"eval-{conversation.id}"
        chat = actions.chat(chat_id)
        history, results = [], []
        for turn in conversation.turns:
            status_before = chat["status"]
            events_before, notices_before = len(actions.events), len(chat["notices"])
            history.append(self._row(chat_id, "human", turn["student"]))
            started = time.perf_counter()
            reply = self.chatbot.reply(chat_id, list(history), self.model, actions)
            seconds = time.perf_counter() - started
            notices = chat["notices"][notices_before:]
            history += [self._row(chat_id, "system", n) for n in notices]
            text = getattr(reply, "text", "") or ""
            history.append(self._row(chat_id, "ai", text, getattr(reply, "model", None)))
            happened = [kind for kind, cid, _ in actions.events[events_before:] if cid == chat_id]
            results.append(TurnResult(
                student=turn["student"], reply=text, seconds=seconds,
                escalated="escalated" in happened, already_escalated=status_before != "ai",
                reason=chat["escalation_reason"] or "", booked="booked" in happened,
                cancelled="cancelled" in happened, context=notices))
        return results

    def _row(self, chat_id, role, message, model=None):
        return {"id": next(self.ids), "chat_id": chat_id, "role": role, "message": message, "model": model,
                "client_id": None, "author": None,
                "created_at": datetime.now(timezone.utc).replace(tzinfo=None)}
