"""The decision and appeal lifecycles as tables that the services, the pages and the tests consult."""

from __future__ import annotations

from dataclasses import dataclass

from integrity.db.models import Decision, DecisionStep
from integrity.lib.errors import Forbidden
from integrity.lib.i18n import N_
from integrity.lib.workflow import Guard, Lifecycle, Move, Transition

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
ANNOUNCED, EXECUTED, REVOKED, SUPERSEDED = "announced", "executed", "revoked", "superseded"
STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED, ANNOUNCED, EXECUTED, REVOKED, SUPERSEDED)
EDITABLE = (DRAFT, RETURNED)
# Approved and in force (an appeal does not suspend execution): these count and restrict.
IN_FORCE = Decision.IN_FORCE
assert set(IN_FORCE) == {APPROVED, ANNOUNCED, EXECUTED}

FILED, UNDER_REVIEW, UPHELD, MODIFIED, APPEAL_REVOKED = (
    "filed",
    "under_review",
    "upheld",
    "modified",
    "revoked",
)
APPEAL_OPEN = (FILED, UNDER_REVIEW)
OUTCOMES = (UPHELD, MODIFIED, APPEAL_REVOKED)


KIND = "decision.approval"  # the approval kind of a submitted decision


@dataclass(frozen=True)
class DecisionFacts:
    """What the guards ask beyond the decision's status and the user's roles."""

    is_drafter: bool


DRAFTER = Guard(
    "drafter",
    lambda facts: facts.is_drafter,
    lambda: Forbidden(N_("Only the drafter submits a decision.")),
)
DRAFTER_EDITS = Guard(
    "drafter_edits",
    lambda facts: facts.is_drafter,
    lambda: Forbidden(N_("Only the drafter changes a decision.")),
)


def snapshot(d: Decision) -> dict[str, object]:
    return {
        "status": d.status,
        "person_id": d.person_id,
        "measure_code": d.measure_code,
        "form": d.form,
        "period_months": d.period_months,
        "effective_on": d.effective_on.isoformat(),
        "effect_ends_on": d.effect_ends_on.isoformat() if d.effect_ends_on else None,
        "reasoning": d.reasoning,
        **({"announced_on": d.announced_on.isoformat()} if d.announced_on else {}),
        **({"executed_on": d.executed_on.isoformat()} if d.executed_on else {}),
    }


def _history(decision: Decision, move: Move) -> DecisionStep:
    assert decision.id is not None
    return DecisionStep(
        decision_id=decision.id,
        step=move.step,
        from_status=move.from_status,
        to_status=move.to_status,
        reason=move.reason,
        actor_id=move.actor_id,
        approval_id=move.approval_id,
    )


LIFECYCLE = Lifecycle(
    resource="decision",
    statuses=STATUSES,
    transitions=(
        # The drafter submits; a reviewer other than the drafter approves or returns it.
        Transition("submit", EDITABLE, SUBMITTED, "create", guards=(DRAFTER,), approval=KIND,
                   approved_target=APPROVED, returned_target=RETURNED),
        Transition("announce", (APPROVED,), ANNOUNCED, "create", ("announced_on",)),
        Transition("report_execution", (ANNOUNCED,), EXECUTED, "create", ("report",)),
        Transition("revoke", IN_FORCE, REVOKED, None),  # an appeal's outcome
        Transition("supersede", IN_FORCE, SUPERSEDED, None),  # a modified decision replaced it
        Transition("edit", EDITABLE, None, "create", guards=(DRAFTER_EDITS,)),
    ),
    history=_history,
    snapshot=snapshot,
    audit_action="decision.{step}",
    wrong_status=N_("This step is not possible in the decision's current status."),
    unknown_step=N_("No such step in the decision lifecycle."),
    not_allowed=N_("Your roles do not allow this step on this decision."),
    stale=N_("Someone changed this decision since you opened it; reload and try again."),
    required={
        "announced_on": N_("Give the day the decision was announced."),
        "report": N_("Describe how the decision was carried out."),
    },
)  # fmt: skip
