"""Queries on advisor-call slots (the bookings table)."""
from datetime import datetime, time as dtime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import bookings

_live = bookings.c.deleted_at.is_(None)


class SlotTaken(Exception):
    """The slot is booked by another chat (or does not exist)."""


def seed_slots(start_date, days, times):
    """Create missing slots for `days` days from start_date (weekends included); returns how many."""
    wanted = [(start_date + timedelta(days=d), dtime.fromisoformat(t.strip()))
              for d in range(days) for t in times]
    with transaction() as conn:
        existing = {
            (r.date, r.time) for r in conn.execute(
                select(bookings.c.date, bookings.c.time)
                .where(bookings.c.date >= start_date, bookings.c.date < start_date + timedelta(days=days))
            )
        }
    missing = [(d, t) for d, t in wanted if (d, _as_time(t)) not in existing]
    created = 0
    for slot_date, slot_time in missing:
        now = utcnow()
        try:
            with transaction() as conn:
                conn.execute(insert(bookings).values(
                    date=slot_date, time=slot_time, created_at=now, updated_at=now))
            created += 1
        except IntegrityError:
            pass  # another process seeded it between our read and write
    return created


def _as_time(value):
    # SQLite hands TIME back as time; MySQL drivers may hand back timedelta.
    if isinstance(value, timedelta):
        return (datetime.min + value).time()
    return value


def _slot(row):
    slot = dict(row)
    slot["time"] = _as_time(slot["time"])
    return slot


def slots_between(first_date, last_date):
    """All live slots from first_date to last_date inclusive, booked or free, in time order."""
    with transaction() as conn:
        rows = conn.execute(
            select(bookings).where(_live, bookings.c.date >= first_date, bookings.c.date <= last_date)
            .order_by(bookings.c.date, bookings.c.time)
        ).mappings().all()
    return [_slot(r) for r in rows]


def free_slots(after, limit=200):
    """Free live slots starting after the naive local datetime `after`, in time order."""
    later_today = and_(bookings.c.date == after.date(), bookings.c.time > after.time())
    with transaction() as conn:
        rows = conn.execute(
            select(bookings)
            .where(_live, bookings.c.chat_id.is_(None),
                   or_(bookings.c.date > after.date(), later_today))
            .order_by(bookings.c.date, bookings.c.time).limit(limit)
        ).mappings().all()
    return [_slot(r) for r in rows]


def booking_for_chat(chat_id):
    """The slot this chat holds, or None."""
    with transaction() as conn:
        row = conn.execute(select(bookings).where(bookings.c.chat_id == chat_id, _live)).mappings().first()
    return _slot(row) if row else None


def bookings_for_chats(chat_ids):
    """{chat_id: slot} for those of the chats that hold a booking."""
    if not chat_ids:
        return {}
    with transaction() as conn:
        rows = conn.execute(select(bookings).where(bookings.c.chat_id.in_(list(chat_ids)), _live)).mappings().all()
    return {r["chat_id"]: _slot(r) for r in rows}


def set_note(slot_id, note):
    """Attach the hand-off brief to a booked slot."""
    with transaction() as conn:
        conn.execute(update(bookings).where(bookings.c.id == slot_id).values(note=note))


def claim_slot(slot_id, chat_id, note=None):
    """Give a free slot to chat_id, releasing the chat's previous slot, atomically.

    Returns (slot, previous_slot_or_None). Raises SlotTaken if the slot is not free;
    then the chat keeps its previous booking.
    """
    now = utcnow()
    try:
        with transaction() as conn:
            previous = conn.execute(
                select(bookings).where(bookings.c.chat_id == chat_id, _live)
            ).mappings().first()
            if previous and previous["id"] == slot_id:
                return _slot(previous), None
            if previous:
                conn.execute(update(bookings).where(bookings.c.id == previous["id"])
                             .values(chat_id=None, booked_at=None, note=None, updated_at=now))
            # The conditional update is the lock: only one chat can turn NULL into itself.
            claimed = conn.execute(
                update(bookings)
                .where(bookings.c.id == slot_id, bookings.c.chat_id.is_(None), _live)
                .values(chat_id=chat_id, booked_at=now, note=note, updated_at=now)
            )
            if claimed.rowcount != 1:
                raise SlotTaken(slot_id)
            row = conn.execute(select(bookings).where(bookings.c.id == slot_id)).mappings().first()
    except IntegrityError as exc:
        raise SlotTaken(slot_id) from exc
    return _slot(row), (_slot(previous) if previous else None)


def chat_of_slot(slot_id):
    """The chat holding this live slot, or None when it is free (or unknown)."""
    with transaction() as conn:
        return conn.execute(select(bookings.c.chat_id).where(bookings.c.id == slot_id, _live)).scalar()


def release_chat_booking(chat_id):
    """Free the slot this chat holds; returns the slot as it was, or None if it held none."""
    slot = booking_for_chat(chat_id)
    return release_slot(slot["id"], chat_id) if slot else None


def release_slot(slot_id, chat_id):
    """Free the slot if chat_id holds it; returns the slot as it was, or None if that chat did not hold it."""
    now = utcnow()
    with transaction() as conn:
        row = conn.execute(select(bookings).where(bookings.c.id == slot_id, bookings.c.chat_id == chat_id, _live)
                           ).mappings().first()
        if row is None:
            return None
        result = conn.execute(
            update(bookings).where(bookings.c.id == slot_id, bookings.c.chat_id == chat_id)
            .values(chat_id=None, booked_at=None, note=None, updated_at=now,
                    cancelled_count=bookings.c.cancelled_count + 1)
        )
        if result.rowcount != 1:
            return None
    return _slot(row)
