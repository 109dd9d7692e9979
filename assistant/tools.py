"""The agent's tools, bound to one chat. The model never names a chat.

Results are JSON in English (the advisors' language); failures carry a `code` so the offline
assistant can explain them in the student's language.
"""
import json
from datetime import datetime
from typing import Literal, Optional, Protocol

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field, model_validator

from .when import PARTS, parse_date, parse_part_of_day, parse_time, slot_label

MAX_LISTED_SLOTS = 18
MAX_OPTIONS = 8
PartOfDay = Literal["morning", "afternoon", "evening"]


class SlotTaken(Exception):
    """Raised by Actions.book when the slot went to another chat."""


class BookingRefused(Exception):
    """Raised by Actions.book when the booking breaks a limit (`code`: address_limit, email_has_booking)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class ContactRefused(Exception):
    """Raised by Actions.save_contact for details that do not validate; `message` is in the chat's language."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class Actions(Protocol):
    """What the tools may do; the web layer implements it (commit, then emit)."""

    def escalate(self, chat_id: str, reason: str) -> dict: ...
    def free_slots(self) -> list: ...
    def book(self, chat_id: str, slot_id: int) -> dict: ...
    def my_booking(self, chat_id: str) -> Optional[dict]: ...
    def cancel_my_booking(self, chat_id: str) -> Optional[dict]: ...
    def save_contact(self, chat_id: str, name: str, email: str, phone: Optional[str],
                     method: Optional[str]) -> dict: ...
    def today(self): ...


class EscalationArgs(BaseModel):
    reason: str = Field(min_length=1, max_length=500,
                        description="Why a human advisor is needed, in a short sentence.")


class NoArgs(BaseModel):
    pass


class SlotQuery(BaseModel):
    date: Optional[str] = Field(None, max_length=60,
                                description="Only this day, e.g. 2026-11-24, 'tomorrow', 'Friday'. Omit for the next days.")
    part_of_day: Optional[PartOfDay] = Field(None, description="Only this part of the day.")


class BookingArgs(BaseModel):
    slot_id: Optional[int] = Field(None, ge=1, le=2**62, description="The slot_id from get_booking_slots.")
    date: Optional[str] = Field(None, max_length=60,
                                description="The day, e.g. 2026-11-24, 'tomorrow', 'next Tuesday', 'the 10th'.")
    time: Optional[str] = Field(None, max_length=30, description="The time, e.g. 14:00 or '2pm'.")
    part_of_day: Optional[PartOfDay] = Field(None, description="When the student gave a range instead of a time.")
    earliest: bool = Field(False, description="Book the earliest free slot that matches, when the student said "
                                               "any time is fine.")

    @model_validator(mode="after")
    def _something_to_book(self):
        if self.slot_id is None and not (self.date or self.time or self.part_of_day):
            raise ValueError("give slot_id, or a date and a time")
        return self


class ContactArgs(BaseModel):
    name: str = Field(min_length=1, max_length=120, description="The student's full name, as they wrote it.")
    email: str = Field(min_length=3, max_length=254, description="The student's e-mail address.")
    phone: Optional[str] = Field(None, max_length=40, description="Phone or WhatsApp number with its country "
                                                                  "code, e.g. +53 5 123 4567, if they gave one.")
    method: Optional[Literal["phone", "whatsapp", "video"]] = Field(
        None, description="How they want the advisor to call: phone, whatsapp or video.")


def slot_view(slot):
    return {"slot_id": slot["id"], "date": slot["date"].isoformat(),
            "time": slot["time"].strftime("%H:%M"), "label": slot_label(slot["date"], slot["time"])}


def _payload_view(booking):
    """A booking as havana.protocol.booking_payload shapes it, in the tools' terms."""
    return {"slot_id": booking["id"], "date": booking["date"], "time": booking["time"], "label": booking["label"]}


def build_tools(chat_id, actions: Actions):
    """The six tools for one chat. Each returns a JSON string the model reads."""

    def human_escalation(reason: str) -> str:
        chat = actions.escalate(chat_id, reason.strip())
        if chat.get("advisors_available", True):
            return json.dumps({"ok": True, "status": chat["status"], "advisors_available": True,
                               "note": "An admissions advisor has been notified and will join this chat."})
        return json.dumps({"ok": True, "status": chat["status"], "advisors_available": False,
                           "note": "No advisor can chat right now (outside office hours, or all away). The "
                                   "advisors will see the chat; offer the student an advisor call with "
                                   "get_booking_slots."})

    def get_booking_slots(date: Optional[str] = None, part_of_day: Optional[str] = None) -> str:
        free = actions.free_slots()
        day = parse_date(date, actions.today()) if date else None
        if date and day is None:
            return json.dumps({"ok": False, "code": "bad_date", "error": f"Could not read the date {date!r}."})
        chosen = [s for s in free if (day is None or s["date"] == day) and _in_part(s, part_of_day)]
        result = {"ok": True, "slots": [slot_view(s) for s in chosen[:MAX_LISTED_SLOTS]],
                  "more": max(0, len(chosen) - MAX_LISTED_SLOTS)}
        if day or part_of_day:
            result["requested"] = {"date": day.isoformat() if day else None, "part_of_day": part_of_day}
            if not chosen:
                result["alternatives"] = [slot_view(s) for s in _nearby(free, day, None)]
        return json.dumps(result)

    def book_time_slot(slot_id: Optional[int] = None, date: Optional[str] = None, time: Optional[str] = None,
                       part_of_day: Optional[str] = None, earliest: bool = False) -> str:
        free = actions.free_slots()
        if slot_id is not None:
            chosen = [s for s in free if s["id"] == slot_id]
        else:
            chosen = resolve_slots(free, date or "", time or "", actions.today(), part_of_day)
            chosen = chosen[:1] if earliest else chosen
        if len(chosen) != 1:
            return json.dumps(_not_booked(chosen, free, date, time, part_of_day, actions.today()))
        try:
            booked = actions.book(chat_id, chosen[0]["id"])
        except SlotTaken:
            return json.dumps({"ok": False, "code": "taken", "error": "That slot has just been taken by someone else.",
                               "alternatives": [slot_view(s) for s in
                                                _nearby(actions.free_slots(), chosen[0]["date"], chosen[0]["time"])]})
        except BookingRefused as exc:
            return json.dumps({"ok": False, "code": exc.code, "error": exc.message})
        if booked.get("held_until") is not None:
            return json.dumps({"ok": True, "booking": slot_view(booked), "held": True,
                               "note": "The slot is only held until the student gives their name and e-mail "
                                       "(the page shows a card for them). Ask for them, then call "
                                       "save_contact_details."})
        return json.dumps({"ok": True, "booking": slot_view(booked), "held": False})

    def save_contact_details(name: str, email: str, phone: Optional[str] = None,
                             method: Optional[str] = None) -> str:
        try:
            saved = actions.save_contact(chat_id, name, email, phone, method)
        except ContactRefused as exc:
            return json.dumps({"ok": False, "code": exc.code, "error": exc.message})
        booking = saved.get("booking")
        return json.dumps({"ok": True, "contact": saved["contact"],
                           "booking": {**_payload_view(booking), "confirmed": booking["confirmed"]}
                           if booking else None})

    def get_my_booking() -> str:
        booking = actions.my_booking(chat_id)
        return json.dumps({"ok": True, "booking": slot_view(booking) if booking else None})

    def cancel_my_booking() -> str:
        cancelled = actions.cancel_my_booking(chat_id)
        return json.dumps({"ok": True, "cancelled": slot_view(cancelled) if cancelled else None})

    return [
        StructuredTool.from_function(
            human_escalation, name="human_escalation", args_schema=EscalationArgs,
            description="Hand this chat to a human admissions advisor. Use when the student asks for "
                        "a person, or when the knowledge base does not answer the question."),
        StructuredTool.from_function(
            get_booking_slots, name="get_booking_slots", args_schema=SlotQuery,
            description="List the free advisor-call slots (slot_id, date, time), optionally of one day "
                        "or part of the day."),
        StructuredTool.from_function(
            book_time_slot, name="book_time_slot", args_schema=BookingArgs,
            description="Book an advisor call for this student: pass slot_id, or the date and time they "
                        "asked for. Booking again moves the student's existing booking."),
        StructuredTool.from_function(
            get_my_booking, name="get_my_booking", args_schema=NoArgs,
            description="The student's booked advisor call (date and time), or null if they have none."),
        StructuredTool.from_function(
            cancel_my_booking, name="cancel_my_booking", args_schema=NoArgs,
            description="Cancel the student's booked advisor call. Only when the student asks to cancel it."),
        StructuredTool.from_function(
            save_contact_details, name="save_contact_details", args_schema=ContactArgs,
            description="Save how to reach the student (name, e-mail, optional phone/WhatsApp number and how "
                        "they want to be called). A booked call is only confirmed once they are saved."),
    ]


def _in_part(slot, part_of_day):
    if not part_of_day:
        return True
    start, end = PARTS[part_of_day]
    return start <= slot["time"] < end


def resolve_slots(free, date_text, time_text, today, part_of_day=None):
    """The free slots matching a date, a time and/or a part of the day written in any common form."""
    text = f"{date_text} {time_text}"
    day = parse_date(date_text, today) or parse_date(text, today)
    hour = parse_time(time_text) or parse_time(text)
    part = part_of_day or (None if hour else parse_part_of_day(text))
    if day is None and hour is None and part is None:
        return []
    return sorted((s for s in free if (day is None or s["date"] == day) and (hour is None or s["time"] == hour)
                   and _in_part(s, part)), key=lambda s: (s["date"], s["time"]))


def _nearby(free, day, hour, limit=6):
    """Free slots to offer instead: the requested day's first (nearest the time asked for), then the soonest."""
    def distance(slot):
        if hour is None:
            return 0
        return abs((datetime.combine(slot["date"], slot["time"]) -
                    datetime.combine(slot["date"], hour)).total_seconds())
    same_day = sorted((s for s in free if s["date"] == day), key=lambda s: (distance(s), s["time"]))[:limit]
    same_day.sort(key=lambda s: s["time"])
    return same_day + [s for s in free if s["date"] != day][:limit - len(same_day)]


def _not_booked(matches, free, date, time, part_of_day, today):
    if len(matches) > 1:
        return {"ok": False, "code": "ambiguous", "error": "Several free slots match; ask the student which one.",
                "candidates": [slot_view(s) for s in matches[:MAX_OPTIONS]]}
    wanted = " ".join(x for x in (date, time, part_of_day) if x) or "that slot"
    text = f"{date or ''} {time or ''}"
    day, hour = parse_date(text, today), parse_time(text)
    return {"ok": False, "code": "no_match", "error": f"No free slot matches {wanted}.",
            "requested": {"date": day.isoformat() if day else None,
                          "time": hour.strftime("%H:%M") if hour else None, "part_of_day": part_of_day},
            "alternatives": [slot_view(s) for s in _nearby(free, day, hour)]}
