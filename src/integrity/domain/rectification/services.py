"""Rectification items and letters as their readers see them, and the one rule for their steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    ApprovalRequest,
    RecommendationLetter,
    RectificationEvidence,
    RectificationItem,
    RectificationStep,
    ReInspection,
    RoleGrant,
    Unit,
    User,
)
from integrity.domain.approvals.services import pending_for
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.services import visible_cases
from integrity.domain.rectification import workflow
from integrity.domain.rectification.visibility import visible_filter
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope
from integrity.lib.errors import NotFound
from integrity.lib.i18n import N_

CLOSEOUT = workflow.CLOSEOUT
OBJECT = workflow.LIFECYCLE.resource


def item_filter(access: AccessScope):  # type: ignore[no-untyped-def]
    return visible_filter(access, col(RectificationItem.unit_id), col(RectificationItem.case_id))


def letter_filter(access: AccessScope):  # type: ignore[no-untyped-def]
    return visible_filter(access, col(RecommendationLetter.unit_id), col(RecommendationLetter.case_id))


async def unit_path(session: AsyncSession, unit_id: int) -> str:
    unit = await session.get(Unit, unit_id)
    assert unit is not None
    return unit.path


async def get_item(session: AsyncSession, access: AccessScope, item_id: int) -> RectificationItem:
    """A visible item, or 404 whether it exists or not."""
    item: RectificationItem | None = (
        await session.execute(
            select(RectificationItem).where(col(RectificationItem.id) == item_id, item_filter(access))
        )
    ).scalar_one_or_none()
    if item is None:
        raise NotFound(N_("No such rectification item."))
    return item


async def get_letter(session: AsyncSession, access: AccessScope, letter_id: int) -> RecommendationLetter:
    letter: RecommendationLetter | None = (
        await session.execute(
            select(RecommendationLetter).where(
                col(RecommendationLetter.id) == letter_id, letter_filter(access)
            )
        )
    ).scalar_one_or_none()
    if letter is None:
        raise NotFound(N_("No such recommendation letter."))
    return letter


async def evidence_of(session: AsyncSession, item_id: int) -> Sequence[RectificationEvidence]:
    rows = await session.execute(
        select(RectificationEvidence)
        .where(col(RectificationEvidence.item_id) == item_id)
        .order_by(col(RectificationEvidence.id))
    )
    return rows.scalars().all()


async def reinspections_of(session: AsyncSession, item_id: int) -> Sequence[ReInspection]:
    rows = await session.execute(
        select(ReInspection).where(col(ReInspection.item_id) == item_id).order_by(col(ReInspection.id))
    )
    return rows.scalars().all()


@dataclass(frozen=True)
class ItemFilters:
    mine: bool = False
    status: str | None = None
    overdue: bool = False
    letter_id: int | None = None


LIST_LIMIT = 500


async def list_items(
    session: AsyncSession, access: AccessScope, filters: ItemFilters
) -> Sequence[RectificationItem]:
    """Visible items, soonest due first (overdue ones lead)."""
    query = select(RectificationItem).where(item_filter(access))
    if filters.mine:
        query = query.where(col(RectificationItem.responsible_user_id) == access.principal.user_id)
    if filters.status:
        query = query.where(col(RectificationItem.status) == filters.status)
    if filters.overdue:
        query = query.where(
            col(RectificationItem.status).in_(workflow.OUTSTANDING),
            col(RectificationItem.due_on) < local_today(),
        )
    if filters.letter_id is not None:
        query = query.where(col(RectificationItem.letter_id) == filters.letter_id)
    rows = await session.execute(
        query.order_by(col(RectificationItem.due_on), col(RectificationItem.id)).limit(LIST_LIMIT)
    )
    return rows.scalars().all()


async def list_letters(session: AsyncSession, access: AccessScope) -> Sequence[RecommendationLetter]:
    rows = await session.execute(
        select(RecommendationLetter)
        .where(letter_filter(access))
        .order_by(col(RecommendationLetter.id).desc())
    )
    return rows.scalars().all()


async def steps_of(session: AsyncSession, item_id: int) -> Sequence[RectificationStep]:
    rows = await session.execute(
        select(RectificationStep)
        .where(col(RectificationStep.item_id) == item_id)
        .order_by(col(RectificationStep.id))
    )
    return rows.scalars().all()


async def pending_closeout(session: AsyncSession, item_id: int) -> ApprovalRequest | None:
    return await pending_for(session, OBJECT, item_id)


@dataclass(frozen=True)
class ItemFile:
    """Everything a reader of one item sees, for the API and the item page."""

    item: RectificationItem
    letter: RecommendationLetter | None
    steps: Sequence[RectificationStep]
    evidence: Sequence[RectificationEvidence]
    reinspections: Sequence[ReInspection]
    pending: ApprovalRequest | None
    case_visible: bool


async def load_item_file(session: AsyncSession, access: AccessScope, item_id: int) -> ItemFile:
    item = await get_item(session, access, item_id)
    letter = await session.get(RecommendationLetter, item.letter_id) if item.letter_id else None
    case_visible = item.case_id is not None and bool(await visible_cases(session, access, {item.case_id}))
    return ItemFile(
        item,
        letter,
        await steps_of(session, item_id),
        await evidence_of(session, item_id),
        await reinspections_of(session, item_id),
        await pending_closeout(session, item_id),
        case_visible,
    )


async def rectifier_choices(session: AsyncSession, unit_path: str) -> list[tuple[Unit, User]]:
    """(unit, rectifier) pairs at or below a unit: whom an item from this case can be assigned to."""
    rows = await session.execute(
        select(Unit, User)
        .join(RoleGrant, col(RoleGrant.unit_id) == col(Unit.id))
        .join(User, col(User.id) == col(RoleGrant.user_id))
        .where(
            col(RoleGrant.role) == "rectifier",
            col(User.is_active).is_(True),
            col(Unit.path).startswith(unit_path, autoescape=True),
        )
        .order_by(col(Unit.path), col(User.display_name))
    )
    return [(u, usr) for u, usr in rows.all()]


def facts(access: AccessScope, item: RectificationItem) -> workflow.ItemFacts:
    return workflow.ItemFacts(is_responsible=access.principal.user_id == item.responsible_user_id)


def offered(access: AccessScope, item: RectificationItem, path: str) -> frozenset[str]:
    """The steps of the table this user may make on this item now: the item page's buttons."""
    return workflow.LIFECYCLE.offered(
        item.status, lambda act: access.can(OBJECT, act, path), facts(access, item)
    )


async def require_step(session: AsyncSession, access: AccessScope, item: RectificationItem, step: str) -> str:
    """Raise the table's refusal of this step for this user now, if any; the item's unit path."""
    path = await unit_path(session, item.unit_id)
    workflow.LIFECYCLE.require(
        workflow.LIFECYCLE.by_name[step],
        item.status,
        lambda act: access.can(OBJECT, act, path),
        facts(access, item),
    )
    return path


async def move(
    session: AsyncSession,
    item: RectificationItem,
    step: str,
    actor: Actor,
    *,
    reason: str = "",
    approval_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """A row of the table (409 if it does not start here); only approval closes an item off."""
    await workflow.LIFECYCLE.advance(
        session,
        item,
        step,
        actor=actor,
        reason=reason,
        approval_id=approval_id,
        values={"closed_on": None},
        extra=extra,
    )


def history_step(item: RectificationItem, step: str, actor: Actor, body: str = "") -> RectificationStep:
    """A history entry that keeps the status (an edit, a comment, a re-inspection visit)."""
    assert item.id is not None
    assert actor.user_id is not None
    return RectificationStep(
        item_id=item.id,
        action=step,
        from_status=item.status,
        to_status=item.status,
        body=body,
        actor_id=actor.user_id,
    )
