"""Event types, from their catalogue, as the pages name them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import CatalogueItem
from integrity.lib.i18n import local_name


async def event_types(session: AsyncSession, *, active_only: bool = True) -> list[CatalogueItem]:
    stmt = select(CatalogueItem).where(col(CatalogueItem.catalogue) == "education_type")
    if active_only:
        stmt = stmt.where(col(CatalogueItem.active).is_(True))
    return list((await session.execute(stmt.order_by(col(CatalogueItem.sort)))).scalars())


async def type_names(session: AsyncSession) -> dict[str, str]:
    """Every type's name in the reader's language, retired ones included (old events keep theirs)."""
    return {t.code: local_name(t.name, t.name_en) for t in await event_types(session, active_only=False)}
