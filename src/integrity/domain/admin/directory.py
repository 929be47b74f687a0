"""What the administration pages read: users with their units and grants, units to choose from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Person, RoleGrant, Unit, User
from integrity.domain.org.services import ancestor_paths
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import local_name
from integrity.lib.pagination import Page, fetch_page


@dataclass(frozen=True)
class GrantShown:
    id: int
    user_id: int
    role: str
    unit_id: int
    unit: str
    revocable: bool


async def grants_of(
    session: AsyncSession, access: AccessScope, user_ids: list[int]
) -> dict[int, list[GrantShown]]:
    """Each user's grants in units the reader may see, with whether the reader may revoke each."""
    rows = await session.execute(
        select(RoleGrant, Unit)
        .join(Unit, col(Unit.id) == col(RoleGrant.unit_id))
        .where(col(RoleGrant.user_id).in_(user_ids), access.unit_filter("grant", "read", col(Unit.path)))
        .order_by(col(Unit.path), col(RoleGrant.role))
    )
    found: dict[int, list[GrantShown]] = defaultdict(list)
    for grant, unit in rows.all():
        found[grant.user_id].append(
            GrantShown(
                grant.id or 0,
                grant.user_id,
                grant.role,
                unit.id or 0,
                local_name(unit.name, unit.name_en),
                access.can("grant", "delete", unit.path),
            )
        )
    return found


@dataclass(frozen=True)
class Holder:
    """Someone holding a role that reaches a unit: granted there, or in a unit above it."""

    grant: GrantShown
    user_id: int
    name: str
    username: str
    here: bool


async def holders_at(session: AsyncSession, access: AccessScope, unit: Unit) -> list[Holder]:
    """Who holds what at this unit, its own grants first, then those reaching it from above."""
    rows = await session.execute(
        select(RoleGrant, Unit, User)
        .join(Unit, col(Unit.id) == col(RoleGrant.unit_id))
        .join(User, col(User.id) == col(RoleGrant.user_id))
        .where(
            col(Unit.path).in_(ancestor_paths(unit.path)), access.unit_filter("grant", "read", col(Unit.path))
        )
        .order_by(col(RoleGrant.role), col(User.display_name))
    )
    found = [
        Holder(
            GrantShown(
                g.id or 0,
                g.user_id,
                g.role,
                u.id or 0,
                local_name(u.name, u.name_en),
                access.can("grant", "delete", u.path),
            ),
            user.id or 0,
            user.display_name,
            user.username,
            u.id == unit.id,
        )
        for g, u, user in rows.all()
    ]
    return sorted(found, key=lambda h: not h.here)


@dataclass(frozen=True)
class UserRow:
    user: User
    unit: str
    grants: list[GrantShown]


async def user_rows(
    session: AsyncSession,
    access: AccessScope,
    *,
    text: str = "",
    unit_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[UserRow]:
    """Users in the reader's units, by a piece of their name or username, or in one unit (and below)."""
    stmt = (
        select(User)
        .join(Unit, col(Unit.id) == col(User.unit_id))
        .where(access.unit_filter("user", "read", col(Unit.path)))
    )
    words = text.strip()
    if words:
        stmt = stmt.where(
            or_(
                col(User.display_name).contains(words, autoescape=True),
                col(User.username).ilike(f"%{words}%"),
            )
        )
    page = await fetch_page(session, in_subtree(stmt, unit_id), User.id, cursor, limit)
    units = await unit_names(session, {u.unit_id for u in page.items})
    grants = await grants_of(session, access, [u.id or 0 for u in page.items])
    return Page(
        [UserRow(u, units.get(u.unit_id, ""), grants.get(u.id or 0, [])) for u in page.items],
        page.next_cursor,
    )


def in_subtree(stmt: Any, unit_id: int | None) -> Any:
    """Narrow a query joined to Unit to one unit and those below it (None: no narrowing)."""
    if unit_id is None:
        return stmt
    under = select(col(Unit.path)).where(col(Unit.id) == unit_id).scalar_subquery()
    return stmt.where(col(Unit.path).startswith(under))


async def person_rows(
    session: AsyncSession,
    access: AccessScope,
    *,
    text: str = "",
    unit_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Person]:
    """Persons in the reader's units, by a piece of their name or the start of their employee number."""
    stmt = (
        select(Person)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(access.unit_filter("person", "read", col(Unit.path)))
    )
    words = text.strip()
    if words:
        stmt = stmt.where(
            or_(
                col(Person.name).contains(words, autoescape=True),
                col(Person.employee_no).startswith(words, autoescape=True),
            )
        )
    return await fetch_page(session, in_subtree(stmt, unit_id), Person.id, cursor, limit)


async def unit_path(session: AsyncSession, unit_id: int) -> str:
    """A unit's path, for asking whether the reader may act there ("" for no such unit)."""
    unit = await session.get(Unit, unit_id)
    return unit.path if unit else ""


async def unit_names(session: AsyncSession, unit_ids: set[int]) -> dict[int, str]:
    rows = await session.execute(
        select(col(Unit.id), col(Unit.name), col(Unit.name_en)).where(col(Unit.id).in_(unit_ids))
    )
    return {int(i or 0): local_name(n, e) for i, n, e in rows.all()}


async def person_by_number(session: AsyncSession, access: AccessScope, employee_no: str) -> Person | None:
    """The person with this employee number in a unit the reader may read persons in."""
    row = await session.execute(
        select(Person)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(
            col(Person.employee_no) == employee_no.strip(),
            access.unit_filter("person", "read", col(Unit.path)),
        )
    )
    return row.scalar_one_or_none()
