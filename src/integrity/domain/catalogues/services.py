"""Catalogue entries and calendar overrides: group-wide, changed by root administrators, each audited.

Entries are never deleted (cases keep their codes); an entry no longer offered is made inactive."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import CalendarOverride, CatalogueItem
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import Conflict, InvalidInput, NotFound, one_of
from integrity.lib.i18n import N_

# The catalogues an administrator edits here (measures and clock rules have pages of their own).
CATALOGUES = {
    "case_source": N_("Sources of leads"),
    "case_category": N_("Categories of misconduct"),
    "education_type": N_("Types of education events"),
}
ITEM_FIELDS = ("name", "name_en", "sort", "active")
CODE = re.compile(r"^[a-z0-9_]{1,32}$")


async def items(session: AsyncSession) -> dict[str, list[CatalogueItem]]:
    """Every entry of the editable catalogues, active or not, in their order."""
    rows = await session.execute(
        select(CatalogueItem)
        .where(col(CatalogueItem.catalogue).in_(list(CATALOGUES)))
        .order_by(col(CatalogueItem.sort), col(CatalogueItem.code))
    )
    found: dict[str, list[CatalogueItem]] = {name: [] for name in CATALOGUES}
    for item in rows.scalars():
        found[item.catalogue].append(item)
    return found


def _checked(name: str, name_en: str) -> tuple[str, str]:
    name, name_en = name.strip(), name_en.strip()
    if not name or not name_en:
        raise InvalidInput(N_("An entry needs a Chinese and an English name."))
    if len(name) > 100 or len(name_en) > 100:
        raise InvalidInput(N_("A name may have at most 100 characters."))
    return name, name_en


async def save_item(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    catalogue: str,
    code: str,
    *,
    name: str,
    name_en: str,
    active: bool,
    create: bool = False,
) -> CatalogueItem:
    """Add an entry (a new code) or change one's names and whether it is offered."""
    if catalogue not in CATALOGUES:
        raise one_of("catalogue", list(CATALOGUES))
    name, name_en = _checked(name, name_en)
    item = await session.get(CatalogueItem, (catalogue, code))
    if create:
        if not CODE.match(code):
            raise InvalidInput(N_("A code has lower-case letters, digits or underscores, at most 32."))
        if item is not None:
            raise Conflict(N_("This catalogue already has an entry with that code."))
        last = await session.scalar(
            select(func.max(CatalogueItem.sort)).where(col(CatalogueItem.catalogue) == catalogue)
        )
        item = CatalogueItem(catalogue=catalogue, code=code, name=name, name_en=name_en, sort=(last or 0) + 1)
        before = None
    elif item is None:
        raise NotFound(N_("No such catalogue entry."))
    else:
        before = {f: getattr(item, f) for f in ITEM_FIELDS}
        item.name, item.name_en, item.active = name, name_en, active
    session.add(item)
    await session.flush()
    after = {f: getattr(item, f) for f in ITEM_FIELDS}
    if after != before:
        action = "catalogue.item.create" if create else "catalogue.item.update"
        entry = AuditEntry(action, "catalogue", f"{catalogue}:{code}", unit_id, before=before, after=after)
        await record(session, actor, entry)
    return item


async def overrides(session: AsyncSession, since: date) -> list[CalendarOverride]:
    rows = await session.execute(
        select(CalendarOverride).where(col(CalendarOverride.day) >= since).order_by(col(CalendarOverride.day))
    )
    return list(rows.scalars())


async def set_override(
    session: AsyncSession, actor: Actor, unit_id: int, day: date, *, is_workday: bool, note: str
) -> CalendarOverride:
    """Fix one day as a workday or a holiday, whatever the holiday library says; clocks count with it
    (after the commit, the caller calls `forget_display_calendar`)."""
    if len(note) > 200:
        raise InvalidInput(N_("A note may have at most 200 characters."))
    row = await session.get(CalendarOverride, day)
    before = {"is_workday": row.is_workday, "note": row.note} if row else None
    row = row or CalendarOverride(day=day, is_workday=is_workday)
    row.is_workday, row.note = is_workday, note.strip()
    session.add(row)
    await session.flush()
    after = {"is_workday": is_workday, "note": row.note}
    await record(
        session,
        actor,
        AuditEntry("calendar.override", "calendar", day.isoformat(), unit_id, before=before, after=after),
    )
    return row


async def remove_override(session: AsyncSession, actor: Actor, unit_id: int, day: date) -> None:
    """Back to what the holiday library says for that day."""
    row = await session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(N_("No override on that day."))
    before = {"is_workday": row.is_workday, "note": row.note}
    await session.execute(delete(CalendarOverride).where(col(CalendarOverride.day) == day))
    entry = AuditEntry("calendar.override_remove", "calendar", day.isoformat(), unit_id, before=before)
    await record(session, actor, entry)
