"""Mails caused by actions, queued in the outbox inside the action's transaction (sent after commit
by havana.mail.sender): booking invites, reminders, and advisors' answers to a student who left.

Each mail has a dedupe key, so a retried action or two processes queue it once.
"""
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import db
from db import admins as admin_db, bookings as booking_db, chats as chat_db, history as history_db, outbox
from havana import protocol as p
from havana.extensions import socketio
from havana.mail import compose
from havana.runtime import runtime

BOOKING_KINDS = ("confirmed", "moved", "cancelled")


def queue_booking_mail(chat, slot, kind):
    """Queue the student's (and the advisors') invite for the chat's call; call inside the action's
    db.transaction(). Nothing is queued for a chat without a contact e-mail. Returns the SEQUENCE used."""
    if kind not in BOOKING_KINDS:
        raise ValueError(f"unknown booking mail kind {kind!r}")
    if not chat.get("contact_email"):
        return None
    with db.transaction():
        last = outbox.last_sequence(chat["id"])
        # One calendar entry per chat: its first invite is SEQUENCE 0, each move, cancel or rebooking +1.
        sequence = 0 if last is None else last + 1
        # Per booking event, not per call: the same event queued twice (by two hooks) is one mail.
        booked = slot.get("booked_at").isoformat() if slot.get("booked_at") else ""
        key = f"booking:{chat['id']}:{kind}:{slot['id']}:{booked}"
        outbox.add(kind, chat["contact_email"], key + ":student", chat_id=chat["id"], ics_sequence=sequence,
                   **compose.booking(chat, slot, kind, sequence))
        if runtime.config.ADVISOR_MAIL:
            outbox.add(kind, runtime.config.ADVISOR_MAIL, key + ":advisor", chat_id=chat["id"],
                       ics_sequence=sequence, **compose.booking(chat, slot, kind, sequence, advisor=True))
        _wake_sender()
    return sequence


def answer_mail_wanted(chat):
    """Whether an advisor's message in this chat should reach its student by e-mail: they left an
    address and no page of theirs has the chat open in this process."""
    return bool(chat.get("contact_email")) and not student_connected(chat["id"])


def queue_answer_mail(chat, message_id):
    """An advisor wrote message_id in `chat` (locked by the caller's transaction, which keeps one batch
    open per chat): when the answer mail is wanted, start one that collects this and the next
    messages for ANSWER_MAIL_DELAY seconds."""
    if not answer_mail_wanted(chat):
        return False
    if outbox.queued_answer(chat["id"]) is not None:
        return False  # the open batch will carry this message too
    due = db.utcnow() + timedelta(seconds=runtime.config.ANSWER_MAIL_DELAY)
    return outbox.add("answer", chat["contact_email"], f"answer:{chat['id']}:{message_id}", chat_id=chat["id"],
                      data={"from_id": message_id}, due=due)


def _wake_sender():
    if runtime.mail is not None:
        db.on_commit(runtime.mail.wake)


def student_connected(chat_id):
    """Whether a student page has this chat open in this process (students join the chat's room)."""
    try:
        return any(True for _ in socketio.server.manager.get_participants("/", p.chat_room(chat_id)))
    except (AttributeError, KeyError):
        return False


def queue_reminders(now=None):
    """Queue the reminders now due (REMINDER_HOURS before each booked call with an e-mail); returns how many.

    Run by every process's sender: the dedupe key makes each reminder one row however many run it.
    """
    now = now or datetime.now(ZoneInfo(runtime.config.TIMEZONE)).replace(tzinfo=None)
    hours = sorted((float(h) for h in runtime.config.REMINDER_HOURS), reverse=True)
    last = now + timedelta(hours=max(hours))
    queued = 0
    for slot in booking_db.slots_between(now.date(), last.date()):
        start = datetime.combine(slot["date"], slot["time"])
        if slot["chat_id"] is None or slot.get("held_until") is not None or not now < start <= last:
            continue
        chat = chat_db.get_chat(slot["chat_id"])
        if not chat or not chat.get("contact_email"):
            continue
        # Only the nearest reminder whose time has come, and none whose time passed before the call was
        # confirmed: a call booked 3 hours ahead gets the 1-hour reminder only.
        confirmed = _local(slot.get("confirmed_at") or slot.get("booked_at"))
        due = [h for h in hours if start - timedelta(hours=h) <= now
               and (confirmed is None or confirmed <= start - timedelta(hours=h))]
        if not due:
            continue
        h = min(due)
        booked = slot["booked_at"].isoformat() if slot.get("booked_at") else ""
        key = f"reminder:{chat['id']}:{slot['id']}:{booked}:{h:g}"
        queued += outbox.add("reminder", chat["contact_email"], key, chat_id=chat["id"],
                             data={"slot_id": slot["id"], "hours": h}, **compose.reminder(chat, slot, h))
    return queued


def _local(utc_naive):
    """A stored UTC timestamp as the university's naive local time (the slots' clock)."""
    if utc_naive is None:
        return None
    zone = ZoneInfo(runtime.config.TIMEZONE)
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)


def compose_answer(row):
    """The text of a queued answer mail, made when it is sent: the advisor messages of its batch."""
    chat = chat_db.get_chat(row["chat_id"])
    start = json.loads(row["data"])["from_id"]
    end = outbox.next_answer_start(row["chat_id"], row["id"])
    messages = [m for m in history_db.recent_messages(row["chat_id"], limit=200)
                if m["role"] == p.ROLE_OPERATOR and m["id"] >= start and (end is None or m["id"] < end)]
    if not chat or not messages:
        return None
    authors = _display_names({m.get("author") for m in messages})
    return compose.answer(chat, [{"author": authors.get(m.get("author")) or "Admissions advisor",
                                  "text": m["message"]} for m in messages])


def _display_names(usernames):
    found = {}
    for name in filter(None, usernames):
        row = admin_db.admin_by_username(name)
        if row is not None:
            found[name] = row.get("display_name")
    return found


def still_booked(row):
    """Whether a reminder's call is still booked by its chat and still ahead."""
    slot = booking_db.booking_for_chat(row["chat_id"])
    data = json.loads(row["data"] or "{}")
    if slot is None or slot["id"] != data.get("slot_id"):
        return False
    now = datetime.now(ZoneInfo(runtime.config.TIMEZONE)).replace(tzinfo=None)
    return datetime.combine(slot["date"], slot["time"]) > now

