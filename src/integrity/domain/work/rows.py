"""One line of a to-do list, whatever its kind, and how lines are ordered and counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from integrity.lib.workdays import WorkCalendar

# A list shows this many lines; the count stops at COUNT_CAP (shown as "99+"), so neither grows with
# the size of the organisation.
SHOWN = 30
COUNT_CAP = 100


@dataclass(frozen=True)
class WorkRow:
    """What waits, about which case or unit, by when, and where it is done."""

    kind: str  # the source: approval, case_clock, returned, item, decision, appeal
    what: str  # what to do, in the reader's language
    title: str
    place: str  # the unit (and case number) it concerns
    href: str
    due_on: date | None
    reason: str = ""  # why a reviewer returned it


def by_urgency(row: WorkRow) -> tuple[bool, date, str]:
    """Due date first (so overdue work leads), undated work last."""
    return (row.due_on is None, row.due_on or date.max, row.href)


@dataclass(frozen=True)
class Urgency:
    """Working days left (negative: overdue by that many), as the page words it."""

    days: int

    @property
    def overdue(self) -> bool:
        return self.days < 0


def urgencies(rows: list[WorkRow], today: date, cal: WorkCalendar) -> list[Urgency | None]:
    """Each row's working days left (None without a due date), counted in one walk over the calendar."""
    left = cal.working_days_to(today, (r.due_on for r in rows if r.due_on is not None))
    return [Urgency(left[r.due_on]) if r.due_on is not None else None for r in rows]


def shown_count(counts: list[int]) -> str:
    """Exact below the cap, else "99+": a capped count costs what the rows shown cost."""
    total = sum(min(c, COUNT_CAP) for c in counts)
    return str(total) if total < COUNT_CAP else f"{COUNT_CAP - 1}+"
