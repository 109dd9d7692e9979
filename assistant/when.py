"""Dates and times in students' words ("9am on the 10th", "next Tuesday at 2pm")."""
import re
from datetime import date, time, timedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_ALIASES = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
                    "fri": 4, "sat": 5, "sun": 6}
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"

_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])")
_H24 = re.compile(r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_AT_HOUR = re.compile(r"\bat\s+(\d{1,2})\b(?!\s*(?:st|nd|rd|th|/|-|\d))")
_ORDINAL = re.compile(r"\b(?:the\s+)?(\d{1,2})(st|nd|rd|th)\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b")
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def parse_time(text):
    """A clock time in the text, or None. Bare hours 1-7 are read as afternoon (office hours)."""
    text = text.lower()
    if "noon" in text or "midday" in text:
        return time(12, 0)
    match = _CLOCK.search(text)
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        if match[3].startswith("p") and hour != 12:
            hour += 12
        if match[3].startswith("a") and hour == 12:
            hour = 0
        return time(hour, minute)
    match = _H24.search(text)
    if match:
        return time(int(match[1]), int(match[2]))
    match = _AT_HOUR.search(text)
    if match and 1 <= int(match[1]) <= 23:
        hour = int(match[1])
        return time(hour + 12 if hour < 8 else hour, 0)
    return None


def parse_date(text, today):
    """A calendar date in the text, resolved to the next such day from `today`, or None."""
    text = text.lower()
    if match := _ISO.search(text):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if "day after tomorrow" in text:
        return today + timedelta(days=2)
    if re.search(r"\btomorrow\b", text):
        return today + timedelta(days=1)
    if re.search(r"\btoday\b", text):
        return today
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        if match := pattern.search(text):
            month = _month_number(match[month_group])
            return _next_date(today, int(match[day_group]), month)
    if match := re.search(r"\b(next|this|on|coming)?\s*(" + "|".join(WEEKDAYS + list(_WEEKDAY_ALIASES)) + r")\b", text):
        word = match[2]
        weekday = WEEKDAYS.index(word) if word in WEEKDAYS else _WEEKDAY_ALIASES[word]
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and match[1] in ("next", "coming"):
            ahead = 7
        return today + timedelta(days=ahead)
    if match := _ORDINAL.search(text):
        return _next_date(today, int(match[1]), None)
    return None


def _month_number(word):
    return next(i + 1 for i, name in enumerate(MONTHS) if name.startswith(word[:3]))


def _next_date(today, day, month):
    """The first date on or after today with this day (and month, if given)."""
    for offset in range(0, 13):
        year = today.year + (today.month - 1 + offset) // 12
        m = (today.month - 1 + offset) % 12 + 1
        if month and m != month:
            continue
        try:
            candidate = date(year, m, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def slot_label(slot_date, slot_time):
    """'Tuesday 24 November at 09:00'."""
    return f"{WEEKDAYS[slot_date.weekday()].title()} {slot_date.day} {MONTHS[slot_date.month - 1].title()} " \
           f"at {slot_time.strftime('%H:%M')}"
