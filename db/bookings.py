"""Queries on advisor-call slots (the bookings table)."""
from datetime import datetime, time as dtime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import OUTCOMES, bookings, chats

_live = bookings.c.deleted_at.is_(None)
# What a release clears: the slot is free again, with nothing of its last booking left on it.
_FREE = {"chat_id": None, "booked_at": None, "note": None, "held_until": None, "confirmed_at": None,
         "client_address": None, "claimed_by": None, "outcome": None, "outcome_at": None}


def _taken(now):
    """A chat holds the slot: confirmed (held_until NULL) or held and not yet expired."""
    return and_(bookings.c.chat_id.isnot(None), or_(bookings.c.held_until.is_(None), bookings.c.held_until > now))


def _free(now):
    """Nobody holds the slot: never booked, released, or a hold that expired (checked on read and claim)."""
    return or_(bookings.c.chat_id.is_(None), bookings.c.held_until <= now)


def _after(after):
    """Slots that start after the naive local datetime `after`."""
    return or_(bookings.c.date > after.date(), and_(bookings.c.date == after.date(), bookings.c.time > after.time()))


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


def _slot(row, now=None):
    """The row as a dict; a hold that has expired reads as a free slot."""
    slot = dict(row)
    slot["time"] = _as_time(slot["time"])
    if slot.get("held_until") is not None and slot["held_until"] <= (now or utcnow()):
        slot.update(_FREE)
    return slot


def slots_between(first_date, last_date):
    """All live slots from first_date to last_date inclusive, booked or free, in time order."""
    now = utcnow()
    with transaction() as conn:
        rows = conn.execute(
            select(bookings).where(_live, bookings.c.date >= first_date, bookings.c.date <= last_date)
            .order_by(bookings.c.date, bookings.c.time)
        ).mappings().all()
    return [_slot(r, now) for r in rows]


def free_slots(after, limit=200):
    """Free live slots starting after the naive local datetime `after`, in time order."""
    now = utcnow()
    with transaction() as conn:
        rows = conn.execute(
            select(bookings).where(_live, _free(now), _after(after))
            .order_by(bookings.c.date, bookings.c.time).limit(limit)
        ).mappings().all()
    return [_slot(r, now) for r in rows]


def booking_for_chat(chat_id):
    """The slot this chat holds (confirmed, or held and not expired), or None."""
    now = utcnow()
    with transaction() as conn:
        row = conn.execute(select(bookings).where(bookings.c.chat_id == chat_id, _live, _taken(now))
                           ).mappings().first()
    return _slot(row, now) if row else None


def bookings_for_chats(chat_ids):
    """{chat_id: slot} for those of the chats that hold a booking."""
    if not chat_ids:
        return {}
    now = utcnow()
    with transaction() as conn:
        rows = conn.execute(select(bookings).where(bookings.c.chat_id.in_(list(chat_ids)), _live, _taken(now))
                            ).mappings().all()
    return {r["chat_id"]: _slot(r, now) for r in rows}


def active_for_address(address, after):
    """How many slots after `after` (naive local) chats from this client address hold."""
    with transaction() as conn:
        return conn.execute(select(func.count()).select_from(bookings).where(
            bookings.c.client_address == address, _live, _taken(utcnow()), _after(after))).scalar()


def active_for_email(email, after, other_than=None):
    """The slot after `after` that a chat with this contact e-mail holds (not chat `other_than`), or None."""
    now = utcnow()
    query = (select(bookings).join(chats, chats.c.id == bookings.c.chat_id)
             .where(chats.c.contact_email == email, _live, _taken(now), _after(after)))
    if other_than:
        query = query.where(bookings.c.chat_id != other_than)
    with transaction() as conn:
        row = conn.execute(query.order_by(bookings.c.date, bookings.c.time)).mappings().first()
    return _slot(row, now) if row else None


def confirm_hold(chat_id):
    """Confirm the chat's unexpired hold; returns the confirmed slot, or None when it holds nothing held."""
    now = utcnow()
    with transaction() as conn:
        done = conn.execute(update(bookings).where(
            bookings.c.chat_id == chat_id, _live, bookings.c.held_until > now,
        ).values(held_until=None, confirmed_at=now, updated_at=now)).rowcount
        if done != 1:
            return None
        row = conn.execute(select(bookings).where(bookings.c.chat_id == chat_id, _live)).mappings().first()
    return _slot(row, now)


def claim_call(slot_id, admin_id, force=False):
    """An advisor takes a booked call (`force`: even from another advisor); returns the slot, or None
    when it is not booked or someone else has it."""
    now = utcnow()
    conditions = [bookings.c.id == slot_id, _live, _taken(now)]
    if not force:
        conditions.append(or_(bookings.c.claimed_by.is_(None), bookings.c.claimed_by == admin_id))
    with transaction() as conn:
        if conn.execute(update(bookings).where(*conditions).values(claimed_by=admin_id, updated_at=now)).rowcount != 1:
            return None
        row = conn.execute(select(bookings).where(bookings.c.id == slot_id)).mappings().first()
    return _slot(row, now)


def assign_unclaimed(chat_id, admin_id):
    """The advisor who takes over a chat gets its call, unless someone claimed it already; True if assigned."""
    now = utcnow()
    with transaction() as conn:
        return conn.execute(update(bookings).where(
            bookings.c.chat_id == chat_id, _live, _taken(now), bookings.c.claimed_by.is_(None),
        ).values(claimed_by=admin_id, updated_at=now)).rowcount == 1


def set_outcome(slot_id, outcome):
    """Record how a confirmed call went (one of OUTCOMES); returns the slot, or None when it is not a confirmed call."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    now = utcnow()
    with transaction() as conn:
        done = conn.execute(update(bookings).where(
            bookings.c.id == slot_id, _live, bookings.c.chat_id.isnot(None), bookings.c.held_until.is_(None),
        ).values(outcome=outcome, outcome_at=now, updated_at=now)).rowcount
        if done != 1:
            return None
        row = conn.execute(select(bookings).where(bookings.c.id == slot_id)).mappings().first()
    return _slot(row, now)


def get_slot(slot_id):
    """The live slot (an expired hold reads as free), or None."""
    with transaction() as conn:
        row = conn.execute(select(bookings).where(bookings.c.id == slot_id, _live)).mappings().first()
    return _slot(row) if row else None


def set_note(slot_id, note):
    """Attach the hand-off brief to a booked slot."""
    with transaction() as conn:
        conn.execute(update(bookings).where(bookings.c.id == slot_id).values(note=note))


def claim_slot(slot_id, chat_id, note=None, hold_until=None, client_address=None):
    """Give a free slot to chat_id, releasing the chat's previous slot, atomically.

    With `hold_until` (naive UTC) the slot is only held until then; otherwise it is confirmed.
    Returns (slot, previous_slot_or_None). Raises SlotTaken if the slot is not free;
    then the chat keeps its previous booking.
    """
    now = utcnow()
    try:
        with transaction() as conn:
            # Any row naming the chat, an expired hold included: the chat's unique key must be cleared.
            previous = conn.execute(
                select(bookings).where(bookings.c.chat_id == chat_id, _live)
            ).mappings().first()
            previous_live = previous is not None and (previous["held_until"] is None or previous["held_until"] > now)
            if previous_live and previous["id"] == slot_id:
                return _slot(previous, now), None
            if previous:
                conn.execute(update(bookings).where(bookings.c.id == previous["id"], bookings.c.chat_id == chat_id)
                             .values(updated_at=now, **_FREE))
            # The conditional update is the lock: only one chat can turn a free slot into its own.
            claimed = conn.execute(
                update(bookings)
                .where(bookings.c.id == slot_id, _free(now), _live)
                .values(chat_id=chat_id, booked_at=now, note=note, updated_at=now, held_until=hold_until,
                        confirmed_at=None if hold_until else now, client_address=client_address,
                        claimed_by=None, outcome=None, outcome_at=None)
            )
            if claimed.rowcount != 1:
                raise SlotTaken(slot_id)
            row = conn.execute(select(bookings).where(bookings.c.id == slot_id)).mappings().first()
    except IntegrityError as exc:
        raise SlotTaken(slot_id) from exc
    return _slot(row, now), (_slot(previous, now) if previous_live else None)


def chat_of_slot(slot_id):
    """The chat holding this live slot, or None when it is free (or unknown)."""
    with transaction() as conn:
        return conn.execute(select(bookings.c.chat_id).where(bookings.c.id == slot_id, _live, _taken(utcnow()))
                            ).scalar()


def release_chat_booking(chat_id):
    """Free the slot this chat holds; returns the slot as it was, or None if it held none."""
    slot = booking_for_chat(chat_id)
    return release_slot(slot["id"], chat_id) if slot else None


def release_slot(slot_id, chat_id):
    """Free the slot if chat_id holds it; returns the slot as it was, or None if that chat did not hold it."""
    now = utcnow()
    with transaction() as conn:
        row = conn.execute(select(bookings).where(bookings.c.id == slot_id, bookings.c.chat_id == chat_id, _live,
                                                  _taken(now))).mappings().first()
        if row is None:
            return None
        result = conn.execute(
            update(bookings).where(bookings.c.id == slot_id, bookings.c.chat_id == chat_id)
            .values(updated_at=now, cancelled_count=bookings.c.cancelled_count + 1, **_FREE)
        )
        if result.rowcount != 1:
            return None
    return _slot(row, now)
