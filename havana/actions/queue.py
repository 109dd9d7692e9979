"""The advisors' queue: who is available, where each waiting student stands, and telling them."""
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import db
from db import admins as admin_db, chats as chat_db
from havana import broadcast
from havana.runtime import runtime


def advisor_availability():
    """Who is available, and whether it is business hours (TIMEZONE)."""
    config = runtime.config
    names = admin_db.available_usernames()
    open_now = config.business_hours.is_open(datetime.now(ZoneInfo(config.TIMEZONE)))
    return {"advisors": names, "open_now": open_now, "available_now": bool(names) and open_now,
            "hours": config.BUSINESS_HOURS}


def queue_status(chat_id, waiting=None, availability=None):
    """Where a waiting chat stands: position, an estimate of the wait, or that nobody is there."""
    waiting = waiting if waiting is not None else chat_db.waiting_queue()
    availability = availability or advisor_availability()
    position = waiting.index(chat_id) + 1 if chat_id in waiting else None
    advisors = max(1, len(availability["advisors"]))
    minutes = math.ceil(position * runtime.config.AVG_HANDLE_MINUTES / advisors) if position else None
    return {"chat_id": chat_id, "position": position, "estimated_minutes": minutes,
            "available_now": availability["available_now"], "open_now": availability["open_now"]}


def queue_changed(left=None):
    """Every waiting student learns their new place; `left` learns it is out of the queue.

    Read inside the caller's transaction (so it sees the change), sent after its commit.
    """
    waiting = chat_db.waiting_queue()
    availability = advisor_availability()
    for chat_id in filter(None, [left, *waiting]):
        broadcast.queue_status(queue_status(chat_id, waiting, availability))


def set_availability(admin, available):
    """An advisor is available for chats, or away: the desk and the waiting students are told."""
    with db.transaction():
        admin_db.set_available(admin.id, available)
        state = advisor_availability()
        broadcast.availability_changed(state, admin, available)
        queue_changed()
    return state
