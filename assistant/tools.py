"""The agent's three tools, bound to one chat. The model never names a chat."""
import json
from typing import Optional, Protocol

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field, model_validator

from .when import parse_date, parse_time, slot_label

TOOL_NAMES = ("human_escalation", "get_booking_slots", "book_time_slot")
MAX_LISTED_SLOTS = 18


class SlotTaken(Exception):
    """Raised by Actions.book when the slot went to another chat."""


class Actions(Protocol):
    """What the tools may do; the web layer implements it (commit, then emit)."""

    def escalate(self, chat_id: str, reason: str) -> dict: ...
    def free_slots(self) -> list: ...
    def book(self, chat_id: str, slot_id: int) -> dict: ...
    def today(self): ...


class EscalationArgs(BaseModel):
    reason: str = Field(min_length=1, max_length=500,
                        description="Why a human advisor is needed, in a short sentence.")


class NoArgs(BaseModel):
    pass


class BookingArgs(BaseModel):
    slot_id: Optional[int] = Field(None, ge=1, le=2**62, description="The slot_id from get_booking_slots.")
    date: Optional[str] = Field(None, max_length=60,
                                description="The day, e.g. 2026-11-24, 'tomorrow', 'next Tuesday', 'the 10th'.")
    time: Optional[str] = Field(None, max_length=30, description="The time, e.g. 14:00 or '2pm'.")

    @model_validator(mode="after")
    def _something_to_book(self):
        if self.slot_id is None and not (self.date or self.time):
            raise ValueError("give slot_id, or a date and a time")
        return self


def slot_view(slot):
    return {"slot_id": slot["id"], "date": slot["date"].isoformat(),
            "time": slot["time"].strftime("%H:%M"), "label": slot_label(slot["date"], slot["time"])}


def build_tools(chat_id, actions: Actions):
    """The three tools for one chat. Each returns a JSON string the model reads."""

    def human_escalation(reason: str) -> str:
        chat = actions.escalate(chat_id, reason.strip())
        if chat.get("advisors_available", True):
            return json.dumps({"ok": True, "status": chat["status"], "advisors_available": True,
                               "note": "An admissions advisor has been notified and will join this chat."})
        return json.dumps({"ok": True, "status": chat["status"], "advisors_available": False,
                           "note": "No advisor can chat right now (outside office hours, or all away). The "
                                   "advisors will see the chat; offer the student an advisor call with "
                                   "get_booking_slots."})

    def get_booking_slots() -> str:
        slots = actions.free_slots()
        return json.dumps({"ok": True, "slots": [slot_view(s) for s in slots[:MAX_LISTED_SLOTS]],
                           "more": max(0, len(slots) - MAX_LISTED_SLOTS)})

    def book_time_slot(slot_id: Optional[int] = None, date: Optional[str] = None,
                       time: Optional[str] = None) -> str:
        free = actions.free_slots()
        if slot_id is not None:
            chosen = [s for s in free if s["id"] == slot_id]
        else:
            chosen = resolve_slots(free, date or "", time or "", actions.today())
        if len(chosen) != 1:
            return json.dumps(_not_booked(chosen, free, date, time))
        try:
            booked = actions.book(chat_id, chosen[0]["id"])
        except SlotTaken:
            return json.dumps({"ok": False, "error": "That slot has just been taken by someone else.",
                               "alternatives": [slot_view(s) for s in actions.free_slots()[:6]]})
        return json.dumps({"ok": True, "booking": slot_view(booked)})

    return [
        StructuredTool.from_function(
            human_escalation, name="human_escalation", args_schema=EscalationArgs,
            description="Hand this chat to a human admissions advisor. Use when the student asks for "
                        "a person, or when the knowledge base does not answer the question."),
        StructuredTool.from_function(
            get_booking_slots, name="get_booking_slots", args_schema=NoArgs,
            description="List the free advisor-call slots (slot_id, date, time)."),
        StructuredTool.from_function(
            book_time_slot, name="book_time_slot", args_schema=BookingArgs,
            description="Book an advisor call for this student: pass slot_id, or the date and time they "
                        "asked for. Booking again moves the student's existing booking."),
    ]


def resolve_slots(free, date_text, time_text, today):
    """The free slots matching a date and/or time written in any common form."""
    text = f"{date_text} {time_text}"
    day = parse_date(date_text, today) or parse_date(text, today)
    hour = parse_time(time_text) or parse_time(text)
    if day is None and hour is None:
        return []
    return [s for s in free if (day is None or s["date"] == day) and (hour is None or s["time"] == hour)]


def _not_booked(matches, free, date, time):
    if len(matches) > 1:
        return {"ok": False, "error": "Several free slots match; ask the student which one.",
                "candidates": [slot_view(s) for s in matches[:8]]}
    wanted = " ".join(x for x in (date, time) if x) or "that slot"
    return {"ok": False, "error": f"No free slot matches {wanted}.",
            "alternatives": [slot_view(s) for s in free[:6]]}
