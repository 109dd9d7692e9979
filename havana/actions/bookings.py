"""Advisor-call slots: book, move and cancel a chat's call; the bookings panel."""
from datetime import datetime, timedelta

import db
from assistant.tools import SlotTaken
from assistant.when import slot_label
from db import bookings as booking_db
from havana import broadcast, protocol as p
from havana.actions.chats import add_notice
from havana.actions.checks import locked_chat
from havana.errors import ClientError
from havana.i18n import tr
from havana.runtime import runtime


def free_slots():
    return booking_db.free_slots(runtime.chatbot.now())


def chat_booking(chat_id):
    """The slot the chat holds, or None."""
    return booking_db.booking_for_chat(chat_id)


def book_slot(chat_id, slot_id):
    """Give a free slot to the chat, moving its old booking; raises SlotTaken (and changes nothing)."""
    with db.transaction():
        chat = locked_chat(chat_id)
        try:
            slot, previous = booking_db.claim_slot(slot_id, chat_id, note=chat["brief"])
        except booking_db.SlotTaken as exc:
            raise SlotTaken(slot_id) from exc
        # The assistant reads these notices back from the history: "booked for" / "reservada" and
        # the slot label in the chat's language are what it looks for.
        lang = chat["language"]
        if previous:
            add_notice(chat_id, tr(lang, "Advisor call booked for %(label)s (moved from %(previous)s).",
                                   label=_label(slot, lang), previous=_label(previous, lang)))
        else:
            add_notice(chat_id, tr(lang, "Advisor call booked for %(label)s.", label=_label(slot, lang)))
        broadcast.booking_confirmed(chat_id, slot)
    return slot


def cancel_booking(slot_id):
    """The admissions office frees a booked slot; the student is told in their chat."""
    chat_id = booking_db.chat_of_slot(slot_id)
    if chat_id is None:
        raise ClientError("not_found", "That slot is not booked.")
    with db.transaction():
        chat = locked_chat(chat_id)
        slot = booking_db.release_slot(slot_id, chat_id)
        if slot is None:
            raise ClientError("not_found", "That slot is not booked.")
        add_notice(chat_id, tr(chat["language"], "Your advisor call on %(label)s was cancelled by the admissions "
                                                 "office. You can book another time here.",
                               label=_label(slot, chat["language"])))
        broadcast.booking_cancelled(chat_id, slot)
    return p.booking_payload(slot)


def cancel_chat_booking(chat_id):
    """The student cancels their own call (through the assistant); returns the freed slot, or None."""
    with db.transaction():
        chat = locked_chat(chat_id)
        slot = booking_db.release_chat_booking(chat_id)
        if slot is None:
            return None
        add_notice(chat_id, tr(chat["language"], "Advisor call on %(label)s cancelled.",
                               label=_label(slot, chat["language"])))
        broadcast.booking_cancelled(chat_id, slot)
    return slot


def _label(slot, lang):
    return slot_label(slot["date"], slot["time"], lang or "en")


def slots_overview():
    """The coming days' slots, free or booked, for the bookings panel."""
    now = runtime.chatbot.now()
    last = now.date() + timedelta(days=runtime.config.SLOT_DAYS - 1)
    return [dict(p.booking_payload(s), chat_id=s["chat_id"], note=p.json_or_none(s.get("note")),
                 past=datetime.combine(s["date"], s["time"]) <= now)
            for s in booking_db.slots_between(now.date(), last)]
