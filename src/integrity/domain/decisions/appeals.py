"""Appeals (申诉): filed against a decision in force, re-reviewed by a panel of uninvolved people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    Appeal,
    AppealPanelMember,
    ApprovalRequest,
    CaseAssignment,
    Decision,
    Relation,
    User,
)
from integrity.domain.approvals.services import open_request
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.services import get_case, unit_path_of
from integrity.domain.cases.team import team_candidates
from integrity.domain.decisions import services, workflow
from integrity.domain.decisions.schemas import AppealIn, AppealOutcomeIn
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_

OBJECT = "decision"


async def get_appeal(session: AsyncSession, access: AccessScope, appeal_id: int) -> tuple[Appeal, Decision]:
    appeal = await session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(N_("No such appeal."))
    try:
        decision = await services.get_decision(session, access, appeal.decision_id)
    except NotFound:
        raise NotFound(N_("No such appeal.")) from None
    return appeal, decision


async def panel_of(session: AsyncSession, appeal_id: int) -> list[int]:
    rows = await session.execute(
        select(col(AppealPanelMember.user_id))
        .where(col(AppealPanelMember.appeal_id) == appeal_id)
        .order_by(col(AppealPanelMember.id))
    )
    return list(rows.scalars())


async def involved_in(session: AsyncSession, decision: Decision) -> set[int]:
    """Everyone who investigated, heard, drafted or decided on the decision: never on its appeal panel."""
    team = await session.execute(
        select(col(CaseAssignment.user_id)).where(col(CaseAssignment.case_id) == decision.case_id)
    )
    deciders = await session.execute(
        select(col(ApprovalRequest.decided_by_id)).where(
            col(ApprovalRequest.object_type) == OBJECT,
            col(ApprovalRequest.object_id) == decision.id,
            col(ApprovalRequest.decided_by_id).is_not(None),
        )
    )
    return set(team.scalars()) | {decision.drafted_by_id} | {u for u in deciders.scalars() if u is not None}


async def file_appeal(
    session: AsyncSession, access: AccessScope, actor: Actor, decision_id: int, data: AppealIn
) -> Appeal:
    """Record an appeal; the 3-month re-review clock starts on the filing date. Execution goes on."""
    decision = await services.get_decision(session, access, decision_id)
    await services.require(session, access, decision, "create")
    if decision.status not in workflow.IN_FORCE:
        raise Conflict(N_("Only an approved decision in force can be appealed."))
    open_appeal = (
        await session.execute(
            select(col(Appeal.id)).where(
                col(Appeal.decision_id) == decision_id, col(Appeal.status).in_(workflow.APPEAL_OPEN)
            )
        )
    ).first()
    if open_appeal:
        raise Conflict(N_("An appeal against this decision is already under way."))
    assert actor.user_id is not None
    appeal = Appeal(
        decision_id=decision_id,
        filed_on=data.filed_on,
        grounds=data.grounds.strip(),
        recorded_by_id=actor.user_id,
    )
    session.add(appeal)
    await session.flush()
    await services.start_clock(session, decision_id, services.APPEAL_REVIEW, data.filed_on, appeal.id)
    await record(
        session,
        actor,
        AuditEntry(
            "decision.appeal.file",
            OBJECT,
            decision_id,
            decision.unit_id,
            after={"appeal_id": appeal.id, "filed_on": data.filed_on.isoformat(), "grounds": appeal.grounds},
        ),
    )
    return appeal


async def assign_panel(
    session: AsyncSession, access: AccessScope, actor: Actor, appeal_id: int, user_id: int
) -> AppealPanelMember:
    """Add a re-reviewer; refuse anyone involved in the decision or tied to its subject."""
    appeal, decision = await get_appeal(session, access, appeal_id)
    await services.require(session, access, decision, "approve")
    if appeal.status not in workflow.APPEAL_OPEN:
        raise Conflict(N_("This appeal has been decided."))
    case = await get_case(session, access, decision.case_id)
    candidates = {u.id for u in await team_candidates(session, await unit_path_of(session, case))}
    if user_id not in candidates:
        raise InvalidInput(N_("Only an active inspector or reviewer of the unit can re-review an appeal."))
    if user_id in await involved_in(session, decision):
        raise InvalidInput(
            N_("Nobody who investigated, heard, drafted or approved the decision may re-review its appeal."),
            denied=True,
        )
    user = await session.get(User, user_id)
    assert user is not None
    related = await session.execute(
        select(col(Relation.id)).where(
            col(Relation.user_id) == user_id, col(Relation.person_id) == decision.person_id
        )
    )
    if user.person_id == decision.person_id or related.first():
        raise InvalidInput(
            N_("This person is the subject of the decision or declared a relation to them."), denied=True
        )
    if user_id in await panel_of(session, appeal_id):
        raise Conflict(N_("Already on the panel."))
    assert actor.user_id is not None
    member = AppealPanelMember(appeal_id=appeal_id, user_id=user_id, assigned_by_id=actor.user_id)
    session.add(member)
    before = appeal.status
    appeal.status = workflow.UNDER_REVIEW
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "decision.appeal.panel",
            OBJECT,
            decision.id or "",
            decision.unit_id,
            {"status": before},
            {"status": appeal.status},
            extra={"appeal_id": appeal_id, "user_id": user_id},
        ),
    )
    return member


async def decide_appeal(
    session: AsyncSession, access: AccessScope, actor: Actor, appeal_id: int, data: AppealOutcomeIn
) -> Appeal:
    """A panel member records the outcome. Modified: a new decision, submitted for approval, supersedes."""
    appeal, decision = await get_appeal(session, access, appeal_id)
    if actor.user_id not in await panel_of(session, appeal_id):
        raise Forbidden(N_("Only a member of the appeal's panel records its outcome."))
    if appeal.status != workflow.UNDER_REVIEW:
        raise Conflict(N_("This appeal is not under re-review."))
    if not data.reason.strip():
        raise InvalidInput(N_("Give the reasons of the re-review."))
    assert actor.user_id is not None
    assert decision.id is not None
    today = local_today()
    entries: list[AuditEntry] = []
    if data.outcome == workflow.APPEAL_REVOKED:
        await services.end_decision(session, decision, "revoke", actor, {"appeal_id": appeal_id})
    elif data.outcome == workflow.MODIFIED:
        if data.new_measure is None:
            raise InvalidInput(N_("A modified decision needs its new measure."))
        replacement = Decision(
            case_id=decision.case_id,
            unit_id=decision.unit_id,
            person_id=decision.person_id,
            measure_code=data.new_measure.measure_code,
            form=0,
            effective_on=data.new_measure.effective_on,
            reasoning=data.reason.strip(),
            status=workflow.SUBMITTED,
            drafted_by_id=actor.user_id,
            supersedes_id=decision.id,
        )
        await services.apply_measure(
            session,
            replacement,
            data.new_measure.measure_code,
            data.new_measure.effective_on,
            data.new_measure.period_months,
        )
        session.add(replacement)
        await session.flush()
        appeal.new_decision_id = replacement.id
        await open_request(
            session,
            actor,
            kind=services.KIND,
            object_id=replacement.id or 0,
            unit_id=replacement.unit_id,
            case_id=replacement.case_id,
            payload={"person_id": replacement.person_id, "measure_code": replacement.measure_code,
                     "form": replacement.form, "supersedes_id": decision.id},
        )  # fmt: skip
        entries.append(
            AuditEntry(
                "decision.draft",
                OBJECT,
                replacement.id or "",
                replacement.unit_id,
                after=services.snapshot(replacement) | {"supersedes_id": decision.id},
            )
        )
    before_appeal = appeal.status
    appeal.status = data.outcome
    appeal.outcome_reason, appeal.decided_by_id, appeal.decided_on = data.reason.strip(), actor.user_id, today
    await services.meet_clock(session, decision.id, services.APPEAL_REVIEW, today)
    await record(
        session,
        actor,
        *entries,
        AuditEntry(
            "decision.appeal.decide",
            OBJECT,
            decision.id,
            decision.unit_id,
            {"status": before_appeal},
            {"status": appeal.status},
            extra={
                "appeal_id": appeal_id,
                "reason": appeal.outcome_reason,
                "new_decision_id": appeal.new_decision_id,
            },
        ),
    )
    return appeal


async def appeals_with_panels(
    session: AsyncSession, appeals: Sequence[Appeal]
) -> list[tuple[Appeal, list[int]]]:
    return [(a, await panel_of(session, a.id or 0)) for a in appeals]
