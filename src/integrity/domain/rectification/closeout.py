"""Closing an item off (销号): evidence, the close-out request, the reviewer's decision, reopening."""

from __future__ import annotations

from pathlib import Path

from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.config import Settings
from integrity.db.models import ApprovalRequest, RectificationEvidence, RectificationItem
from integrity.domain.approvals.services import open_request
from integrity.domain.cases.clocks import local_today
from integrity.domain.rectification import workflow
from integrity.domain.rectification.services import (
    CLOSEOUT,
    OBJECT,
    evidence_of,
    get_item,
    move,
    require_step,
)
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import InvalidInput, NotFound
from integrity.lib.i18n import N_
from integrity.lib.uploads import save_upload, stored_path


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
    await require_step(session, access, item, "add_evidence")
    assert actor.user_id is not None
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
    await require_step(session, access, item, "submit")
    workflow.LIFECYCLE.require_fields("submit", {"description": description})
    evidence = [e.id for e in await evidence_of(session, item_id)]
    if not evidence:
        raise InvalidInput(N_("Attach at least one file of evidence before submitting."))
    request = await open_request(
        session,
        actor,
        kind=CLOSEOUT,
        object_id=item_id,
        unit_id=item.unit_id,
        case_id=item.case_id,
        payload={"description": description.strip(), "evidence": evidence},
    )
    await move(
        session,
        item,
        "submit",
        actor,
        reason=description.strip(),
        approval_id=request.id,
        extra={"approval_id": request.id},
    )
    return request


async def decide_closeout(
    session: AsyncSession, request: ApprovalRequest, actor: Actor, *, approve: bool
) -> RectificationItem:
    """The effect of a reviewer's decision on the item (called inside the approval's transaction)."""
    item = await session.get(RectificationItem, request.object_id)
    assert item is not None
    await workflow.LIFECYCLE.decide(
        session,
        item,
        workflow.LIFECYCLE.by_name["submit"],
        approve=approve,
        actor=actor,
        reason=request.comment,
        approval_id=request.id,
        values={"closed_on": local_today() if approve else None},
        extra={"approval_id": request.id, "comment": request.comment},
    )
    return item


async def reopen(session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, reason: str) -> None:
    """A change after approval is a new, audited step, never an edit in place."""
    item = await get_item(session, access, item_id)
    await require_step(session, access, item, "reopen")
    workflow.LIFECYCLE.require_fields("reopen", {"reason": reason})
    await move(session, item, "reopen", actor, reason=reason.strip(), extra={"reason": reason.strip()})
