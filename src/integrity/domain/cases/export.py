"""The case ledger (案件台账) as Excel: one row per case, in the reader's words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, CaseSubject, CatalogueItem, Person, Unit
from integrity.domain.cases.listing import page_details
from integrity.lib.excel import MAX_ROWS, safe_cell
from integrity.lib.i18n import N_, gettext, local_name
from integrity.lib.labels import label

__all__ = ["HEADER", "MAX_ROWS", "ledger_rows", "safe_cell"]

HEADER = (
    N_("Case number"),
    N_("Title"),
    N_("Unit"),
    N_("Status"),
    N_("Category"),
    N_("Source"),
    N_("Received on"),
    N_("Confidential"),
    N_("Subjects"),
    N_("Handled by"),
    N_("Deadline"),
)
CHUNK = 5_000  # ids per IN list: under every engine's limit on bound parameters


async def _names(
    session: AsyncSession, cases: Sequence[Case]
) -> tuple[dict[Any, str], dict[tuple[str, str], str]]:
    units = {
        u.id: local_name(u.name, u.name_en)
        for u in (
            await session.execute(select(Unit).where(col(Unit.id).in_({c.unit_id for c in cases})))
        ).scalars()
    }
    catalogue = {
        (i.catalogue.removeprefix("case_"), i.code): local_name(i.name, i.name_en)
        for i in (await session.execute(select(CatalogueItem))).scalars()
    }
    return units, catalogue


async def _subjects(session: AsyncSession, ids: list[int]) -> Mapping[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = await session.execute(
        select(col(CaseSubject.case_id), col(Person.name))
        .join(Person, col(Person.id) == col(CaseSubject.person_id))
        .where(col(CaseSubject.case_id).in_(ids))
        .order_by(col(CaseSubject.id))
    )
    for case_id, name in rows.all():
        found.setdefault(case_id, []).append(name)
    return found


async def ledger_rows(session: AsyncSession, cases: Sequence[Case]) -> list[list[Any]]:
    """Each case as a row of the ledger: labels instead of codes, its subjects, team and next deadline."""
    units, catalogue = await _names(session, cases)
    subjects: dict[int, list[str]] = {}
    assignees: dict[int, list[str]] = {}
    due: dict[int, Any] = {}
    ids = [c.id for c in cases if c.id is not None]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        subjects.update(await _subjects(session, chunk))
        details = await page_details(session, chunk)
        assignees.update(details.assignees)
        due.update(details.due)
    yes = gettext(N_("Yes"))
    return [
        [
            c.number,
            c.title,
            units.get(c.unit_id, ""),
            label("status", c.status),
            catalogue.get(("category", c.category), c.category),
            catalogue.get(("source", c.source), c.source),
            c.received_on,
            yes if c.confidential else "",
            "、".join(subjects.get(c.id or 0, [])),
            "、".join(assignees.get(c.id or 0, [])),
            due.get(c.id or 0),
        ]
        for c in cases
    ]
