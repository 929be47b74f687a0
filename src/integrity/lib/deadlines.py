"""Where a due date stands on a day, in working days of the office calendar: soon, today, overdue, or
overdue long enough to escalate; as plain dates, and as the SQL that the reminder scans compare with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, literal

from integrity.lib.workdays import WorkCalendar


@dataclass(frozen=True)
class Thresholds:
    """The dates a due date is compared with on one day."""

    today: date
    horizon: date  # due on or before: a reminder is due (soon)
    escalate_from: date  # due on or before: overdue long enough to escalate

    @classmethod
    def on(cls, today: date, calendar: WorkCalendar, days_before: int, escalate_after: int) -> Thresholds:
        return cls(
            today,
            calendar.add_working_days(today, days_before),
            working_days_back(calendar, today, escalate_after),
        )


def working_days_back(calendar: WorkCalendar, end: date, days: int) -> date:
    """The latest date with `days` working days after it up to and including `end`."""
    day, counted = end, 0
    while counted < days:
        if calendar.is_workday(day):
            counted += 1
        day -= timedelta(days=1)
    return day


def threshold_level(due: Any, t: Thresholds) -> Any:
    return case(
        (due <= t.escalate_from, literal("escalated")),
        (due < t.today, literal("overdue")),
        (due == t.today, literal("today")),
        else_=literal("soon"),
    )
