"""Moving a case through its table: the one refusal rule, the move and its effects (clocks, panels)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, CaseAssignment, Decision
from integrity.domain.approvals.services import open_request, payload_of
from integrity.domain.cases import clocks, workflow
from integrity.domain.cases.schemas import TransitionIn
from integrity.domain.cases.services import get_case, unit_path_of
from integrity.domain.cases.workflow import LIFECYCLE, CaseFacts
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope
from integrity.lib.errors import DomainError, InvalidInput, one_of
from integrity.lib.i18n import N_
from integrity.lib.workflow import Transition

# What another domain does when a step of the case table runs (the row names it by `effect`). Installed
# once by domain/wiring.install_all(), so the cases domain never imports the domains above it.
StepEffect = Callable[[AsyncSession, Actor, Case, TransitionIn], Awaitable[None]]
_STEP_EFFECTS: dict[str, StepEffect] = {}


def install_step_effects(effects: Mapping[str, StepEffect]) -> None:
    _STEP_EFFECTS.clear()
    _STEP_EFFECTS.update(effects)


def _effect_of(spec: Transition) -> StepEffect | None:
    if spec.effect is None:
        return None
    effect = _STEP_EFFECTS.get(spec.effect)
    if effect is None:  # a step without its effect would close cases and record nothing: never
        raise RuntimeError(f"the effect {spec.effect!r} of {spec.name} is not installed (domain/wiring.py)")
    return effect


def transition_refusal(
    access: AccessScope, case: Case, unit_path: str, spec: Transition, facts: CaseFacts
) -> DomainError | None:
    """Why this user may not make this step now, or None: the one rule for the API and the buttons."""
    return LIFECYCLE.refusal(spec, case.status, lambda act: access.can("case", act, unit_path), facts)


def allowed_transitions(access: AccessScope, case: Case, unit_path: str, facts: CaseFacts) -> list[str]:
    """What this user may press now: the table's transitions from this status that the rule allows."""
    return LIFECYCLE.allowed(case.status, lambda act: access.can("case", act, unit_path), facts)


async def case_facts(session: AsyncSession, access: AccessScope, case_id: int) -> CaseFacts:
    """The facts the guards ask, in one query."""
    in_force = (
        select(func.count())
        .select_from(Decision)
        .where(col(Decision.case_id) == case_id, col(Decision.status).in_(Decision.IN_FORCE))
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            select(col(CaseAssignment.team), in_force)
            .select_from(Case)
            .outerjoin(
                CaseAssignment,
                (col(CaseAssignment.case_id) == col(Case.id))
                & (col(CaseAssignment.user_id) == access.principal.user_id)
                & col(CaseAssignment.recused_at).is_(None),
            )
            .where(col(Case.id) == case_id)
        )
    ).all()
    return CaseFacts(frozenset(r[0] for r in rows if r[0]), int(rows[0][1]) if rows else 0)


async def move(
    session: AsyncSession,
    case: Case,
    *,
    to: str,
    transition: str,
    actor: Actor,
    reason: str,
    expected_version: int,
    approval_id: int | None = None,
    disposal: str | None = None,
) -> None:
    """The kernel's versioned move, then the case's own effect: its clocks follow the step."""
    from_status = case.status
    await LIFECYCLE.move(
        session,
        case,
        transition,
        to,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
        approval_id=approval_id,
        values={"disposal": disposal} if disposal is not None else None,
        extra={"transition": transition, "reason": reason},
    )
    assert case.id is not None
    await clocks.on_step(session, case.id, transition, from_status, to, clocks.local_today())


async def decide(
    session: AsyncSession, case: Case, proposal: Transition, actor: Actor, *, approve: bool, request: Any
) -> None:
    """A reviewer's answer to a case proposal (the approval's effect), then the clocks follow."""
    payload = payload_of(request)
    from_status = case.status
    target = proposal.approved_target or payload["disposal"] if approve else None
    disposal = payload.get("disposal") if approve else None
    step = await LIFECYCLE.decide(
        session,
        case,
        proposal,
        approve=approve,
        actor=actor,
        reason=request.comment,
        approval_id=request.id,
        target=target,
        values={"disposal": disposal} if disposal is not None else None,
        extra={
            "transition": f"{'approve' if approve else 'return'}:{proposal.name}",
            "reason": request.comment,
        },
    )
    assert case.id is not None
    await clocks.on_step(session, case.id, step, from_status, case.status, clocks.local_today())


async def _check_hearing_panel(session: AsyncSession, case_id: int) -> None:
    """查审分离: a hearing needs a panel, and nobody on it investigated the case."""
    rows = (
        await session.execute(
            select(col(CaseAssignment.user_id), col(CaseAssignment.team)).where(
                col(CaseAssignment.case_id) == case_id,
                col(CaseAssignment.recused_at).is_(None),
            )
        )
    ).all()
    panel = {u for u, team in rows if team == "hearing"}
    investigators = {u for u, team in rows if team == "investigation"}
    if not panel:
        raise InvalidInput(N_("Assign a hearing panel before the hearing starts."))
    if panel & investigators:
        raise InvalidInput(N_("Investigation and hearing must be done by different people."))


async def apply_transition(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, data: TransitionIn
) -> Case:
    """The one way a case changes status: through a row of the transition table."""
    case = await get_case(session, access, case_id)
    spec = LIFECYCLE.step(data.transition)
    if spec.target is None or not spec.action:
        raise InvalidInput(LIFECYCLE.unknown_step)
    assert case.id is not None
    refusal = transition_refusal(
        access, case, await unit_path_of(session, case), spec, await case_facts(session, access, case.id)
    )
    if refusal is not None:
        raise refusal
    LIFECYCLE.require_fields(
        spec.name,
        {
            "reason": data.reason,
            "disposal": data.disposal,
            "person_id": data.person_id,
            "measure_code": data.measure_code,
        },
    )
    if "disposal" in spec.requires and data.disposal not in workflow.DISPOSALS:
        raise one_of("disposal", workflow.DISPOSALS)
    if spec.target == workflow.HEARING:
        await _check_hearing_panel(session, case.id)
    approval_id = None
    if spec.approval:
        payload = {"transition": spec.name, "reason": data.reason}
        if data.disposal:
            payload["disposal"] = data.disposal
        request = await open_request(
            session,
            actor,
            kind=spec.approval,
            object_id=case.id,
            unit_id=case.unit_id,
            case_id=case.id,
            payload=payload,
        )
        approval_id = request.id
    effect = _effect_of(spec)
    if effect is not None:
        await effect(session, actor, case, data)
    await move(
        session,
        case,
        to=spec.target,
        transition=spec.name,
        actor=actor,
        reason=data.reason,
        expected_version=data.version,
        approval_id=approval_id,
    )
    return case
