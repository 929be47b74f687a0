"""Units to choose from in a picker: those where the reader may do something, in tree order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Unit
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import local_name

# A unit picker lists at most this many units (an organisation's tree, not its people).
MAX_UNIT_CHOICES = 2000


@dataclass(frozen=True)
class UnitChoice:
    """A unit as a picker offers it: its name, indented by its depth below the reader's top unit."""

    id: int
    name: str
    depth: int
    path: str
    code: str = ""
    kind: str = ""
    active: bool = True


async def unit_choices(
    session: AsyncSession, access: AccessScope, obj: str, act: str, *, active_only: bool = True
) -> list[UnitChoice]:
    """Units (active ones, unless told) where the user may (obj, act), in tree order."""
    stmt = select(Unit).where(access.unit_filter(obj, act, col(Unit.path)))
    if active_only:
        stmt = stmt.where(col(Unit.active).is_(True))
    rows = await session.execute(stmt.order_by(col(Unit.path)).limit(MAX_UNIT_CHOICES))
    units = list(rows.scalars())
    top = min((u.depth for u in units), default=0)
    # Ordered by path text, `/1/10/` would sort before `/1/4/`: walk the tree, siblings as created.
    by_parent: dict[int | None, list[Unit]] = defaultdict(list)
    ids = {u.id for u in units}
    for u in units:
        by_parent[u.parent_id if u.parent_id in ids else None].append(u)
    ordered: list[UnitChoice] = []

    def walk(parent: int | None) -> None:
        for u in sorted(by_parent.get(parent, []), key=lambda u: u.id or 0):
            name = local_name(u.name, u.name_en)
            ordered.append(UnitChoice(u.id or 0, name, u.depth - top, u.path, u.code, u.kind, u.active))
            walk(u.id)

    walk(None)
    return ordered


__all__ = ["MAX_UNIT_CHOICES", "UnitChoice", "unit_choices"]
