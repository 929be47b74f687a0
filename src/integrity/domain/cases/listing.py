"""The case list: filters, keyset pages, counts and export batches, all within visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, CaseAssignment, CaseClock, CaseSubject, Unit, User
from integrity.domain.cases import clocks, search
from integrity.domain.cases.visibility import visible_case_filter
from integrity.lib.authz import AccessScope
from integrity.lib.errors import InvalidInput, one_of
from integrity.lib.i18n import N_
from integrity.lib.pagination import Page, fetch_row_page, fetch_sorted_page

CASE_COLUMNS = tuple(Case.__table__.columns)  # type: ignore[attr-defined]

CLOCK_FILTERS = ("overdue", "due_soon")
# How a list can be ordered: by id (the API's default), newest received first (the page's default),
# by case number, or by the most urgent running deadline (cases with one only).
SORTS = ("id", "received", "number", "due")


@dataclass(frozen=True)
class CaseFilters:
    """What a case list can be narrowed by; every field is optional."""

    status: str | None = None
    clock: str | None = None
    query: str | None = None
    unit_id: int | None = None
    descendants: bool = True  # with unit_id: that unit and everything below it
    category: str | None = None
    source: str | None = None
    assignee_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    confidential: bool | None = None
    sort: str = "id"
    subject_id: int | None = None  # cases about this person


async def filtered(session: AsyncSession, stmt: Any, f: CaseFilters) -> Any:
    """The filters on a statement over `Case` (the list's, its exports' and the statistics')."""
    equal = {"status": f.status, "category": f.category, "source": f.source, "confidential": f.confidential}
    for field, value in equal.items():
        if value not in (None, ""):  # an empty form field means "any"
            stmt = stmt.where(getattr(Case, field) == value)
    if f.received_from:
        stmt = stmt.where(col(Case.received_on) >= f.received_from)
    if f.received_to:
        stmt = stmt.where(col(Case.received_on) <= f.received_to)
    if f.unit_id is not None:
        if f.descendants:
            root = await session.get(Unit, f.unit_id)
            path = root.path if root else "/none/"
            stmt = stmt.where(
                exists().where(
                    col(Unit.id) == col(Case.unit_id), col(Unit.path).startswith(path, autoescape=True)
                )
            )
        else:
            stmt = stmt.where(col(Case.unit_id) == f.unit_id)
    if f.assignee_id is not None:
        stmt = stmt.where(
            exists().where(
                col(CaseAssignment.case_id) == col(Case.id),
                col(CaseAssignment.user_id) == f.assignee_id,
                col(CaseAssignment.recused_at).is_(None),
            )
        )
    if f.subject_id is not None:
        stmt = stmt.where(
            exists().where(
                col(CaseSubject.case_id) == col(Case.id), col(CaseSubject.person_id) == f.subject_id
            )
        )
    if f.query:
        clause = await search.matches(session, f.query)
        if clause is None:
            raise InvalidInput(N_("The search text has nothing to search for."))
        stmt = stmt.where(clause)
    if f.clock:
        if f.clock not in CLOCK_FILTERS:
            raise one_of("clock", CLOCK_FILTERS)
        today = clocks.local_today()
        running = select(col(CaseClock.case_id)).where(clocks.running())
        if f.clock == "overdue":
            running = running.where(col(CaseClock.due_on) < today)
        else:
            bound = await clocks.due_soon_bound(session, today)
            running = running.where(col(CaseClock.due_on) >= today, col(CaseClock.due_on) <= bound)
        stmt = stmt.where(col(Case.id).in_(running))
    return stmt


async def list_cases(
    session: AsyncSession,
    access: AccessScope,
    cursor: str | None,
    limit: int,
    filters: CaseFilters | None = None,
) -> Page[Any]:
    """Visible cases matching the filters, one keyset page at a time (stable order: by id).

    The items are rows with the case's columns as attributes (read-only views of a list, which skip
    the ORM's per-object cost: a third of the request on a page of 50).
    """
    f = filters or CaseFilters()
    if f.sort not in SORTS:
        raise one_of("sort", SORTS)
    if f.sort == "id":
        stmt = await filtered(session, select(*CASE_COLUMNS).where(visible_case_filter(access)), f)
        return await fetch_row_page(session, stmt, Case.id, cursor, limit)
    key, descending, parse = _sort_key(f.sort)
    stmt = select(*CASE_COLUMNS).add_columns(key.label("sort_key")).where(visible_case_filter(access))
    if f.sort == "due":
        stmt = stmt.where(key.is_not(None))
    stmt = await filtered(session, stmt, f)
    return await fetch_sorted_page(
        session, stmt, key, col(Case.id), cursor, limit, descending=descending, parse=parse
    )


def next_due() -> Any:
    """The due date of a case's most urgent running clock (NULL when none runs)."""
    return (
        select(func.min(CaseClock.due_on))
        .where(col(CaseClock.case_id) == col(Case.id), clocks.running())
        .scalar_subquery()
    )


def _sort_key(sort: str) -> tuple[Any, bool, Any]:
    """The sort expression, whether it runs newest first, and how its cursor text reads back."""
    if sort == "received":
        return col(Case.received_on), True, date.fromisoformat
    if sort == "number":
        return col(Case.number), False, str
    return next_due(), False, date.fromisoformat


async def filtered_cases(
    session: AsyncSession, access: AccessScope, filters: CaseFilters, limit: int
) -> list[Case]:
    """All visible cases matching the filters (up to `limit`), in id order: for exports."""
    stmt = await filtered(session, select(Case).where(visible_case_filter(access)), filters)
    return list((await session.execute(stmt.order_by(col(Case.id)).limit(limit))).scalars().all())


async def count_cases(session: AsyncSession, access: AccessScope, filters: CaseFilters | None = None) -> int:
    """How many cases the list would list with the same filters."""
    stmt = await filtered(
        session, select(col(Case.id)).where(visible_case_filter(access)), filters or CaseFilters()
    )
    return int((await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one())


@dataclass(frozen=True)
class PageDetails:
    """What a page of the case list shows beside each case's own columns."""

    assignees: dict[int, list[str]]  # case id → the handling inspectors' names
    due: dict[int, date]  # case id → its most urgent running clock's due date


async def page_details(session: AsyncSession, case_ids: list[int]) -> PageDetails:
    """The handling inspectors and the next due date of a page of cases, in two queries."""
    assignees: dict[int, list[str]] = {}
    rows = await session.execute(
        select(col(CaseAssignment.case_id), col(User.display_name))
        .join(User, col(User.id) == col(CaseAssignment.user_id))
        .where(
            col(CaseAssignment.case_id).in_(case_ids),
            col(CaseAssignment.team) == "inspector",
            col(CaseAssignment.recused_at).is_(None),
        )
        .order_by(col(CaseAssignment.id))
    )
    for case_id, name in rows.all():
        assignees.setdefault(case_id, []).append(name)
    due = await session.execute(
        select(col(CaseClock.case_id), func.min(CaseClock.due_on))
        .where(col(CaseClock.case_id).in_(case_ids), clocks.running())
        .group_by(col(CaseClock.case_id))
    )
    return PageDetails(assignees, {case_id: day for case_id, day in due.all()})
