"""Business hours ("Mon-Fri 09:00-17:00; Sat 10:00-13:00", or "always") in the university's time zone."""
import re
from datetime import time

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SEGMENT = re.compile(r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


class BusinessHours:
    def __init__(self, spec):
        self.spec = spec
        self.always = spec.strip().lower() in ("", "always", "24/7")
        self.windows = [] if self.always else [self._parse(part) for part in spec.split(";") if part.strip()]

    @staticmethod
    def _parse(part):
        match = _SEGMENT.match(part.lower())
        if not match or match[1] not in DAYS or (match[2] and match[2] not in DAYS):
            raise ValueError(f"BUSINESS_HOURS: cannot read {part!r} (like 'Mon-Fri 09:00-17:00')")
        first = DAYS.index(match[1])
        last = DAYS.index(match[2]) if match[2] else first
        return set(range(first, last + 1)), time.fromisoformat(match[3].zfill(5)), time.fromisoformat(match[4].zfill(5))

    def is_open(self, moment):
        """Whether `moment` (a local datetime) falls inside the hours."""
        if self.always:
            return True
        return any(moment.weekday() in days and start <= moment.time() < end for days, start, end in self.windows)
