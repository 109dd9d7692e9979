"""Advisor-call slots: book (held until the student's contact is given), move and cancel a chat's call;
the bookings panel, calls claimed by advisors and their outcomes."""
from datetime import datetime, timedelta

import db
from assistant.tools import BookingRefused, SlotTaken
from assistant.when import slot_label
from db import admins as admin_db, bookings as booking_db, chats as chat_db
from havana import broadcast, protocol as p
from havana.actions.chats import add_notice
from havana.actions.checks import locked_chat
from havana.actions.mail import queue_booking_mail
from havana.errors import ClientError
from havana.i18n import tr
from havana.runtime import runtime


def free_slots():
    return booking_db.free_slots(runtime.chatbot.now())


def chat_booking(chat_id):
    """The slot the chat holds (confirmed, or held and not expired), or None."""
    return booking_db.booking_for_chat(chat_id)


def book_slot(chat_id, slot_id, address=None):
    """Give a free slot to the chat, moving its old booking; raises SlotTaken or BookingRefused (and
    changes nothing). Without the student's contact the slot is only held (BOOKING_HOLD_MINUTES)."""
    config = runtime.config
    with db.transaction():
        chat = locked_chat(chat_id)
        lang = chat["language"]
        now = runtime.chatbot.now()
        current = booking_db.booking_for_chat(chat_id)
        # Moving a call booked from the same address keeps the count as it is.
        if address and (current is None or current.get("client_address") != address):
            if booking_db.active_for_address(address, now) >= config.MAX_BOOKINGS_PER_ADDRESS:
                raise BookingRefused("address_limit", "This connection already holds the most advisor calls allowed.")
        if chat_db.has_contact(chat):
            other = booking_db.active_for_email(chat["contact_email"], now, other_than=chat_id)
            if other:
                raise BookingRefused("email_has_booking", "This e-mail address already has an advisor call booked "
                                                          f"for {_label(other, 'en')}.")
            hold = None
        else:
            hold = db.utcnow() + timedelta(minutes=config.BOOKING_HOLD_MINUTES)
        try:
            slot, previous = booking_db.claim_slot(slot_id, chat_id, note=chat["brief"], hold_until=hold,
                                                   client_address=address)
        except booking_db.SlotTaken as exc:
            raise SlotTaken(slot_id) from exc
        # The assistant reads these notices back from the history: "booked for" / "reservada" and
        # the slot label in the chat's language are what it looks for.
        if hold:
            add_notice(chat_id, tr(lang, "Advisor call held for %(label)s for %(minutes)s minutes: add your name "
                                         "and e-mail below to confirm it.",
                                   label=_label(slot, lang), minutes=_minutes(config.BOOKING_HOLD_MINUTES)))
            broadcast.booking_held(chat_id, slot)
        else:
            _confirmed(chat, slot, previous)
    return slot


def _confirmed(chat, slot, previous=None):
    """Inside the booking's transaction: tell the chat and the desk, and queue the student's invite."""
    lang = chat["language"]
    if previous:
        add_notice(chat["id"], tr(lang, "Advisor call booked for %(label)s (moved from %(previous)s).",
                                  label=_label(slot, lang), previous=_label(previous, lang)))
    else:
        add_notice(chat["id"], tr(lang, "Advisor call booked for %(label)s.", label=_label(slot, lang)))
    broadcast.booking_confirmed(chat["id"], slot)
    queue_booking_mail(chat, slot, "moved" if previous else "confirmed")


def confirm_held_booking(chat):
    """The contact was just given (inside that action's transaction): a held call becomes confirmed."""
    slot = booking_db.confirm_hold(chat["id"])
    if slot:
        _confirmed(chat, slot)
    return slot


def cancel_booking(slot_id):
    """The admissions office frees a booked slot; the student is told in their chat."""
    with db.transaction():
        return _cancel_by_office(slot_id)


def cancel_bookings(slot_ids):
    """The desk cancels several calls at once, in one transaction; returns the cancelled bookings."""
    with db.transaction():
        # Chats locked in one order, so two batches never wait on each other.
        owners = sorted((booking_db.chat_of_slot(s) or "", s) for s in dict.fromkeys(slot_ids))
        if any(not chat_id for chat_id, _ in owners):
            raise ClientError("not_found", "One of those slots is not booked.")
        return [_cancel_by_office(slot_id) for _, slot_id in owners]


def _cancel_by_office(slot_id):
    chat_id = booking_db.chat_of_slot(slot_id)
    if chat_id is None:
        raise ClientError("not_found", "That slot is not booked.")
    chat = locked_chat(chat_id)
    slot = booking_db.release_slot(slot_id, chat_id)
    if slot is None:
        raise ClientError("not_found", "That slot is not booked.")
    add_notice(chat_id, tr(chat["language"], "Your advisor call on %(label)s was cancelled by the admissions "
                                             "office. You can book another time here.",
                           label=_label(slot, chat["language"])))
    broadcast.booking_cancelled(chat_id, slot)
    if slot["held_until"] is None:
        queue_booking_mail(chat, slot, "cancelled")
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
        if slot["held_until"] is None:
            queue_booking_mail(chat, slot, "cancelled")
    return slot


def claim_call(slot_id, admin):
    """An advisor takes a booked call ("my calls"); raises ClientError('taken') when another advisor has it."""
    with db.transaction():
        slot = booking_db.claim_call(slot_id, admin.id)
        if slot is None:
            if booking_db.chat_of_slot(slot_id) is None:
                raise ClientError("not_found", "That slot is not booked.")
            raise ClientError("taken", "Another advisor has claimed this call.")
        call = call_view(slot)
        broadcast.call_updated(call)
    return call


def set_call_outcome(slot_id, outcome):
    """Mark a confirmed call attended or no-show, once its time has come."""
    with db.transaction():
        slot = booking_db.get_slot(slot_id)
        if slot is None or slot["chat_id"] is None or slot["held_until"] is not None:
            raise ClientError("not_found", "That slot has no confirmed call.")
        if datetime.combine(slot["date"], slot["time"]) > runtime.chatbot.now():
            raise ClientError("too_early", "A call can be marked attended or no-show only after its time.")
        call = call_view(booking_db.set_outcome(slot_id, outcome))
        broadcast.call_updated(call)
    return call


def _label(slot, lang):
    return slot_label(slot["date"], slot["time"], lang or "en")


def _minutes(value):
    return int(value) if float(value).is_integer() else value


def call_view(slot, chat=None, names=None, now=None):
    """A slot as the bookings panel shows it: the student's contact, who claimed it, how it went."""
    chat = chat if chat is not None else (chat_db.get_chat(slot["chat_id"]) if slot["chat_id"] else None)
    if names is None:
        names = admin_db.usernames({slot["claimed_by"]}) if slot.get("claimed_by") else {}
    now = now or runtime.chatbot.now()
    return dict(p.booking_payload(slot), chat_id=slot["chat_id"], note=p.json_or_none(slot.get("note")),
                past=datetime.combine(slot["date"], slot["time"]) <= now,
                contact=p.contact_payload(chat) if chat else None,
                claimed_by=names.get(slot.get("claimed_by")), outcome=slot.get("outcome"))


def slots_overview(mine_of=None):
    """The coming days' slots, free or booked, for the bookings panel (`mine_of`: only this advisor's calls)."""
    now = runtime.chatbot.now()
    last = now.date() + timedelta(days=runtime.config.SLOT_DAYS - 1)
    # Calls from the last week too: their outcome is marked after the time.
    slots = booking_db.slots_between(now.date() - timedelta(days=7), last)
    slots = [s for s in slots if s["chat_id"] or s["date"] >= now.date()]
    if mine_of is not None:
        slots = [s for s in slots if s.get("claimed_by") == mine_of.id]
    chats = {c["id"]: c for c in chat_db.chats_by_ids({s["chat_id"] for s in slots if s["chat_id"]})}
    names = admin_db.usernames({s["claimed_by"] for s in slots if s.get("claimed_by")})
    return [call_view(s, chats.get(s["chat_id"], {}), names, now) for s in slots]
