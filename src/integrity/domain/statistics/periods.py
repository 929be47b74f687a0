"""Reporting periods (a month, a quarter, a year, or any span of days) and the two each is compared with."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from integrity.lib.errors import InvalidInput, one_of
from integrity.lib.i18n import N_

KINDS = ("month", "quarter", "year", "custom")


def _months_later(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _a_year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1, day=min(day.day, monthrange(day.year - 1, day.month)[1]))


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included, in the office's calendar."""

    kind: str
    start: date
    end: date

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The month, quarter or year that `day` falls in."""
        if kind == "month":
            first = day.replace(day=1)
            months = 1
        elif kind == "quarter":
            first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            months = 3
        elif kind == "year":
            first = date(day.year, 1, 1)
            months = 12
        else:
            raise one_of("period", KINDS[:3])
        return cls(kind, first, _months_later(first, months) - timedelta(days=1))

    @classmethod
    def asked(cls, kind: str, start: date | None, end: date | None, today: date) -> Period:
        """The period a page's filters ask for: a named one containing `start` (or today), or a span."""
        if kind not in KINDS:
            raise one_of("period", KINDS)
        if kind != "custom":
            return cls.containing(kind, start or today)
        if start is None or end is None:
            raise InvalidInput(N_("A period of your own needs a first and a last day."))
        if end < start:
            raise InvalidInput(N_("The period ends before it starts."))
        return cls(kind, start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before: the month, quarter or year before; a span of as many days before."""
        if self.kind == "custom":
            return Period(self.kind, self.start - timedelta(days=self.days), self.start - timedelta(days=1))
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return Period.containing(self.kind, _months_later(self.start, -months))

    def compared(self) -> tuple[Period, Period, Period]:
        """This period, the one before, and the same period a year earlier: what a page compares."""
        return self, self.previous(), self.a_year_earlier()

    def a_year_earlier(self) -> Period:
        """The same period of the year before (the 29th of February becomes the 28th)."""
        if self.kind != "custom":
            return Period.containing(self.kind, _a_year_earlier(self.start))
        return Period(self.kind, _a_year_earlier(self.start), _a_year_earlier(self.end))
