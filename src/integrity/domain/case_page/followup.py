"""What a case page shows of its follow-up: rectification items and decisions, and whom to assign."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, Decision, Measure, Person, RectificationItem, Unit, User
from integrity.domain.decisions.services import decision_filter
from integrity.domain.rectification.services import item_filter, rectifier_choices
from integrity.lib.authz import AccessScope


@dataclass(frozen=True)
class FollowUp:
    items: list[RectificationItem] = field(default_factory=list)
    decisions: list[tuple[Decision, Person, Measure]] = field(default_factory=list)
    assignees: list[tuple[Unit, User]] = field(default_factory=list)
    can_add_item: bool = False
    can_draft_decision: bool = False


async def follow_up(session: AsyncSession, access: AccessScope, case: Case, unit: Unit) -> FollowUp:
    can_add_item = access.can("rectification", "create", unit.path)
    items: Any = await session.execute(
        select(RectificationItem)
        .where(col(RectificationItem.case_id) == case.id, item_filter(access))
        .order_by(col(RectificationItem.due_on))
    )
    decisions: Any = await session.execute(
        select(Decision, Person, Measure)
        .join(Person, col(Person.id) == col(Decision.person_id))
        .join(Measure, col(Measure.code) == col(Decision.measure_code))
        .where(col(Decision.case_id) == case.id, decision_filter(access))
        .order_by(col(Decision.id))
    )
    return FollowUp(
        list(items.scalars()),
        [tuple(row) for row in decisions.all()],
        await rectifier_choices(session, unit.path) if can_add_item else [],
        can_add_item,
        access.can("decision", "create", unit.path),
    )
