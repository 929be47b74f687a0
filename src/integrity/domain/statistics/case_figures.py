"""The case figures as one table: what each counts, split by what, for a period and a reach.

Each figure is a query of (case, key) pairs: the cases it counts, each under the cell it counts in. The
page counts distinct cases per key; the drill-down lists the cases of one key from the same query. Both
add the reader's visibility (`visible_case_filter`) and the page's filters, so a number never includes a
case its reader could not open, and a cell lists exactly the cases it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Case, CaseClock, CaseTransition, Unit
from integrity.domain.cases import listing, workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.listing import CaseFilters
from integrity.domain.cases.visibility import visible_case_filter
from integrity.domain.statistics.periods import Period
from integrity.lib.authz import AccessScope
from integrity.lib.errors import one_of
from integrity.lib.i18n import N_
from integrity.lib.localtime import period_bounds

# Outcomes: what a step into these statuses counts as (filing is the approved move into investigation).
FILED, TRANSFERRED, CLOSED = "filed", "transferred", "closed"


def _received_by(column: Any) -> Callable[[Period], Select[Any]]:
    def counted(period: Period) -> Select[Any]:
        return select(col(Case.id).label("case_id"), column.label("key")).where(
            col(Case.received_on) >= period.start, col(Case.received_on) <= period.end
        )

    return counted


def approved_disposal(step: Any) -> Any:
    """A step of history (`CaseTransition` or an alias) that is a disposal approved: a returned one is not."""
    return and_(
        col(step.from_status) == workflow.DISPOSAL_PROPOSED, col(step.to_status).in_(workflow.DISPOSALS)
    )


def approved_filing(step: Any) -> Any:
    """A step of history that is a case filed (立案): the approved move into investigation."""
    return and_(
        col(step.from_status) == workflow.INVESTIGATION_PROPOSED,
        col(step.to_status) == workflow.INVESTIGATION,
    )


def _steps(period: Period, *where: Any, key: Any) -> Select[Any]:
    """Cases by a step of their history taken within the period (local days)."""
    first, last = period_bounds(period.start, period.end)
    return (
        select(col(Case.id).label("case_id"), key.label("key"))
        .join(CaseTransition, col(CaseTransition.case_id) == col(Case.id))
        .where(col(CaseTransition.at) >= first, col(CaseTransition.at) <= last, *where)
    )


def _disposed(period: Period) -> Select[Any]:
    """Leads disposed of: the approved disposal, by the method approved (a returned one is not)."""
    return _steps(period, approved_disposal(CaseTransition), key=col(CaseTransition.to_status))


def _outcomes(period: Period) -> Select[Any]:
    """Cases filed (立案), transferred and closed in the period."""
    to, filed = col(CaseTransition.to_status), approved_filing(CaseTransition)
    return _steps(
        period,
        filed | to.in_((workflow.TRANSFERRED, workflow.CLOSED)),
        key=case((filed, FILED), (to == workflow.TRANSFERRED, TRANSFERRED), else_=CLOSED),
    )


def _clocks(period: Period) -> Select[Any]:
    """Legal clocks due within the period, by kind and how they ended: met in time, met late, or still
    unmet past their due date. Clocks a reviewer stopped, and clocks not yet due, count in none."""
    due, met = col(CaseClock.due_on), col(CaseClock.met_on)
    late_or_open = or_(met > due, and_(met.is_(None), due < local_today()))
    outcome: Any = case(
        (met <= due, literal(".met")), (met.is_(None), literal(".overdue")), else_=literal(".met_late")
    )
    key: Any = col(CaseClock.rule_code) + outcome
    return (
        select(col(Case.id).label("case_id"), key.label("key"))
        .join(CaseClock, col(CaseClock.case_id) == col(Case.id))
        .where(
            due >= period.start,
            due <= period.end,
            col(CaseClock.stopped_on).is_(None),
            or_(met <= due, late_or_open),
        )
    )


@dataclass(frozen=True)
class Figure:
    """One table of the page: its title, how its keys read, and the (case, key) pairs it counts."""

    name: str
    title: str
    keys: str  # how a key is shown: "source", "category", "status", "outcome" or "clock"
    counted: Callable[[Period], Select[Any]]


FIGURES = (
    Figure("received_by_source", N_("Leads received, by source"), "source", _received_by(col(Case.source))),
    Figure(
        "received_by_category",
        N_("Leads received, by category"),
        "category",
        _received_by(col(Case.category)),
    ),
    Figure("disposals", N_("Leads disposed of, by method"), "status", _disposed),
    Figure("outcomes", N_("Cases filed, transferred and closed"), "outcome", _outcomes),
    Figure(
        "clocks", N_("Deadlines due in the period: met in time, late, or still overdue"), "clock", _clocks
    ),
)
BY_NAME = {f.name: f for f in FIGURES}
OUTCOME_LABELS = {FILED: N_("Filed"), TRANSFERRED: N_("Transferred"), CLOSED: N_("Closed")}


@dataclass(frozen=True)
class Reach:
    """Whose cases: a unit (with or without the units below it) and optionally a category and source."""

    unit: Unit
    descendants: bool = True
    category: str = ""
    source: str = ""


async def within(session: AsyncSession, stmt: Any, access: AccessScope, reach: Reach) -> Any:
    """The reader's visibility and the page's reach, on the figure's cases: the case list's filters."""
    reached = CaseFilters(
        unit_id=reach.unit.id, descendants=reach.descendants, category=reach.category, source=reach.source
    )
    return await listing.filtered(session, stmt.where(visible_case_filter(access)), reached)


async def counts(
    session: AsyncSession, access: AccessScope, figure: Figure, reach: Reach, period: Period
) -> dict[str, int]:
    """Distinct cases per key."""
    pairs = (await within(session, figure.counted(period), access, reach)).subquery()
    rows = await session.execute(
        select(pairs.c.key, func.count(func.distinct(pairs.c.case_id))).group_by(pairs.c.key)
    )
    return {str(key): int(n) for key, n in rows.all()}


async def cases_of(
    session: AsyncSession, access: AccessScope, figure: Figure, key: str, reach: Reach, period: Period
) -> list[Any]:
    """The cases one cell counts, newest received first (rows with the case's columns)."""
    pairs = (await within(session, figure.counted(period), access, reach)).subquery()
    ids = select(pairs.c.case_id).where(pairs.c.key == key)
    rows = await session.execute(
        select(*Case.__table__.columns)  # type: ignore[attr-defined]
        .where(col(Case.id).in_(ids))
        .order_by(col(Case.received_on).desc(), col(Case.id).desc())
    )
    return list(rows.all())


def figure_named(name: str) -> Figure:
    if name not in BY_NAME:
        raise one_of("figure", tuple(BY_NAME))
    return BY_NAME[name]


@dataclass(frozen=True)
class Compared:
    """One figure for a period, the period before and the same period a year earlier."""

    figure: Figure
    now: dict[str, int]
    before: dict[str, int]
    year_before: dict[str, int]

    def keys(self, order: list[str]) -> list[str]:
        """Every key with a count in any of the three, in the catalogue's order, then the rest."""
        seen = set(self.now) | set(self.before) | set(self.year_before)
        return [k for k in order if k in seen] + sorted(seen - set(order))

    def total(self, counted: dict[str, int]) -> int:
        return sum(counted.values())


async def compared(
    session: AsyncSession, access: AccessScope, reach: Reach, period: Period
) -> list[Compared]:
    """Every figure for the period and the two it is compared with."""
    out = []
    for figure in FIGURES:
        now = await counts(session, access, figure, reach, period)
        before = await counts(session, access, figure, reach, period.previous())
        earlier = await counts(session, access, figure, reach, period.a_year_earlier())
        out.append(Compared(figure, now, before, earlier))
    return out
