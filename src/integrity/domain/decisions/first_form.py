"""Closing a case with a first-form measure (第一种形态) records that measure as an approved decision.

The closing is the office's decision on the lead, so the measure it names is in force from that day:
it counts in the four-forms statistics and the sanction register like any approved decision, and it
is announced and its execution reported on the same clocks.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import Case, Decision, DecisionStep
from integrity.domain.cases import workflow as case_workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.schemas import TransitionIn
from integrity.domain.decisions import measures, workflow
from integrity.domain.decisions.services import apply_measure, require_subject, start_decision_clocks
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import InvalidInput
from integrity.lib.i18n import N_

FIRST_FORM = 1
FIRST_FORM_DECISION = case_workflow.FIRST_FORM_DECISION  # the case table's name of this effect


async def record_on_closing(session: AsyncSession, actor: Actor, case: Case, data: TransitionIn) -> None:
    """The effect of a first-form closing of the case table (installed by domain/wiring.py)."""
    assert data.person_id is not None  # the row requires both; the kernel refused them empty
    assert data.measure_code is not None
    await record_first_form(session, actor, case, data.person_id, data.measure_code, data.reason)


async def record_first_form(
    session: AsyncSession, actor: Actor, case: Case, person_id: int, measure_code: str, reason: str
) -> Decision:
    """The measure about one subject of the case, approved by the closing inspector, effective today."""
    assert case.id is not None
    assert actor.user_id is not None
    measure = await measures.get_measure(session, measure_code)
    if measure.form != FIRST_FORM:
        raise InvalidInput(N_("A first-form closing records a measure of the first form."))
    await require_subject(session, case.id, person_id)
    today = local_today()
    decision = Decision(
        case_id=case.id,
        unit_id=case.unit_id,
        person_id=person_id,
        measure_code=measure.code,
        form=FIRST_FORM,
        effective_on=today,
        reasoning=reason.strip(),
        status=workflow.APPROVED,
        drafted_by_id=actor.user_id,
        approved_by_id=actor.user_id,
        approved_on=today,
    )
    await apply_measure(session, decision, measure.code, today, None)
    session.add(decision)
    await session.flush()
    assert decision.id is not None
    session.add(
        DecisionStep(
            decision_id=decision.id,
            step="first_form",
            from_status="",
            to_status=workflow.APPROVED,
            reason=decision.reasoning,
            actor_id=actor.user_id,
        )
    )
    await start_decision_clocks(session, decision.id, today)
    await record(
        session,
        actor,
        AuditEntry(
            "decision.first_form",
            workflow.LIFECYCLE.resource,
            decision.id,
            decision.unit_id,
            after=workflow.snapshot(decision) | {"case_id": case.id},
        ),
    )
    return decision
