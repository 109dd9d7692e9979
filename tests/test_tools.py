"""The agent's tools against an in-memory Actions: booking by range, alternatives, the student's own booking."""
import json
from datetime import date, time, timedelta

import pytest
from pydantic import ValidationError

from assistant.tools import SlotTaken, build_tools

MONDAY = date(2026, 11, 23)


class Actions:
    """Hourly slots 09:00-16:00 on the five weekdays from MONDAY; one booking per chat."""

    def __init__(self, taken=()):
        days = [MONDAY + timedelta(days=i) for i in range(5)]
        self.slots = [{"id": i, "date": d, "time": time(h)}
                      for i, (d, h) in enumerate(((d, h) for d in days for h in range(9, 17)), 1)]
        self.booked = {}  # chat_id -> slot id
        self.taken = set(taken)

    def escalate(self, chat_id, reason):
        return {"status": "waiting_human"}

    def free_slots(self):
        held = set(self.booked.values()) | self.taken
        return [s for s in self.slots if s["id"] not in held]

    def book(self, chat_id, slot_id):
        if slot_id in self.taken or slot_id in self.booked.values():
            raise SlotTaken(slot_id)
        self.booked[chat_id] = slot_id
        return self._slot(slot_id)

    def my_booking(self, chat_id):
        return self._slot(self.booked[chat_id]) if chat_id in self.booked else None

    def cancel_my_booking(self, chat_id):
        slot_id = self.booked.pop(chat_id, None)
        return self._slot(slot_id) if slot_id else None

    def today(self):
        return MONDAY

    def _slot(self, slot_id):
        return next(s for s in self.slots if s["id"] == slot_id)

    def slot_id(self, day, hour):
        return next(s["id"] for s in self.slots if s["date"] == day and s["time"] == time(hour))


def run(actions, name, **args):
    tools = {t.name: t for t in build_tools("chat-1", actions)}
    return json.loads(tools[name].invoke(args))


def test_there_are_six_tools_and_the_model_never_names_the_chat():
    tools = build_tools("chat-1", Actions())
    assert [t.name for t in tools] == ["human_escalation", "get_booking_slots", "book_time_slot", "get_my_booking",
                                       "cancel_my_booking", "save_contact_details"]
    for tool in tools:
        assert "chat_id" not in tool.args


def test_when_a_time_is_not_free_the_alternatives_are_that_days_first():
    thursday = MONDAY + timedelta(days=3)
    actions = Actions()
    actions.taken.add(actions.slot_id(thursday, 15))
    result = run(actions, "book_time_slot", date="Thursday", time="3pm")
    assert result["ok"] is False and result["code"] == "no_match"
    days = [a["date"] for a in result["alternatives"]]
    assert days == [thursday.isoformat()] * len(days)
    # The six nearest the time asked for (09:00 is farthest), shown in the day's order.
    assert [a["time"] for a in result["alternatives"]] == ["10:00", "11:00", "12:00", "13:00", "14:00", "16:00"]
    assert result["requested"] == {"date": thursday.isoformat(), "time": "15:00", "part_of_day": None}


def test_a_taken_slot_offers_that_days_other_slots():
    actions = Actions()
    friday_ten = actions.slot_id(MONDAY + timedelta(days=4), 10)

    def steal(chat_id, slot_id):
        raise SlotTaken(slot_id)
    actions.book = steal
    result = run(actions, "book_time_slot", slot_id=friday_ten)
    assert result["code"] == "taken"
    assert result["alternatives"][0]["date"] == (MONDAY + timedelta(days=4)).isoformat()


def test_a_part_of_the_day_is_a_range_not_noon():
    actions = Actions()
    result = run(actions, "book_time_slot", date="tomorrow", part_of_day="afternoon")
    assert result["code"] == "ambiguous"
    assert [c["time"] for c in result["candidates"]] == ["12:00", "13:00", "14:00", "15:00", "16:00"]
    result = run(actions, "book_time_slot", date="tomorrow", time="afternoon")
    assert [c["time"] for c in result["candidates"]][0] == "12:00" and len(result["candidates"]) == 5


def test_a_part_of_the_day_with_one_free_slot_books_it():
    actions = Actions()
    tuesday = MONDAY + timedelta(days=1)
    actions.taken |= {actions.slot_id(tuesday, h) for h in range(9, 12)}
    result = run(actions, "book_time_slot", date="martes", part_of_day="morning")
    assert result["code"] == "no_match"
    actions.taken.discard(actions.slot_id(tuesday, 11))
    result = run(actions, "book_time_slot", date="el martes", part_of_day="morning")
    assert result["ok"] is True and result["booking"]["time"] == "11:00"


def test_any_time_in_a_range_books_the_earliest_free_slot():
    actions = Actions()
    actions.taken.add(actions.slot_id(MONDAY + timedelta(days=4), 9))
    result = run(actions, "book_time_slot", date="friday", part_of_day="morning", earliest=True)
    assert (result["booking"]["date"], result["booking"]["time"]) == ("2026-11-27", "10:00")


def test_slots_can_be_listed_for_one_day_or_part_of_it():
    result = run(Actions(), "get_booking_slots", date="Friday", part_of_day="morning")
    assert [(s["date"], s["time"]) for s in result["slots"]] == [("2026-11-27", f"{h:02d}:00") for h in (9, 10, 11)]
    empty = run(Actions(), "get_booking_slots", date="Saturday")
    assert empty["slots"] == [] and empty["alternatives"]
    assert run(Actions(), "get_booking_slots", date="someday")["ok"] is False


def test_the_student_reads_and_cancels_their_own_booking():
    actions = Actions()
    assert run(actions, "get_my_booking") == {"ok": True, "booking": None}
    assert run(actions, "cancel_my_booking") == {"ok": True, "cancelled": None}
    run(actions, "book_time_slot", date="Wednesday", time="10:00")
    mine = run(actions, "get_my_booking")["booking"]
    assert (mine["date"], mine["time"]) == ("2026-11-25", "10:00")
    cancelled = run(actions, "cancel_my_booking")["cancelled"]
    assert cancelled["slot_id"] == mine["slot_id"] and actions.booked == {}


@pytest.mark.parametrize("args", [{"part_of_day": "night"}, {}, {"slot_id": 0}])
def test_booking_arguments_are_validated(args):
    with pytest.raises(ValidationError):
        run(Actions(), "book_time_slot", **args)
