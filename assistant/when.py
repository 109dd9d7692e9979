"""Dates, times and parts of the day in students' words, English and Spanish
("9am on the 10th", "next Tuesday at 2pm", "mañana a las 10", "el jueves por la tarde")."""
import re
import unicodedata
from datetime import date, time, timedelta
from functools import lru_cache

from babel.dates import format_date

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_WORDS = {**{name: i for i, name in enumerate(WEEKDAYS)},
                  "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
                  "sat": 5, "sun": 6,
                  "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6}
_MONTH_WORDS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                "oct": 10, "nov": 11, "dec": 12,
                "ene": 1, "abr": 4, "ago": 8, "dic": 12, "enero": 1, "febrero": 2, "marzo": 3, "abril": 4,
                "mayo": 5, "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9,
                "octubre": 10, "noviembre": 11, "diciembre": 12}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ene|abr|ago|dic)[a-z]*"
_WEEKDAY = r"(" + "|".join(sorted(_WEEKDAY_WORDS, key=len, reverse=True)) + r")"

# Office hours run by day, so the parts of the day are wide: a part matches slots from start to end.
PARTS = {"morning": (time(0), time(12)), "afternoon": (time(12), time(17)), "evening": (time(17), time(23, 59))}
_PART_WORDS = {"morning": "morning", "afternoon": "afternoon", "evening": "evening", "tonight": "evening",
               "manana": "morning", "tarde": "afternoon", "noche": "evening"}
# "mañana" alone is tomorrow; after "la" it is the morning.
_PART = re.compile(r"\b(?:(morning|afternoon|evening|tonight)|(?:por|en|de|a) la (manana|tarde|noche)|"
                   r"(?:esta|this) (manana|tarde|noche))\b")

_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])")
_H24 = re.compile(r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_HALF = re.compile(r"\b(?:a las?|at|las?)\s+(\d{1,2})\s+y\s+(media|cuarto)\b")
# "at 4", "a las 4", "a la 1", "4 de la tarde", "4 in the afternoon"
_AT_HOUR = re.compile(r"\b(?:at|a las?|las|around|sobre las)\s+(\d{1,2})\b(?!\s*(?:(?:st|nd|rd|th)\b|/|-|\d|de (?!la)))")
_HOUR_PART = re.compile(r"\b(\d{1,2})(?:[:h](\d{2}))?\s*(?:o'?clock\s*)?(?:in the (morning|afternoon|evening)|"
                        r"(?:de|por|en) la (manana|tarde|noche)|at night)\b")
_ORDINAL = re.compile(r"\b(?:the\s+)?(\d{1,2})(st|nd|rd|th)\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+|de\s+)?" + _MONTH + r"\b")
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY_NUMBER = re.compile(r"\b" + _WEEKDAY + r"(?:\s+the)?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?::|h\d|am|pm|a\.m|p\.m))")
_DAY_NUMBER = re.compile(r"\bel (?:dia )?(\d{1,2})\b(?!\s*(?::|h\d|de la|y media))")


_ACCENTS = str.maketrans("áàâäéèêëíìîïóòôöúùûüñç", "aaaaeeeeiiiioooouuuunc")


@lru_cache(maxsize=4096)
def fold(text):
    """Lower case without accents, so "miércoles" and "miercoles" read the same (same length as the text
    for Latin letters, so positions in one are positions in the other)."""
    lowered = text.lower().translate(_ACCENTS)
    if lowered.isascii():
        return lowered
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


def _pm(hour, part):
    if part in ("afternoon", "evening", "tarde", "noche", "night") and hour < 12:
        return hour + 12
    if part in ("morning", "manana") and hour == 12:
        return 0
    return hour


def parse_time(text):
    """A clock time in the text, or None. Bare hours 1-7 are read as afternoon (office hours)."""
    text = fold(text)
    if re.search(r"\b(noon|midday|mediodia)\b", text):
        return time(12, 0)
    if match := _CLOCK.search(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        if match[3].startswith("p") and hour != 12:
            hour += 12
        if match[3].startswith("a") and hour == 12:
            hour = 0
        return time(hour, minute)
    if match := _HOUR_PART.search(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        part = match[3] or match[4] or "night"
        if 1 <= hour <= 12 and minute <= 59:
            return time(_pm(hour, part), minute)
    if match := _H24.search(text):
        return time(int(match[1]), int(match[2]))
    if match := _HALF.search(text):
        hour = int(match[1])
        if 1 <= hour <= 23:
            return time(hour + 12 if hour < 8 else hour, 30 if match[2] == "media" else 15)
    if (match := _AT_HOUR.search(text)) and 1 <= int(match[1]) <= 23:
        hour = int(match[1])
        return time(hour + 12 if hour < 8 else hour, 0)
    return None


def parse_part_of_day(text):
    """'morning', 'afternoon' or 'evening' when the text names a part of the day, else None."""
    match = _PART.search(fold(text))
    if not match:
        return None
    return _PART_WORDS[next(g for g in match.groups() if g)]


def parse_date(text, today):
    """A calendar date in the text, resolved to the next such day from `today`, or None."""
    text = fold(text)
    if match := _ISO.search(text):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if re.search(r"\b(day after tomorrow|pasado manana)\b", text):
        return today + timedelta(days=2)
    if re.search(r"\b(tomorrow|tmrw|tmr)\b", text) or re.search(r"(?<!\bla )\bmanana\b", text):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening)|hoy|esta (manana|tarde|noche))\b", text):
        return today
    if match := _WEEKDAY_NUMBER.search(text):
        found = _weekday_number(today, _WEEKDAY_WORDS[match[1]], int(match[2]))
        if found:
            return found
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        if match := pattern.search(text):
            return _next_date(today, int(match[day_group]), _month_number(match[month_group]))
    if match := re.search(r"\b(next|this|on|coming|el|este|proximo)?\s*" + _WEEKDAY + r"(\s+que viene|\s+proximo)?\b",
                          text):
        weekday = _WEEKDAY_WORDS[match[2]]
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and (match[1] in ("next", "coming", "proximo") or match[3]):
            ahead = 7
        return today + timedelta(days=ahead)
    if match := _ORDINAL.search(text) or _DAY_NUMBER.search(text):
        return _next_date(today, int(match[1]), None)
    return None


def _month_number(word):
    return _MONTH_WORDS.get(word) or _MONTH_WORDS[word[:3]]


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


def _weekday_number(today, weekday, day):
    """'Monday 3' / 'el lunes 3': that day of this or next month if it falls on that weekday, else None."""
    for offset in range(0, 2):
        candidate = _next_date(today, day, (today.month - 1 + offset) % 12 + 1)
        if candidate and candidate.weekday() == weekday:
            return candidate
    return None


def day_label(slot_date, lang="en"):
    """'Tuesday 24 November' / 'martes 24 de noviembre'."""
    if lang == "es":
        return format_date(slot_date, "EEEE d 'de' MMMM", locale="es")
    return format_date(slot_date, "EEEE d MMMM", locale="en")


def slot_label(slot_date, slot_time, lang="en"):
    """'Tuesday 24 November at 09:00' / 'martes 24 de noviembre a las 09:00'."""
    at = "a las" if lang == "es" else "at"
    return f"{day_label(slot_date, lang)} {at} {slot_time.strftime('%H:%M')}"
