"""回头看: re-inspecting an approved item, which confirms its close-out or reopens it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import ReInspection
from integrity.domain.cases.clocks import local_today
from integrity.domain.rectification.schemas import ReInspectionOutcomeIn
from integrity.domain.rectification.services import (
    OBJECT,
    get_item,
    history_step,
    move,
    reinspections_of,
    require_step,
)
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, InvalidInput, NotFound
from integrity.lib.i18n import N_


async def schedule_reinspection(
    session: AsyncSession, access: AccessScope, actor: Actor, item_id: int, scheduled_on: date
) -> ReInspection:
    """回头看 of an approved item; one pending re-inspection at a time."""
    item = await get_item(session, access, item_id)
    await require_step(session, access, item, "schedule_reinspection")
    if any(r.outcome is None for r in await reinspections_of(session, item_id)):
        raise Conflict(N_("A re-inspection of this item is already scheduled."))
    assert actor.user_id is not None
    visit = ReInspection(item_id=item_id, scheduled_on=scheduled_on, scheduled_by_id=actor.user_id)
    session.add(visit)
    await session.flush()
    session.add(history_step(item, "reinspection_scheduled", actor, scheduled_on.isoformat()))
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
    visit = await session.get(ReInspection, visit_id)
    if visit is None or visit.item_id != item_id:
        raise NotFound(N_("No such re-inspection."))
    if visit.outcome is not None:
        raise Conflict(N_("This re-inspection already has its outcome."))
    await require_step(session, access, item, "record_reinspection")
    if not data.findings.strip():
        raise InvalidInput(N_("Record what the re-inspection found."))
    visit.outcome, visit.findings = data.outcome, data.findings.strip()
    visit.recorded_by_id, visit.recorded_on = actor.user_id, local_today()
    extra = {"reinspection_id": visit_id, "outcome": data.outcome, "findings": visit.findings}
    if data.outcome == "reopened":
        await move(session, item, "reinspection_reopen", actor, reason=visit.findings, extra=extra)
    else:
        session.add(history_step(item, f"reinspection_{data.outcome}", actor, visit.findings))
    await record(
        session,
        actor,
        AuditEntry(
            "rectification.reinspection.record",
            OBJECT,
            item_id,
            item.unit_id,
            after={"status": item.status, "outcome": data.outcome},
            extra={"reinspection_id": visit_id},
        ),
    )
    return visit
