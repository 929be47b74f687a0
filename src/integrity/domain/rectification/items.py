"""Writing items and letters: create them, edit an open item, comment on one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import RecommendationLetter, RectificationItem, Unit
from integrity.domain.cases.services import get_case
from integrity.domain.org.services import require_in_unit, role_holders
from integrity.domain.rectification import workflow
from integrity.domain.rectification.schemas import ItemIn, ItemPatch, LetterIn
from integrity.domain.rectification.services import (
    OBJECT,
    get_item,
    get_letter,
    history_step,
    require_step,
    unit_path,
)
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, InvalidInput
from integrity.lib.i18n import N_


async def _check_responsible(session: AsyncSession, unit: Unit, user_id: int) -> None:
    if user_id not in {u.id for u in await role_holders(session, unit.path, ("rectifier",))}:
        raise InvalidInput(N_("The responsible person must be an active rectifier of the responsible unit."))


async def create_item(
    session: AsyncSession, access: AccessScope, actor: Actor, data: ItemIn
) -> RectificationItem:
    """An item from a case or a letter, assigned to a rectifier of the responsible unit."""
    unit = await require_in_unit(session, access, data.unit_id, OBJECT, "create")
    if data.case_id is None and data.letter_id is None:
        raise InvalidInput(N_("An item comes from a case or a recommendation letter."))
    case_id = data.case_id
    if data.letter_id is not None:
        letter = await get_letter(session, access, data.letter_id)
        letter_path = await unit_path(session, letter.unit_id)
        if not unit.path.startswith(letter_path):
            raise InvalidInput(N_("A letter's items belong to the unit it is addressed to, or below it."))
        case_id = case_id or letter.case_id
    if case_id is not None:
        await get_case(session, access, case_id)
    await _check_responsible(session, unit, data.responsible_user_id)
    assert actor.user_id is not None
    item = RectificationItem(
        unit_id=unit.id or 0,
        case_id=case_id,
        letter_id=data.letter_id,
        requirement=data.requirement.strip(),
        responsible_user_id=data.responsible_user_id,
        due_on=data.due_on,
        created_by_id=actor.user_id,
    )
    session.add(item)
    await session.flush()
    created = history_step(item, "create", actor)
    created.from_status = ""
    session.add(created)
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.create",
            OBJECT,
            item.id or "",
            item.unit_id,
            after=workflow.snapshot(item) | {"case_id": case_id, "letter_id": data.letter_id},
        ),
    )
    return item


async def create_letter(
    session: AsyncSession, access: AccessScope, actor: Actor, data: LetterIn
) -> tuple[RecommendationLetter, list[RectificationItem]]:
    """A recommendation letter to a unit, with its items, in one transaction."""
    unit = await require_in_unit(session, access, data.unit_id, OBJECT, "create")
    if data.case_id is not None:
        await get_case(session, access, data.case_id)
    assert actor.user_id is not None
    letter = RecommendationLetter(
        unit_id=unit.id or 0,
        case_id=data.case_id,
        title=data.title.strip(),
        body=data.body,
        issued_on=data.issued_on,
        issued_by_id=actor.user_id,
    )
    session.add(letter)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.letter.create",
            "recommendation_letter",
            letter.id or "",
            letter.unit_id,
            after={"title": letter.title, "case_id": data.case_id, "issued_on": data.issued_on.isoformat()},
        ),
    )
    items = [
        await create_item(
            session,
            access,
            actor,
            ItemIn(data.unit_id, i.requirement, i.responsible_user_id, i.due_on, letter_id=letter.id),
        )
        for i in data.items
    ]
    return letter, items


async def edit_item(
    session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, patch: ItemPatch
) -> RectificationItem:
    """Change an open item; an approved one is locked (reopen it first), a stale version gets 409."""
    item = await get_item(session, access, item_id)
    await require_step(session, access, item, "edit")
    if patch.version != item.version:
        raise Conflict(workflow.LIFECYCLE.stale)
    before = workflow.snapshot(item)
    if patch.responsible_user_id is not None:
        unit = await session.get(Unit, item.unit_id)
        assert unit is not None
        await _check_responsible(session, unit, patch.responsible_user_id)
        item.responsible_user_id = patch.responsible_user_id
    if patch.requirement is not None:
        item.requirement = patch.requirement.strip()
    if patch.due_on is not None:
        item.due_on = patch.due_on
    item.version += 1
    session.add(history_step(item, "edit", actor))
    await record(
        session,
        actor,
        AuditEntry("rectification.update", OBJECT, item_id, item.unit_id, before, workflow.snapshot(item)),
    )
    return item


async def comment(session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, body: str) -> None:
    item = await get_item(session, access, item_id)
    await require_step(session, access, item, "comment")
    if not body.strip():
        raise InvalidInput(N_("The comment is empty."))
    session.add(history_step(item, "comment", actor, body.strip()))
    await record(
        session,
        actor,
        AuditEntry("rectification.comment", OBJECT, item_id, item.unit_id, after={"body": body}),
    )
