"""Working days on the Chinese calendar: statutory holidays and make-up workdays (调休).

The `chinese-calendar` package knows the State Council's schedule for the years it was released
for; an administrator's calendar overrides win over it, and cover years it does not know yet.
Outside both, Monday to Friday count as working days and the calendar says so (`guessed`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=8192)
def _library_workday(day: date) -> bool | None:
    """The library's word on a day (None for a year it does not know yet), remembered: each of its
    answers checks the day against the range of its whole table (about 20 µs), and a list of 50 due
    dates asks it thousands of times."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass
class WorkCalendar:
    overrides: Mapping[date, bool] = field(default_factory=dict)
    guessed: set[int] = field(default_factory=set)  # years answered by the weekday fallback

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        answer = _library_workday(day)
        if answer is None:
            self.guessed.add(day.year)
            return day.weekday() < 5
        return answer

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (the start day itself does not count)."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=n)))

    def working_days_spans(self, spans: Sequence[tuple[date, date]]) -> list[int]:
        """`working_days_between` for many (start, end) pairs in one walk over the days they cover."""
        if not spans:
            return []
        first = min(min(a, b) for a, b in spans)
        last = max(max(a, b) for a, b in spans)
        index, total, day = {}, 0, first
        while day <= last:  # total = working days after `first` up to and including `day`
            if day != first and self.is_workday(day):
                total += 1
            index[day] = total
            day += timedelta(days=1)
        return [index[b] - index[a] for a, b in spans]

    def working_days_to(self, start: date, ends: Iterable[date]) -> dict[date, int]:
        """`working_days_between(start, end)` for many ends in one walk over the days they span."""
        wanted = sorted(set(ends))
        return dict(zip(wanted, self.working_days_spans([(start, end) for end in wanted]), strict=True))


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (Jan 31 + 1 → Feb 28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
