"""The education figures: attendance per unit (the coverage the education pages compute from their
tallies) for the period and the two it is compared with, the unit's yearly plan progress, and the events
held (the records of the education ledger, 廉政教育台账)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import EducationEvent, Unit
from integrity.domain.education import coverage, plans
from integrity.domain.education.coverage import Tally, UnitCoverage
from integrity.domain.education.workflow import CANCELLED, DRAFT
from integrity.domain.statistics.figures import Figure, Reach, Records, pairs
from integrity.domain.statistics.periods import Period
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import N_, gettext, local_name
from integrity.lib.localtime import period_bounds


def _events_visible(access: AccessScope) -> Any:
    """Events of units whose education the reader may read (their organising unit's)."""
    return exists().where(
        col(Unit.id) == col(EducationEvent.unit_id), access.unit_filter("education", "read", Unit.path)
    )


EVENTS = Records("event", col(EducationEvent.unit_id), _events_visible, from_cases=False)


def held(period: Period) -> Any:
    """Events held in the period: starting in it, neither drafts nor cancelled (what coverage counts)."""
    first, last = period_bounds(period.start, period.end)
    return (
        col(EducationEvent.starts_at) >= first,
        col(EducationEvent.starts_at) <= last,
        col(EducationEvent.status).not_in((DRAFT, CANCELLED)),
    )


def _by_type(period: Period) -> Select[Any]:
    return pairs(col(EducationEvent.id), col(EducationEvent.type_code)).where(*held(period))


EVENTS_BY_TYPE = Figure("events_by_type", N_("Events held, by type"), "education_type", EVENTS, _by_type)


@dataclass(frozen=True)
class EducationLine:
    """One unit's attendance (with the units below it) in the period, before it, and a year earlier."""

    unit: Any
    depth: int
    now: Tally
    before: Tally
    year_before: Tally


@dataclass(frozen=True)
class EducationFigures:
    lines: list[EducationLine]
    year: int
    progress: list[plans.QuotaProgress]


def _by_unit(rows: list[UnitCoverage], descendants: bool) -> dict[int, UnitCoverage]:
    shown = rows if descendants else rows[:1]
    return {int(r.unit.id or 0): r for r in shown}


async def compared(
    session: AsyncSession, access: AccessScope, reach: Reach, period: Period
) -> EducationFigures:
    """404 for a unit whose education the reader may not read (coverage checks it)."""
    unit_id = int(reach.unit.id or 0)
    periods = period.compared()
    found = [
        _by_unit(await coverage.by_unit(session, access, unit_id, p.start, p.end), reach.descendants)
        for p in periods
    ]
    now, before, earlier = found

    def pick(r: UnitCoverage) -> Tally:
        return r.total if reach.descendants else r.own

    lines = [
        EducationLine(r.unit, r.depth, pick(r), pick(before[i]), pick(earlier[i]))
        for i, r in now.items()
        if i in before and i in earlier
    ]
    year = period.end.year
    _plan, quotas = await plans.plan_of(session, unit_id, year)
    return EducationFigures(lines, year, await plans.progress(session, reach.unit, year, quotas))


RATE_SERIES = (N_("This period"), N_("Period before"), N_("Same period last year"))


def chart(figures: EducationFigures, link: Any) -> dict[str, Any]:
    """Attendance rate per unit (percent), for static/statistics.js; a bar opens the unit's people."""

    def rate(t: Tally) -> float:
        return round(t.rate * 100, 1) if t.rate is not None else 0

    tallies = ("now", "before", "year_before")
    return {
        "labels": [local_name(line.unit.name, line.unit.name_en) for line in figures.lines],
        "series": [
            {"name": gettext(title), "data": [rate(getattr(line, which)) for line in figures.lines]}
            for title, which in zip(RATE_SERIES, tallies, strict=True)
        ],
        "links": [link(line.unit.id) for line in figures.lines],
        "unit": "%",
    }
