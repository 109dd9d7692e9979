"""The advisor-call slots every evaluation run starts with, so relative dates resolve the same way."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.when import slot_label

TIMEZONE = "America/Havana"
SLOT_TIMES = [f"{hour:02d}:00" for hour in range(9, 17)]  # 09:00-16:00 hourly
SLOT_DAYS = 14


def local_now():
    """Naive local time in the university's time zone (how slots are stored)."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(tzinfo=None)


def planned_slots(today=None):
    """(date, time) of every slot: weekdays only, for the next SLOT_DAYS days from today."""
    today = today or local_now().date()
    days = [today + timedelta(days=d) for d in range(SLOT_DAYS)]
    return [(day, time.fromisoformat(t)) for day in days if day.weekday() < 5 for t in SLOT_TIMES]


def seed_database():
    """Seed the slots into this process's database engine (db.init_engine first)."""
    from db.bookings import seed_slots
    for day, slot_time in planned_slots():
        seed_slots(day, 1, [slot_time.strftime("%H:%M")])


def context_texts(today=None):
    """Texts whose numbers a reply may repeat without inventing them: the slots' labels and dates."""
    today = today or local_now().date()
    texts = [f"{slot_label(day, t)} {day.isoformat()} {t.strftime('%H:%M')} {t.hour % 12 or 12}"
             for day, t in planned_slots(today)]
    texts.append(f"{today.isoformat()} {today.day} {today.year}")
    return texts
