"""The .ics calendar invite of a booked call (RFC 5546: METHOD:REQUEST, and METHOD:CANCEL)."""
from datetime import datetime, timezone
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText

from havana.runtime import runtime


def booking_uid(chat_id):
    """One UID per chat's call: moves and cancellations update the same calendar entry."""
    host = parseaddr(runtime.config.MAIL_FROM)[1].rpartition("@")[2] or "havana.chat"
    return f"call-{chat_id}@{host}"


def build(*, uid, sequence, cancel, start, end, summary, description, location, attendee_email, attendee_name):
    """The invite as text; start and end are aware datetimes."""
    name, address = parseaddr(runtime.config.MAIL_FROM)
    cal = Calendar()
    cal.add("prodid", "-//Havana Chat//Advisor calls//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(timezone.utc))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or address)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["cn"] = vText(attendee_name or attendee_email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()  # the VTIMEZONE that DTSTART's TZID names, so every client reads it alike
    return cal.to_ical().decode()
