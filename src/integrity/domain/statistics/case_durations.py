"""How long cases took, in working days: from receipt to disposal, and from filing to decision."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import Case, CaseTransition
from integrity.domain.cases import workflow
from integrity.domain.cases.clocks import display_calendar
from integrity.domain.statistics.case_figures import CASES, approved_disposal, approved_filing
from integrity.domain.statistics.figures import Reach, within
from integrity.domain.statistics.periods import Period
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import N_
from integrity.lib.localtime import local_day, period_bounds
from integrity.lib.workdays import WorkCalendar

MEASURES = {
    "receipt_to_disposal": N_("From receipt to disposal"),
    "filing_to_decision": N_("From filing to decision"),
}


@dataclass(frozen=True)
class Spread:
    """Working days taken: how many cases, the median and the 90th percentile (nearest rank)."""

    cases: int
    median: float | None
    p90: int | None

    @classmethod
    def of(cls, days: list[int]) -> Spread:
        if not days:
            return cls(0, None, None)
        ordered = sorted(days)
        return cls(len(ordered), statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1])


# The step that ends a measure and the filing before it. Made once: an alias works out each column it
# is asked for the first time (about 0.4 ms each), and a page asks for a dozen.
ENDED = aliased(CaseTransition, name="ended")
FILED = aliased(CaseTransition, name="filed")


def measured(periods: Sequence[Period], measure: str, cases: Sequence[int] | None = None) -> Any:
    """(start, end moment, case id or None, unit, confidential, case) per measured step in the periods,
    before any visibility or reach (`where` is added by the caller); `cases`: of those cases only."""
    ended = ENDED
    bounds = [period_bounds(p.start, p.end) for p in periods]
    in_periods: tuple[Any, ...] = (
        or_(*(and_(col(ended.at) >= first, col(ended.at) <= last) for first, last in bounds)),
        col(ended.case_id) == col(Case.id),
    )
    if cases is not None:  # read from those cases' steps, not from every step of the periods
        in_periods = (*in_periods, col(ended.case_id).in_(cases))
    dims = (col(Case.unit_id), col(Case.confidential), col(Case.id))
    if measure == "receipt_to_disposal":
        # Every approved disposal: `days_in` keeps a case's first in each period.
        return select(col(Case.received_on), col(ended.at), col(Case.id), *dims).where(
            *in_periods, approved_disposal(ended)
        )
    filed = FILED
    filing = (
        select(func.max(filed.at))
        .where(col(filed.case_id) == col(Case.id), approved_filing(filed), col(filed.at) <= col(ended.at))
        .scalar_subquery()
    )
    # Each decision step in the period, from the filing before it (a case reopened and decided again
    # counts once per decision).
    return select(filing, col(ended.at), literal(None), *dims).where(
        *in_periods, col(ended.to_status) == workflow.DECIDED
    )


Measured = tuple[int, int, bool, int]  # working days, unit, confidential, case


async def days_in(
    session: AsyncSession,
    calendar: WorkCalendar,
    periods: Sequence[Period],
    measure: str,
    *where: Any,
    cases: Sequence[int] | None = None,
) -> list[list[Measured]]:
    """The working days each measured step took, per period: one query for all of them, one walk."""
    if not periods:
        return []
    first: dict[tuple[Any, int], tuple[date, date, int, bool, int]] = {}  # (case or step, period) -> span
    rows = await session.execute(measured(periods, measure, cases).where(*where))
    for n, (start, end, case_id, unit_id, confidential, case) in enumerate(rows.all()):
        if start is None:  # decided without a recorded filing (imported history): not measurable
            continue
        finished = local_day(end)
        begun = local_day(start) if isinstance(start, datetime) else start  # a filing moment, or received_on
        for index, p in enumerate(periods):
            key = (case_id if case_id is not None else -n, index)  # a case once per period, for disposals
            if p.start <= finished <= p.end and (key not in first or finished < first[key][1]):
                first[key] = (begun, finished, unit_id, bool(confidential), case)
    spans = [(a, b) for a, b, _, _, _ in first.values()]
    out: list[list[Measured]] = [[] for _ in periods]
    for ((_, index), (_, _, unit_id, confidential, case)), n in zip(
        first.items(), calendar.working_days_spans(spans), strict=True
    ):
        out[index].append((n, unit_id, confidential, case))
    return out


async def spreads(
    session: AsyncSession, access: AccessScope, reach: Reach, periods: Sequence[Period], measure: str
) -> list[Spread]:
    """The measure's spread in each period, from the cases themselves."""
    calendar = await display_calendar(session)
    visible = within(select(col(Case.id)), access, CASES, reach).whereclause
    measured_days = await days_in(session, calendar, periods, measure, visible)
    return [Spread.of([d[0] for d in days]) for days in measured_days]


@dataclass(frozen=True)
class Durations:
    measure: str
    title: str
    now: Spread
    before: Spread
    year_before: Spread


async def compared(
    session: AsyncSession, access: AccessScope, reach: Reach, period: Period
) -> list[Durations]:
    periods = period.compared()
    out = []
    for measure, title in MEASURES.items():
        now, before, earlier = await spreads(session, access, reach, periods, measure)
        out.append(Durations(measure, title, now, before, earlier))
    return out
