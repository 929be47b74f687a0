"""The case figures kept per month: the worker counts each month once per figure, unit, confidentiality and
key (durations: working days), for every case, and counts it again whenever a change marks it stale
(database triggers, migration 0022). `tallied_figures` reads them for a page.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.engine import Database
from integrity.db.models import Case, CaseClock, CaseTransition, StatisticsTally
from integrity.db.models.statistics import StaleStatisticsMonth
from integrity.domain.cases.clocks import work_calendar
from integrity.domain.statistics import case_durations, case_figures
from integrity.domain.statistics.figures import Figure
from integrity.domain.statistics.periods import Period
from integrity.lib.localtime import local_day

MONTHS_PER_PASS = 6  # a worker's pass counts at most this many months (SQLite has one writer)


def read_key(figure: Figure, key: str) -> str:
    """A tallied key as the page shows it (tallies are read only for months before the current one)."""
    if case_figures.TALLIED[figure.name].open_until_month_ends and key.endswith(case_figures.OPEN):
        return key[: -len(case_figures.OPEN)] + ".overdue"
    return key


def duration_figure(measure: str) -> str:
    return f"duration.{measure}"


async def count_stale_months(session: AsyncSession, limit: int = MONTHS_PER_PASS) -> int:
    """Count up to `limit` stale months again; how many."""
    months = list(
        (
            await session.execute(
                select(col(StaleStatisticsMonth.month))
                .distinct()
                .order_by(col(StaleStatisticsMonth.month))
                .limit(limit)
            )
        ).scalars()
    )
    if not months:
        return 0
    calendar = await work_calendar(session)
    for month in months:
        period = Period.containing("month", month)
        # The marks go first: a change committed after this statement leaves its own mark, and one
        # committed before it is seen by the counts below.
        await session.execute(delete(StaleStatisticsMonth).where(col(StaleStatisticsMonth.month) == month))
        await session.execute(delete(StatisticsTally).where(col(StatisticsTally.month) == period.start))
        rows: list[dict[str, Any]] = []
        for figure in case_figures.FIGURES:
            counted = (
                case_figures.TALLIED[figure.name]
                .counted(period)
                .add_columns(col(Case.unit_id).label("unit_id"), col(Case.confidential).label("conf"))
                .subquery()
            )
            grouped = select(
                counted.c.unit_id, counted.c.conf, counted.c.key, func.count(counted.c.id.distinct())
            )
            for unit_id, confidential, key, n in (
                await session.execute(grouped.group_by(counted.c.unit_id, counted.c.conf, counted.c.key))
            ).all():
                rows.append(_row(figure.name, period.start, unit_id, confidential, str(key), n))
        for measure in case_durations.MEASURES:
            (measured,) = await case_durations.days_in(session, calendar, [period], measure)
            for (days, unit_id, confidential), n in Counter((d, u, c) for d, u, c, _ in measured).items():
                rows.append(_row(duration_figure(measure), period.start, unit_id, confidential, str(days), n))
        if rows:
            await session.execute(insert(StatisticsTally), rows)
    return len(months)


async def count_stale(db: Database) -> int:
    """The worker's upkeep: every stale month counted again, a few per transaction; how many."""
    total = 0
    while True:
        async with db.read_session() as session:  # a read first: an idle pass takes no write lock
            if (await session.execute(select(col(StaleStatisticsMonth.id)).limit(1))).first() is None:
                return total
        async with db.write_session() as session:
            done = await count_stale_months(session)
            await session.commit()
        total += done
        if done == 0:
            return total


async def mark_every_month(session: AsyncSession) -> int:
    """Mark every month from the first case, step or clock to the last for counting again (after the
    office's time zone changed, or a calendar release changed which days are working days); how many."""
    spans = [
        (await session.execute(select(func.min(column), func.max(column)))).one()
        for column in (col(Case.received_on), col(CaseTransition.at), col(CaseClock.due_on))
    ]
    days = [local_day(d) if isinstance(d, datetime) else d for span in spans for d in span if d is not None]
    if not days:
        return 0
    months, month = [], Period.containing("month", min(days))
    while month.start <= max(days):
        months.append({"month": month.start})
        month = Period.containing("month", month.end + timedelta(days=1))
    await session.execute(insert(StaleStatisticsMonth), months)
    return len(months)


def _row(figure: str, month: date, unit_id: int, confidential: bool, key: str, n: int) -> dict[str, Any]:
    return {"figure": figure, "month": month, "unit_id": unit_id, "confidential": bool(confidential),
            "key": key, "n": int(n)}  # fmt: skip
