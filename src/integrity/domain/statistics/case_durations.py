"""How long cases took, in working days: from receipt to disposal, and from filing to decision."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
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


async def _pairs(
    session: AsyncSession, access: AccessScope, reach: Reach, period: Period, measure: str
) -> list[Any]:
    """(start day, end moment) per case whose measured step falls in the period."""
    first, last = period_bounds(period.start, period.end)
    ended = aliased(CaseTransition)
    in_period = (col(ended.at) >= first, col(ended.at) <= last, col(ended.case_id) == col(Case.id))
    stmt: Any
    if measure == "receipt_to_disposal":
        stmt = (
            select(col(Case.received_on), func.min(ended.at))
            .where(*in_period, approved_disposal(ended))
            .group_by(col(Case.id), col(Case.received_on))
        )
    else:
        filed = aliased(CaseTransition)
        filing = (
            select(func.max(filed.at))
            .where(col(filed.case_id) == col(Case.id), approved_filing(filed), col(filed.at) <= col(ended.at))
            .scalar_subquery()
        )
        # Each decision step in the period, from the filing before it (a case reopened and decided again
        # counts once per decision).
        stmt = select(filing, col(ended.at)).where(*in_period, col(ended.to_status) == workflow.DECIDED)
    stmt = within(stmt, access, CASES, reach)
    return list((await session.execute(stmt)).all())


async def spread(
    session: AsyncSession, access: AccessScope, reach: Reach, period: Period, measure: str
) -> Spread:
    calendar = await display_calendar(session)
    days = []
    for start, end in await _pairs(session, access, reach, period, measure):
        if start is None:  # decided without a recorded filing (imported history): not measurable
            continue
        begun = local_day(start) if isinstance(start, datetime) else start  # a filing moment, or received_on
        days.append(calendar.working_days_between(begun, local_day(end)))
    return Spread.of(days)


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
    out = []
    for measure, title in MEASURES.items():
        out.append(
            Durations(
                measure,
                title,
                await spread(session, access, reach, period, measure),
                await spread(session, access, reach, period.previous(), measure),
                await spread(session, access, reach, period.a_year_earlier(), measure),
            )
        )
    return out
