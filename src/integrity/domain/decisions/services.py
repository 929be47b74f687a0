"""Decisions: draft, submit for approval, announce, report execution; clocks start on approval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    Appeal,
    ApprovalRequest,
    CaseSubject,
    ClockRule,
    Decision,
    DecisionClock,
    DecisionStep,
)
from integrity.domain.approvals.services import open_request, pending_for
from integrity.domain.cases import clocks
from integrity.domain.cases import workflow as case_workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.services import get_case, unit_path_of
from integrity.domain.cases.visibility import case_visible
from integrity.domain.decisions import measures, workflow
from integrity.domain.decisions.schemas import DecisionIn, DecisionPatch
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_

KIND = workflow.KIND
OBJECT = "decision"
ANNOUNCEMENT, EXECUTION, APPEAL_REVIEW = "decision_announcement", "decision_execution", "appeal_review"
snapshot = workflow.snapshot


def decision_filter(access: AccessScope):  # type: ignore[no-untyped-def]
    """A decision is visible exactly when its case is (conflict of interest, recusal, confidentiality)."""
    return case_visible(access, col(Decision.case_id))


async def get_decision(session: AsyncSession, access: AccessScope, decision_id: int) -> Decision:
    found: Decision | None = (
        await session.execute(
            select(Decision).where(col(Decision.id) == decision_id, decision_filter(access))
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(N_("No such decision."))
    return found


async def require(session: AsyncSession, access: AccessScope, decision: Decision, act: str) -> None:
    """A Casbin action on the decision's unit (steps outside the table: appeals and their panels)."""
    case = await get_case(session, access, decision.case_id)
    if not access.can(OBJECT, act, await unit_path_of(session, case)):
        raise Forbidden(N_("Your roles do not allow this step on this decision."))


def facts(access: AccessScope, decision: Decision) -> workflow.DecisionFacts:
    return workflow.DecisionFacts(is_drafter=access.principal.user_id == decision.drafted_by_id)


def offered(access: AccessScope, decision: Decision, unit_path: str) -> frozenset[str]:
    """The steps of the table this user may make now: the decision page's buttons."""
    return workflow.LIFECYCLE.offered(
        decision.status, lambda act: access.can(OBJECT, act, unit_path), facts(access, decision)
    )


async def require_step(session: AsyncSession, access: AccessScope, decision: Decision, step: str) -> None:
    """Raise the table's refusal of this step for this user now, if there is one."""
    case = await get_case(session, access, decision.case_id)
    path = await unit_path_of(session, case)
    workflow.LIFECYCLE.require(
        workflow.LIFECYCLE.by_name[step],
        decision.status,
        lambda act: access.can(OBJECT, act, path),
        facts(access, decision),
    )


async def require_subject(session: AsyncSession, case_id: int, person_id: int) -> None:
    """A decision is about one of its case's subjects (422 otherwise)."""
    subject = (
        await session.execute(
            select(col(CaseSubject.id)).where(
                col(CaseSubject.case_id) == case_id, col(CaseSubject.person_id) == person_id
            )
        )
    ).first()
    if subject is None:
        raise InvalidInput(N_("A decision names one of the case's subjects."))


async def apply_measure(
    session: AsyncSession, decision: Decision, code: str, effective_on: date, months: int | None
) -> None:
    """Set measure, form and effect period from the catalogue as it stands when drafted."""
    measure = await measures.get_measure(session, code)
    decision.measure_code = measure.code
    decision.form = measure.form
    decision.effective_on = effective_on
    decision.period_months = measures.effect_period(measure, months)
    decision.effect_ends_on = measures.effect_end(effective_on, decision.period_months)


async def draft(session: AsyncSession, access: AccessScope, actor: Actor, data: DecisionIn) -> Decision:
    """A draft about a subject of the case, by an inspector who may see the case."""
    case = await get_case(session, access, data.case_id)
    if not access.can(OBJECT, "create", await unit_path_of(session, case)):
        raise Forbidden(N_("Your roles do not allow drafting decisions in this unit."))
    if case.status == case_workflow.CLOSED:
        raise Conflict(N_("A closed case is read-only; a reviewer can reopen it."))
    await require_subject(session, data.case_id, data.person_id)
    assert actor.user_id is not None
    decision = Decision(
        case_id=data.case_id,
        unit_id=case.unit_id,
        person_id=data.person_id,
        measure_code=data.measure_code,
        form=0,
        effective_on=data.effective_on,
        reasoning=data.reasoning.strip(),
        drafted_by_id=actor.user_id,
    )
    await apply_measure(session, decision, data.measure_code, data.effective_on, data.period_months)
    session.add(decision)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry("decision.draft", OBJECT, decision.id or "", decision.unit_id, after=snapshot(decision)),
    )
    return decision


async def edit(
    session: AsyncSession, access: AccessScope, actor: Actor, decision_id: int, patch: DecisionPatch
) -> Decision:
    decision = await get_decision(session, access, decision_id)
    await require_step(session, access, decision, "edit")
    if patch.version != decision.version:
        raise Conflict(N_("Someone changed this decision since you opened it; reload and try again."))
    before = snapshot(decision)
    code = patch.measure_code or decision.measure_code
    effective_on = patch.effective_on or decision.effective_on
    months = patch.period_months
    measure = await measures.get_measure(session, code)
    if months is None and measures.choices(measure) and code == decision.measure_code:
        months = decision.period_months
    await apply_measure(session, decision, code, effective_on, months)
    if patch.reasoning is not None:
        decision.reasoning = patch.reasoning.strip()
    decision.version += 1
    session.add(  # the history keeps both versions: the audit event holds what changed
        DecisionStep(
            decision_id=decision_id,
            step="edit",
            from_status=decision.status,
            to_status=decision.status,
            actor_id=actor.user_id,
        )
    )
    await record(
        session,
        actor,
        AuditEntry("decision.update", OBJECT, decision_id, decision.unit_id, before, snapshot(decision)),
    )
    return decision


async def submit(
    session: AsyncSession, access: AccessScope, actor: Actor, decision_id: int
) -> ApprovalRequest:
    """The drafter submits; a reviewer other than the drafter approves or returns."""
    decision = await get_decision(session, access, decision_id)
    await require_step(session, access, decision, "submit")
    request = await open_request(
        session,
        actor,
        kind=KIND,
        object_id=decision_id,
        unit_id=decision.unit_id,
        case_id=decision.case_id,
        payload={
            "person_id": decision.person_id,
            "measure_code": decision.measure_code,
            "form": decision.form,
        },
    )
    await workflow.LIFECYCLE.advance(
        session, decision, "submit", actor=actor, approval_id=request.id, extra={"approval_id": request.id}
    )
    return request


async def start_clock(
    session: AsyncSession, decision_id: int, rule_code: str, start: date, appeal_id: int | None = None
) -> DecisionClock:
    rule = await session.get(ClockRule, rule_code)
    assert rule is not None, f"clock rule {rule_code} is seeded by migration 0007"
    clock = DecisionClock(
        decision_id=decision_id,
        appeal_id=appeal_id,
        rule_code=rule_code,
        started_on=start,
        due_on=clocks.due_date(rule, start, await clocks.work_calendar(session)),
    )
    session.add(clock)
    return clock


async def meet_clock(session: AsyncSession, decision_id: int, rule_code: str, on: date) -> None:
    await session.execute(
        update(DecisionClock)
        .where(
            col(DecisionClock.decision_id) == decision_id,
            col(DecisionClock.rule_code) == rule_code,
            col(DecisionClock.met_on).is_(None),
            col(DecisionClock.stopped_on).is_(None),
        )
        .values(met_on=on)
    )


async def stop_clocks(session: AsyncSession, decision_id: int, on: date, reason: str) -> None:
    """A revoked or superseded decision owes nothing more: its running clocks stop."""
    await session.execute(
        update(DecisionClock)
        .where(
            col(DecisionClock.decision_id) == decision_id,
            col(DecisionClock.met_on).is_(None),
            col(DecisionClock.stopped_on).is_(None),
        )
        .values(stopped_on=on, stop_reason=reason)
    )


async def start_decision_clocks(session: AsyncSession, decision_id: int, today: date) -> None:
    """Approval starts the announcement and execution-report clocks."""
    await start_clock(session, decision_id, ANNOUNCEMENT, today)
    await start_clock(session, decision_id, EXECUTION, today)


async def end_decision(
    session: AsyncSession, decision: Decision, step: str, actor: Actor, extra: dict[str, Any]
) -> None:
    """Revoke or supersede a decision in force: the move, and its clocks stop."""
    await workflow.LIFECYCLE.advance(session, decision, step, actor=actor, extra=extra)
    assert decision.id is not None
    await stop_clocks(session, decision.id, local_today(), step)


async def on_decided(session: AsyncSession, request: ApprovalRequest, actor: Actor, *, approve: bool) -> None:
    """The reviewer's decision: approval starts the clocks, and supersedes what it replaces."""
    decision = await session.get(Decision, request.object_id)
    assert decision is not None
    assert decision.id is not None
    today = local_today()
    await workflow.LIFECYCLE.decide(
        session,
        decision,
        workflow.LIFECYCLE.by_name["submit"],
        approve=approve,
        actor=actor,
        reason=request.comment,
        approval_id=request.id,
        values={"approved_by_id": actor.user_id, "approved_on": today} if approve else None,
        extra={"approval_id": request.id, "comment": request.comment},
    )
    if approve:
        await start_decision_clocks(session, decision.id, today)
        if decision.supersedes_id is not None:
            old = await session.get(Decision, decision.supersedes_id)
            assert old is not None
            await end_decision(session, old, "supersede", actor, {"superseded_by": decision.id})


async def announce(
    session: AsyncSession, access: AccessScope, actor: Actor, decision_id: int, on: date
) -> Decision:
    decision = await get_decision(session, access, decision_id)
    await require_step(session, access, decision, "announce")
    if decision.approved_on and on < decision.approved_on:
        raise InvalidInput(N_("A decision is announced on or after its approval."))
    await workflow.LIFECYCLE.advance(session, decision, "announce", actor=actor, values={"announced_on": on})
    await meet_clock(session, decision_id, ANNOUNCEMENT, on)
    return decision


async def report_execution(
    session: AsyncSession, access: AccessScope, actor: Actor, decision_id: int, on: date, report: str
) -> Decision:
    decision = await get_decision(session, access, decision_id)
    await require_step(session, access, decision, "report_execution")
    workflow.LIFECYCLE.require_fields("report_execution", {"report": report})
    await workflow.LIFECYCLE.advance(
        session,
        decision,
        "report_execution",
        actor=actor,
        reason=report.strip(),
        values={"executed_on": on, "execution_report": report.strip()},
        extra={"report": report.strip()},
    )
    await meet_clock(session, decision_id, EXECUTION, on)
    return decision


async def list_decisions(
    session: AsyncSession,
    access: AccessScope,
    *,
    case_id: int | None = None,
    person_id: int | None = None,
    status: str | None = None,
) -> Sequence[Decision]:
    query = select(Decision).where(decision_filter(access))
    if case_id is not None:
        query = query.where(col(Decision.case_id) == case_id)
    if person_id is not None:
        query = query.where(col(Decision.person_id) == person_id)
    if status is not None:
        query = query.where(col(Decision.status) == status)
    return (await session.execute(query.order_by(col(Decision.id).desc()).limit(500))).scalars().all()


@dataclass(frozen=True)
class DecisionFile:
    decision: Decision
    clocks: list[clocks.ClockView]
    appeals: Sequence[Appeal]
    pending: ApprovalRequest | None
    history: Sequence[DecisionStep] = ()

    @property
    def returned_with(self) -> DecisionStep | None:
        """The reviewer's return of a returned decision: who, when and why, for its drafter to act on."""
        if self.decision.status != workflow.RETURNED:
            return None
        return next((h for h in reversed(self.history) if h.step == "return"), None)


async def load_decision_file(session: AsyncSession, access: AccessScope, decision_id: int) -> DecisionFile:
    decision = await get_decision(session, access, decision_id)
    rows = (
        await session.execute(
            select(DecisionClock)
            .where(col(DecisionClock.decision_id) == decision_id)
            .order_by(col(DecisionClock.id))
        )
    ).scalars()
    cal = await clocks.work_calendar(session)
    today = local_today()
    appeals = (
        (
            await session.execute(
                select(Appeal).where(col(Appeal.decision_id) == decision_id).order_by(col(Appeal.id))
            )
        )
        .scalars()
        .all()
    )
    history = (
        await session.execute(
            select(DecisionStep)
            .where(col(DecisionStep.decision_id) == decision_id)
            .order_by(col(DecisionStep.id))
        )
    ).scalars()
    return DecisionFile(
        decision,
        [clocks.judge(c, today, cal) for c in rows],
        appeals,
        await pending_for(session, OBJECT, decision_id),
        list(history),
    )
