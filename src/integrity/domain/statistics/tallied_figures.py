"""The case figures read from the monthly tallies (`tallies`): the same numbers as counting the cases, at a
fraction of the reads.

The worker counts each month once per figure, unit, confidentiality and key (`count_stale_months`), for
every case, and counts it again whenever a change marks it stale (database triggers, migration 0022).
A page then adds, for each of its periods:

- the tallies of the whole months of the period that are not stale, in the units of its reach, with the
  confidential cases only of units where the reader may open them;
- minus what those tallies counted of the *special* cases, plus those cases counted one by one as the
  reader may see them over the whole period. Special are the reader's own exceptions (cases about them
  or a relation, cases they recused from, cases on their team) and the cases that can count twice under
  one key (reopened or reactivated, or with two clocks of one rule due in the periods);
- the rest of the period (stale months, the days of a month it holds only in part, and for deadlines the
  current month, whose open clocks are not yet overdue) counted from the cases.

So a figure is exactly what counting the cases gives (the tests compare both), and never behind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Case, CaseAssignment, CaseClock, CaseTransition, StatisticsTally, Unit
from integrity.db.models.statistics import StaleStatisticsMonth
from integrity.domain.cases import workflow
from integrity.domain.cases.clocks import display_calendar, local_today
from integrity.domain.cases.visibility import CONFIDENTIAL_READERS, conflicted_case_ids
from integrity.domain.statistics import case_durations, tallies
from integrity.domain.statistics.case_durations import Durations, Spread
from integrity.domain.statistics.case_figures import CASES, TALLIED
from integrity.domain.statistics.figures import Compared, Figure, Reach, compared, within
from integrity.domain.statistics.periods import Period
from integrity.lib.authz import AccessScope
from integrity.lib.localtime import local_day

# Steps back to registration from a finished lead (reopened, reactivated): after one, a case can count a
# second time under one key.
AGAIN = (workflow.CLOSED, workflow.SHELVED)


@dataclass(frozen=True)
class Split:
    """A period as whole months read from tallies and the days around them read from the cases."""

    months: list[Period]
    rest: list[Period]


def split(period: Period, stale: set[date], before: date | None) -> Split:
    """The whole months of the period not stale (and, with `before`, before that month)."""
    months: list[Period] = []
    rest: list[Period] = []
    day = period.start
    while day <= period.end:
        month = Period.containing("month", day)
        whole = month.start == day and month.end <= period.end
        tallied = whole and month.start not in stale and (before is None or month.start < before)
        last = min(month.end, period.end)
        if tallied:
            months.append(month)
        elif rest and rest[-1].end + timedelta(days=1) == day:
            rest[-1] = Period("custom", rest[-1].start, last)
        else:
            rest.append(Period("custom", day, last))
        day = last + timedelta(days=1)
    return Split(months, rest)


@dataclass(frozen=True)
class Sight:
    """What one reader's page reads from the tallies: its units, where confidential cases are open to
    them, the cases counted one by one, and the months not yet counted again."""

    units: list[int]
    open_confidential: list[int]
    special: list[int]  # in the reach; the tallies may have counted them
    visible_special: list[int]  # of those, the ones the reader may open (by the visibility filter)
    stale: set[date]
    this_month: date
    sums: dict[tuple[str, date], Counter[str]]  # (figure, month) -> key -> tallied, for this reader

    def counts(self, unit_id: int, confidential: bool) -> bool:
        """Whether the tallies this reader reads count a case of this unit and confidentiality."""
        return unit_id in self.units and (not confidential or unit_id in self.open_confidential)

    def tallied(self, unit: Any, confidential: Any) -> Any:
        """The rows the tallies count for this reader: their units, confidential cases where open."""
        shown = confidential.is_(False)
        if self.open_confidential:
            shown = or_(shown, unit.in_(self.open_confidential))
        return (unit.in_(self.units) if self.units else false()) & shown


async def sight(session: AsyncSession, access: AccessScope, reach: Reach, periods: Sequence[Period]) -> Sight:
    units = select(col(Unit.id), col(Unit.path))
    units = (
        units.where(col(Unit.path).startswith(reach.unit.path, autoescape=True))
        if reach.descendants
        else units.where(col(Unit.id) == reach.unit.id)
    )
    readable, confidential = access.paths("case", "read"), access.role_paths(CONFIDENTIAL_READERS)
    ids: list[int] = []
    open_ids: list[int] = []
    for unit_id, path in (await session.execute(units)).all():
        if any(path.startswith(p) for p in readable):
            ids.append(unit_id or 0)
            if any(path.startswith(p) for p in confidential):
                open_ids.append(unit_id or 0)
    due = col(CaseClock.due_on)
    special: Any = union_all(
        conflicted_case_ids(access),
        select(col(CaseAssignment.case_id)).where(col(CaseAssignment.user_id) == access.principal.user_id),
        select(col(CaseTransition.case_id)).where(
            col(CaseTransition.to_status) == workflow.REGISTERED, col(CaseTransition.from_status).in_(AGAIN)
        ),
        select(col(CaseClock.case_id))
        .where(or_(*(and_(due >= p.start, due <= p.end) for p in periods)))
        .group_by(col(CaseClock.case_id), col(CaseClock.rule_code))
        .having(func.count() > 1),
    )
    special_ids = sorted({int(i) for i in (await session.execute(special)).scalars()})
    stale = set((await session.execute(select(col(StaleStatisticsMonth.month)).distinct())).scalars())
    today = local_today()
    visible_special: list[int] = []
    if special_ids:
        # Those in the reach's units, and of them the ones the reader may see (the visibility filter as
        # a column), in one read.
        shown = within(select(col(Case.id)), access, CASES, reach).whereclause
        in_reach = select(col(Case.id), case((shown, True), else_=False)).where(
            col(Case.id).in_(special_ids), col(Case.unit_id).in_(ids)
        )
        found = (await session.execute(in_reach)).all()
        special_ids = sorted(int(i or 0) for i, _ in found)
        visible_special = sorted(int(i or 0) for i, seen_by in found if seen_by)
    seen = Sight(ids, open_ids, special_ids, visible_special, stale, today.replace(day=1), {})
    # Every tally the page may read, in one statement: the whole months of its periods not stale.
    wanted = sorted({m.start for p in periods for m in split(p, stale, None).months})
    if wanted:
        t = StatisticsTally
        rows = await session.execute(
            select(col(t.figure), col(t.month), col(t.key), func.sum(col(t.n)))
            .where(col(t.month).in_(wanted), seen.tallied(col(t.unit_id), col(t.confidential)))
            .group_by(col(t.figure), col(t.month), col(t.key))
        )
        for figure, month, key, n in rows.all():
            tallied = seen.sums.get((figure, month))
            if tallied is None:
                tallied = seen.sums[figure, month] = Counter()
            tallied[key] += int(n)
    return seen


def _sums(figure: str, months: list[list[Period]], sight: Sight) -> list[Counter[str]]:
    """The tallies of each period's months, per key."""
    out: list[Counter[str]] = [Counter() for _ in months]
    for index, ms in enumerate(months):
        for m in ms:
            if (figure, m.start) in sight.sums:
                out[index].update(sight.sums[figure, m.start])
    return out


async def _distinct(session: AsyncSession, parts: Sequence[Select[Any]]) -> list[Counter[str]]:
    """Distinct records per key of each part (a (record, key) query), all in one statement."""
    out: list[Counter[str]] = [Counter() for _ in parts]
    if not parts:
        return out
    each = [stmt.add_columns(literal(n).label("part")) for n, stmt in enumerate(parts)]
    rows = union_all(*each).subquery() if len(each) > 1 else each[0].subquery()
    counted = await session.execute(
        select(rows.c.part, rows.c.key, func.count(rows.c.id.distinct())).group_by(rows.c.part, rows.c.key)
    )
    for part, key, n in counted.all():
        out[int(part)][str(key)] += int(n)
    return out


def _day(when: date | datetime) -> date:
    return local_day(when) if isinstance(when, datetime) else when


async def _special_rows(
    session: AsyncSession,
    query: Callable[[Period], Select[Any]],
    figure: Figure,
    span: Period,
    ids: list[int],
) -> list[tuple[int, str, date, int, bool]]:
    """(case, key, day, unit, confidential) of the special cases' records within the span."""
    tallied = TALLIED[figure.name]
    when, case_column = tallied.when, tallied.case
    stmt = (
        query(span)
        .add_columns(
            when.label("when"), col(Case.unit_id).label("unit_id"), col(Case.confidential).label("conf")
        )
        .where(case_column.in_(ids))
    )
    rows = await session.execute(stmt)
    return [(int(i), str(k), _day(w), int(u), bool(c)) for i, k, w, u, c in rows.all()]


async def _special_counts(
    session: AsyncSession, figure: Figure, periods: Sequence[Period], splits: list[Split], sight: Sight
) -> list[Counter[str]]:
    """Per period: the special cases the reader may see, once per key, less what the tallies counted of
    them (once per key and month, as the worker counted them)."""
    out: list[Counter[str]] = [Counter() for _ in periods]
    if not sight.special:
        return out
    span = Period("custom", min(p.start for p in periods), max(p.end for p in periods))
    tally_rows = await _special_rows(session, TALLIED[figure.name].counted, figure, span, sight.special)
    shown_rows = tally_rows
    if TALLIED[figure.name].counted is not figure.counted:  # deadlines: the page's own keys differ
        shown_rows = await _special_rows(session, figure.counted, figure, span, sight.special)
    visible = set(sight.visible_special)
    for index, (period, s) in enumerate(zip(periods, splits, strict=True)):
        taken = {
            (case_id, tallies.read_key(figure, key), m.start)
            for case_id, key, day, unit_id, confidential in tally_rows
            if sight.counts(unit_id, confidential)
            for m in s.months
            if m.start <= day <= m.end
        }
        shown = {
            (case_id, key)
            for case_id, key, day, _, _ in shown_rows
            if case_id in visible and period.start <= day <= period.end
        }
        out[index].update(key for _, key in shown)
        out[index].subtract(key for _, key, _ in taken)
    return out


async def case_page(
    session: AsyncSession, access: AccessScope, figures: tuple[Figure, ...], reach: Reach, period: Period
) -> tuple[list[Compared], list[Durations]]:
    """The case figures and durations for the period and the two it is compared with: from the tallies,
    with the reader's sight taken once; from the cases themselves when a category or source narrows the
    page (the tallies are kept per unit only)."""
    if reach.category or reach.source:
        return (
            await compared(session, access, figures, reach, period),
            await case_durations.compared(session, access, reach, period),
        )
    periods = period.compared()
    seen = await sight(session, access, reach, periods)
    return (
        await _figures(session, access, figures, reach, periods, seen),
        await _durations(session, access, reach, periods, seen),
    )


async def _figures(
    session: AsyncSession,
    access: AccessScope,
    figures: tuple[Figure, ...],
    reach: Reach,
    periods: Sequence[Period],
    seen: Sight,
) -> list[Compared]:
    others = col(Case.id).not_in(seen.special)
    splits: list[list[Split]] = []
    rests: list[Select[Any]] = []  # the rest of every figure's periods, counted in one statement
    for figure in figures:
        before = seen.this_month if TALLIED[figure.name].open_until_month_ends else None
        splits.append([split(p, seen.stale, before) for p in periods])
        rests += [
            within(figure.counted(r), access, figure.records, reach).where(others)
            for s in splits[-1]
            for r in s.rest
        ]
    counted = iter(await _distinct(session, rests))
    out = []
    for figure, figure_splits in zip(figures, splits, strict=True):
        tallied = _sums(figure.name, [s.months for s in figure_splits], seen)
        special = await _special_counts(session, figure, periods, figure_splits, seen)
        totals = []
        for index, s in enumerate(figure_splits):
            total: Counter[str] = Counter()
            for key, n in tallied[index].items():
                total[tallies.read_key(figure, key)] += n
            total.update(special[index])
            for _ in s.rest:
                total.update(next(counted))
            totals.append({k: n for k, n in total.items() if n})
        out.append(Compared(figure, *totals))
    return out


async def _durations(
    session: AsyncSession, access: AccessScope, reach: Reach, periods: Sequence[Period], seen: Sight
) -> list[Durations]:
    calendar = await display_calendar(session)
    splits = [split(p, seen.stale, None) for p in periods]
    visible = within(select(col(Case.id)), access, CASES, reach).whereclause
    out = []
    for measure, title in case_durations.MEASURES.items():
        tallied = _sums(tallies.duration_figure(measure), [s.months for s in splits], seen)
        days: list[Counter[int]] = [Counter({int(k): n for k, n in t.items()}) for t in tallied]
        if seen.special:
            # The special cases' steps, once: what the tallies counted of them per month, taken out;
            # those the reader may see, per period, put back.
            months = [(i, m) for i, s in enumerate(splits) for m in s.months]
            measured = await case_durations.days_in(
                session, calendar, [*(m for _, m in months), *periods], measure, cases=seen.special
            )
            shown_ids = set(seen.visible_special)
            for (i, _), taken in zip(months, measured, strict=False):
                days[i].subtract(n for n, unit_id, conf, _ in taken if seen.counts(unit_id, conf))
            for i, shown in enumerate(measured[len(months) :]):
                days[i].update(n for n, _, _, case_id in shown if case_id in shown_ids)
        rests = [(i, r) for i, s in enumerate(splits) for r in s.rest]
        others = await case_durations.days_in(
            session, calendar, [r for _, r in rests], measure, col(Case.id).not_in(seen.special), visible
        )
        for (i, _), counted in zip(rests, others, strict=True):
            days[i].update(n for n, _, _, _ in counted)
        now, before, earlier = (Spread.of(list(d.elements())) for d in days)
        out.append(Durations(measure, title, now, before, earlier))
    return out
