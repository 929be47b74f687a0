"""Figures as one shape: what each counts, split by what, for a period and a reach, within visibility.

A figure is a query of (record, key) pairs: the records it counts (cases, decisions, appeals, items,
letters), each under the cell it counts in. A page counts distinct records per key; the drill-down lists
the records of one key from the same query. Both add the reader's visibility for that kind of record and
the page's reach, so a number never includes a record its reader could not open, and a cell lists
exactly what it counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Case, Unit
from integrity.domain.statistics.periods import Period
from integrity.lib.authz import AccessScope
from integrity.lib.errors import one_of


@dataclass(frozen=True)
class Records:
    """A kind of record a figure counts: its id column, the unit it belongs to, and who may see it."""

    name: str  # "case", "decision", "appeal", "item", "letter" or "event": also the drill-down's rows
    unit: Any  # the column naming the record's unit (the reach's unit filter)
    visible: Callable[[AccessScope], ColumnElement[bool]]
    from_cases: bool = True  # has `Case` in its FROM; if not (education events), a case's category and
    # source do not apply to it, as the education page says


@dataclass(frozen=True)
class Reach:
    """Whose records: a unit (with or without the units below it) and optionally a category and source.

    Category and source are the case's: a figure's query has `Case` in its FROM (joined, or outer-joined
    where a record need not come from a case, which then drops out when either is asked for)."""

    unit: Unit
    descendants: bool = True
    category: str = ""
    source: str = ""


@dataclass(frozen=True)
class Figure:
    """One table of a page: its title, how its keys read, and the (record, key) pairs it counts.

    `counted(period)` selects two columns, `id` (the record's) and `key`."""

    name: str
    title: str
    keys: str  # how a key is shown (statistics/_key.html): "source", "category", "status", "form", ...
    records: Records
    counted: Callable[[Period], Select[Any]]


def pairs(record_id: Any, key: Any) -> Select[Any]:
    """The two columns a figure selects: the record's id and the key it counts under."""
    return select(record_id.label("id"), key.label("key"))


def within(stmt: Any, access: AccessScope, records: Records, reach: Reach) -> Any:
    """The reader's visibility and the page's reach, on a statement over the figure's records."""
    stmt = stmt.where(records.visible(access))
    if reach.descendants:
        # A probe of the record's unit per row, not `unit_id IN (units below)`: offered that list, SQLite
        # without statistics (no ANALYZE has run) walks the unit index over every case of those units
        # instead of the date range of the period.
        stmt = stmt.where(
            exists().where(
                col(Unit.id) == records.unit, col(Unit.path).startswith(reach.unit.path, autoescape=True)
            )
        )
    else:
        stmt = stmt.where(records.unit == reach.unit.id)
    if not records.from_cases:
        return stmt
    if reach.category:
        stmt = stmt.where(col(Case.category) == reach.category)
    if reach.source:
        stmt = stmt.where(col(Case.source) == reach.source)
    return stmt


def _pairs(access: AccessScope, figure: Figure, reach: Reach, period: Period) -> Any:
    return within(figure.counted(period), access, figure.records, reach).subquery()


async def counts(
    session: AsyncSession, access: AccessScope, figure: Figure, reach: Reach, period: Period
) -> dict[str, int]:
    """Distinct records per key."""
    return (await counts_in(session, access, figure, reach, (period,)))[0]


async def counts_in(
    session: AsyncSession, access: AccessScope, figure: Figure, reach: Reach, periods: Sequence[Period]
) -> list[dict[str, int]]:
    """Distinct records per key in each of the periods, in one statement."""
    each = [
        within(figure.counted(p), access, figure.records, reach).add_columns(literal(n).label("period"))
        for n, p in enumerate(periods)
    ]
    pairs = union_all(*each).subquery() if len(each) > 1 else each[0].subquery()
    rows = await session.execute(
        select(pairs.c.period, pairs.c.key, func.count(func.distinct(pairs.c.id))).group_by(
            pairs.c.period, pairs.c.key
        )
    )
    out: list[dict[str, int]] = [{} for _ in periods]
    for period, key, n in rows.all():
        out[int(period)][str(key)] = int(n)
    return out


def ids_of(access: AccessScope, figure: Figure, key: str, reach: Reach, period: Period) -> Select[Any]:
    """The ids of the records one cell counts (a subquery for the drill-down's rows)."""
    pairs = _pairs(access, figure, reach, period)
    return select(pairs.c.id).where(pairs.c.key == key)


def named(figures: tuple[Figure, ...], name: str) -> Figure:
    by_name = {f.name: f for f in figures}
    if name not in by_name:
        raise one_of("figure", tuple(by_name))
    return by_name[name]


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
    session: AsyncSession,
    access: AccessScope,
    figures: tuple[Figure, ...],
    reach: Reach,
    period: Period,
) -> list[Compared]:
    """Each figure for the period and the two it is compared with."""
    out = []
    for figure in figures:
        now, before, earlier = await counts_in(session, access, figure, reach, period.compared())
        out.append(Compared(figure, now, before, earlier))
    return out
