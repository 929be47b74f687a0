"""Changing the organisation tree: rename, move a subtree under another parent, deactivate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Unit, User
from integrity.domain.org.schemas import UNIT_KINDS
from integrity.domain.org.services import UNIT_FIELDS, require_in_unit, snapshot
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope, bump_grants_version
from integrity.lib.errors import Conflict, one_of
from integrity.lib.i18n import N_


@dataclass(frozen=True)
class UnitChange:
    """What a change of a unit may set; None leaves a field as it is."""

    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    parent_id: int | None = None
    active: bool | None = None


async def change_unit(
    session: AsyncSession, actor: Actor, unit_id: int, change: UnitChange, *, access: AccessScope | None
) -> Unit:
    """Rename, move and (de)activate a unit in one transaction with one audit event."""
    unit = await require_in_unit(session, access, unit_id, "unit", "update")
    before = snapshot(unit, UNIT_FIELDS)
    if change.kind is not None and change.kind not in UNIT_KINDS:
        raise one_of("kind", UNIT_KINDS)
    for field in ("name", "name_en", "kind"):
        value = getattr(change, field)
        if value is not None:
            setattr(unit, field, value.strip())
    if change.parent_id is not None and change.parent_id != unit.parent_id:
        await _move(session, unit, change.parent_id, access)
    if change.active is not None and change.active != unit.active:
        if not change.active:
            await _refuse_deactivating_with_work(session, unit)
        unit.active = change.active
    session.add(unit)
    await session.flush()
    after = snapshot(unit, UNIT_FIELDS)
    if after != before:
        await record(
            session,
            actor,
            AuditEntry("unit.update", "unit", unit_id, unit.id, before=before, after=after),
        )
    return unit


async def _move(session: AsyncSession, unit: Unit, parent_id: int, access: AccessScope | None) -> None:
    """Rewrite the paths of the unit and everything below it; grants reach by path, so they follow."""
    if unit.parent_id is None:
        raise Conflict(N_("The root unit cannot be moved."))
    parent = await require_in_unit(session, access, parent_id, "unit", "create")
    old = unit.path
    if parent.path.startswith(old):
        raise Conflict(N_("A unit cannot be moved under itself or one of its own sub-units."))
    new = f"{parent.path}{unit.id}/"
    await session.execute(
        update(Unit)
        .where(col(Unit.path).startswith(old, autoescape=True))
        .values(path=literal(new) + func.substr(col(Unit.path), len(old) + 1))
        .execution_options(synchronize_session=False)
    )
    await session.refresh(unit)
    unit.parent_id = parent.id
    # Every worker's cached grants hold unit paths: they reload on their next request.
    await bump_grants_version(session)


async def _refuse_deactivating_with_work(session: AsyncSession, unit: Unit) -> None:
    children = await session.scalar(
        select(func.count())
        .select_from(Unit)
        .where(col(Unit.parent_id) == unit.id, col(Unit.active).is_(True))
    )
    if children:
        raise Conflict(N_("Deactivate or move this unit's active sub-units first."))
    users = await session.scalar(
        select(func.count())
        .select_from(User)
        .where(col(User.unit_id) == unit.id, col(User.is_active).is_(True))
    )
    if users:
        raise Conflict(N_("Disable or move this unit's active users first."))
