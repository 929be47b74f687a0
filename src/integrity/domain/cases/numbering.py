"""Case numbers like JJ-2026-0007: per organisation and year, unique, never reused, race-free."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.engine import upsert_insert
from integrity.db.models import CaseNumberCounter


def organisation_of(unit_path: str) -> int:
    """The root unit of a path: numbering runs per organisation (the top of the tree)."""
    return int(unit_path.strip("/").split("/")[0])


async def next_case_number(session: AsyncSession, unit_path: str, prefix: str, today: date) -> str:
    """Increment the counter row in place: the row lock (PostgreSQL) or write lock (SQLite) orders callers."""
    org, year = organisation_of(unit_path), today.year
    insert = upsert_insert(session)
    await session.execute(
        insert(CaseNumberCounter).values(org_unit_id=org, year=year, last=0).on_conflict_do_nothing()
    )
    last = (
        await session.execute(
            update(CaseNumberCounter)
            .where(col(CaseNumberCounter.org_unit_id) == org, col(CaseNumberCounter.year) == year)
            .values(last=col(CaseNumberCounter.last) + 1)
            .returning(col(CaseNumberCounter.last))
        )
    ).scalar_one()
    return f"{prefix}-{year}-{last:04d}"
