"""Letters and items: create, edit while open, submit for close-out, comment, reopen, re-inspect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
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
from integrity.domain.approvals.services import open_request, pending_for
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.services import get_case, visible_cases
from integrity.domain.org.services import require_in_unit, role_holders
from integrity.domain.rectification import workflow
from integrity.domain.rectification.schemas import ItemIn, ItemPatch, LetterIn, ReInspectionOutcomeIn
from integrity.domain.rectification.visibility import visible_filter
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_
from integrity.lib.uploads import save_upload, stored_path

CLOSEOUT = "rectification.closeout"
OBJECT = "rectification"


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


async def _require(session: AsyncSession, access: AccessScope, item: RectificationItem, act: str) -> str:
    path = await unit_path(session, item.unit_id)
    if not access.can(OBJECT, act, path):
        raise Forbidden(N_("Your roles do not allow this step on this item."))
    return path


async def _check_responsible(session: AsyncSession, unit: Unit, user_id: int) -> None:
    if user_id not in {u.id for u in await role_holders(session, unit.path, ("rectifier",))}:
        raise InvalidInput(N_("The responsible person must be an active rectifier of the responsible unit."))


def _snapshot(item: RectificationItem) -> dict[str, object]:
    return {
        "requirement": item.requirement,
        "responsible_user_id": item.responsible_user_id,
        "due_on": item.due_on.isoformat(),
        "status": item.status,
    }


def _step(
    item: RectificationItem,
    action: str,
    actor: Actor,
    before: str,
    body: str = "",
    approval_id: int | None = None,
) -> RectificationStep:
    assert item.id is not None
    assert actor.user_id is not None
    return RectificationStep(
        item_id=item.id,
        action=action,
        from_status=before,
        to_status=item.status,
        body=body,
        actor_id=actor.user_id,
        approval_id=approval_id,
    )


def _move(
    session: AsyncSession,
    actor: Actor,
    item: RectificationItem,
    step: str,
    body: str = "",
    approval_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEntry:
    """Move the item along its table (409 if the step does not start here), with its history step.

    Returns the audit entry to record. `closed_on` follows the status: set on approval, cleared otherwise.
    """
    before = item.status
    item.status = workflow.check(step, before)
    item.closed_on = local_today() if item.status == workflow.APPROVED else None
    item.version += 1
    session.add(_step(item, step, actor, before, body, approval_id))
    return AuditEntry(
        f"rectification.{step}",
        OBJECT,
        item.id or "",
        item.unit_id,
        {"status": before},
        {"status": item.status},
        extra=extra or {},
    )


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
    session.add(_step(item, "create", actor, ""))
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.create",
            OBJECT,
            item.id or "",
            item.unit_id,
            after=_snapshot(item) | {"case_id": case_id, "letter_id": data.letter_id},
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
    await _require(session, access, item, "create")
    if item.status not in workflow.EDITABLE:
        raise Conflict(N_("Only an open or returned item can be changed; reopen an approved one first."))
    if patch.version != item.version:
        raise Conflict(N_("Someone changed this item since you opened it; reload and try again."))
    before = _snapshot(item)
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
    session.add(_step(item, "edit", actor, item.status))
    await record(
        session,
        actor,
        AuditEntry("rectification.update", OBJECT, item_id, item.unit_id, before, _snapshot(item)),
    )
    return item


async def evidence_of(session: AsyncSession, item_id: int) -> Sequence[RectificationEvidence]:
    rows = await session.execute(
        select(RectificationEvidence)
        .where(col(RectificationEvidence.item_id) == item_id)
        .order_by(col(RectificationEvidence.id))
    )
    return rows.scalars().all()


async def add_evidence(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    item_id: int,
    upload: UploadFile,
) -> RectificationEvidence:
    """The responsible person attaches proof while the item is open (same rules as case evidence)."""
    item = await get_item(session, access, item_id)
    await _require(session, access, item, "submit")
    if actor.user_id != item.responsible_user_id:
        raise Forbidden(N_("Only the item's responsible person submits its evidence."))
    if item.status not in workflow.EDITABLE:
        raise Conflict(N_("Evidence can be added only while the item is open or returned."))
    stored = await save_upload(settings, upload)
    evidence = RectificationEvidence(
        item_id=item_id,
        sha256=stored.sha256,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_by_id=actor.user_id,
    )
    session.add(evidence)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.evidence.add",
            OBJECT,
            item_id,
            item.unit_id,
            after={"evidence_id": evidence.id, "filename": stored.filename, "sha256": stored.sha256},
        ),
    )
    return evidence


async def open_evidence(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    item_id: int,
    evidence_id: int,
) -> tuple[RectificationEvidence, Path]:
    """A file of a visible item, its download recorded (the caller commits before streaming)."""
    item = await get_item(session, access, item_id)
    row = await session.get(RectificationEvidence, evidence_id)
    if row is None or row.item_id != item_id:
        raise NotFound(N_("No such evidence file."))
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.evidence.download",
            OBJECT,
            item_id,
            item.unit_id,
            extra={"evidence_id": evidence_id, "sha256": row.sha256},
        ),
    )
    return row, stored_path(settings, row.sha256)


async def submit(
    session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, description: str
) -> ApprovalRequest:
    """申请销号: the responsible person describes what was done; a reviewer then decides."""
    item = await get_item(session, access, item_id)
    await _require(session, access, item, "submit")
    if actor.user_id != item.responsible_user_id:
        raise Forbidden(N_("Only the item's responsible person submits it for close-out."))
    workflow.check("submit", item.status)  # a wrong status answers 409 before anything else is checked
    if not description.strip():
        raise InvalidInput(N_("Describe what was done."))
    evidence = [e.id for e in await evidence_of(session, item_id)]
    if not evidence:
        raise InvalidInput(N_("Attach at least one file of evidence before submitting."))
    request = await open_request(
        session,
        actor,
        kind=CLOSEOUT,
        object_id=item_id,
        unit_id=item.unit_id,
        payload={"description": description.strip(), "evidence": evidence},
    )
    moved = _move(
        session, actor, item, "submit", description.strip(), request.id, {"approval_id": request.id}
    )
    await record(session, actor, moved)
    return request


async def decide_closeout(
    session: AsyncSession, request: ApprovalRequest, actor: Actor, *, approve: bool
) -> RectificationItem:
    """The effect of a reviewer's decision on the item (called inside the approval's transaction)."""
    item = await session.get(RectificationItem, request.object_id)
    assert item is not None
    extra = {"approval_id": request.id, "comment": request.comment}
    step = "approve" if approve else "return"
    await record(session, actor, _move(session, actor, item, step, request.comment, request.id, extra))
    return item


async def comment(session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, body: str) -> None:
    item = await get_item(session, access, item_id)
    path = await unit_path(session, item.unit_id)
    if not any(access.can(OBJECT, act, path) for act in ("submit", "create", "approve")):
        raise Forbidden(N_("Your roles do not allow commenting on this item."))
    if not body.strip():
        raise InvalidInput(N_("The comment is empty."))
    session.add(_step(item, "comment", actor, item.status, body.strip()))
    await record(
        session,
        actor,
        AuditEntry("rectification.comment", OBJECT, item_id, item.unit_id, after={"body": body}),
    )


async def reopen(session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, reason: str) -> None:
    """A change after approval is a new, audited step, never an edit in place."""
    item = await get_item(session, access, item_id)
    await _require(session, access, item, "approve")
    moved = _move(session, actor, item, "reopen", reason.strip(), extra={"reason": reason.strip()})
    if not reason.strip():
        raise InvalidInput(N_("Say why the item is reopened."))
    await record(session, actor, moved)


async def reinspections_of(session: AsyncSession, item_id: int) -> Sequence[ReInspection]:
    rows = await session.execute(
        select(ReInspection).where(col(ReInspection.item_id) == item_id).order_by(col(ReInspection.id))
    )
    return rows.scalars().all()


async def schedule_reinspection(
    session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, scheduled_on: date
) -> ReInspection:
    """回头看 of an approved item; one pending re-inspection at a time."""
    item = await get_item(session, access, item_id)
    await _require(session, access, item, "create")
    if item.status != workflow.APPROVED:
        raise Conflict(N_("Only an approved item can be re-inspected."))
    if any(r.outcome is None for r in await reinspections_of(session, item_id)):
        raise Conflict(N_("A re-inspection of this item is already scheduled."))
    assert actor.user_id is not None
    visit = ReInspection(item_id=item_id, scheduled_on=scheduled_on, scheduled_by_id=actor.user_id)
    session.add(visit)
    await session.flush()
    session.add(_step(item, "reinspection_scheduled", actor, item.status, scheduled_on.isoformat()))
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.reinspection.schedule",
            OBJECT,
            item_id,
            item.unit_id,
            after={"reinspection_id": visit.id, "scheduled_on": scheduled_on.isoformat()},
        ),
    )
    return visit


async def record_reinspection(
    session: AsyncSession,
    access: AccessScope,
    actor: Actor,
    item_id: int,
    visit_id: int,
    data: ReInspectionOutcomeIn,
) -> ReInspection:
    """The outcome confirms the close-out or reopens the item."""
    item = await get_item(session, access, item_id)
    await _require(session, access, item, "create")
    visit = await session.get(ReInspection, visit_id)
    if visit is None or visit.item_id != item_id:
        raise NotFound(N_("No such re-inspection."))
    if visit.outcome is not None:
        raise Conflict(N_("This re-inspection already has its outcome."))
    if not data.findings.strip():
        raise InvalidInput(N_("Record what the re-inspection found."))
    before = item.status
    if data.outcome == "reopened":
        item.status = workflow.check("reinspection_reopen", before)
        item.closed_on = None
        item.version += 1
    visit.outcome, visit.findings = data.outcome, data.findings.strip()
    visit.recorded_by_id, visit.recorded_on = actor.user_id, local_today()
    session.add(_step(item, f"reinspection_{data.outcome}", actor, before, visit.findings))
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.reinspection.record",
            OBJECT,
            item_id,
            item.unit_id,
            {"status": before},
            {"status": item.status, "outcome": data.outcome},
            extra={"reinspection_id": visit_id},
        ),
    )
    return visit


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
