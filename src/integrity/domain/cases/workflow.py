"""The case lifecycle as one table: every status change the API, the UI and the tests may make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrity.db.models import Case, CaseTransition
from integrity.lib.errors import Conflict, Forbidden
from integrity.lib.i18n import N_
from integrity.lib.workflow import Guard, Lifecycle, Move, Transition

REGISTERED = "registered"
DISPOSAL_PROPOSED = "disposal_proposed"
TALK_INQUIRY = "talk_inquiry"
PRELIMINARY_VERIFICATION = "preliminary_verification"
SHELVED = "shelved"
INVESTIGATION_PROPOSED = "investigation_proposed"
INVESTIGATION = "investigation"
HEARING = "hearing"
DECIDED = "decided"
TRANSFERRED = "transferred"
CLOSED = "closed"

STATUSES = (
    REGISTERED, DISPOSAL_PROPOSED, TALK_INQUIRY, PRELIMINARY_VERIFICATION, SHELVED,
    INVESTIGATION_PROPOSED, INVESTIGATION, HEARING, DECIDED, TRANSFERRED, CLOSED,
)  # fmt: skip

OPEN_STATUSES = tuple(s for s in STATUSES if s != CLOSED)
# The effect of a first-form closing (第一种形态): the measure is recorded as an approved decision.
FIRST_FORM_DECISION = "first_form_decision"

# The four disposals an inspector may propose for a registered lead (四种处置方式).
DISPOSALS = (TALK_INQUIRY, PRELIMINARY_VERIFICATION, SHELVED, CLOSED)


CASE_FIELDS = (
    "number", "unit_id", "source", "category", "title", "summary", "status", "disposal", "confidential",
    "received_on",
)  # fmt: skip


def case_snapshot(case: Case) -> dict[str, object]:
    """The case's record as its audit events show it before and after a change."""
    return {f: str(getattr(case, f)) if f == "received_on" else getattr(case, f) for f in CASE_FIELDS}


@dataclass(frozen=True)
class CaseFacts:
    """What the guards ask beyond the case row and the user's roles."""

    my_teams: frozenset[str] = frozenset()  # the teams of the case the user is on (not recused)
    decisions_in_force: int = 0  # approved, announced or executed decisions on the case


# 查审分离: the hearing panel, not the investigators, concludes the hearing or sends the case back.
HEARING_PANEL = Guard(
    "hearing_panel",
    lambda facts: "hearing" in facts.my_teams,
    lambda: Forbidden(N_("Only the hearing panel may conclude the hearing or send the case back.")),
)
# A case is "decided" only once something was decided: an accountability decision in force.
DECISION_IN_FORCE = Guard(
    "decision_in_force",
    lambda facts: facts.decisions_in_force > 0,
    lambda: Conflict(N_("A case is decided only with an approved accountability decision on it.")),
)


def _history(case: Case, move: Move) -> CaseTransition:
    assert case.id is not None
    return CaseTransition(
        case_id=case.id,
        transition=move.step,
        from_status=move.from_status,
        to_status=move.to_status,
        actor_id=move.actor_id,
        reason=move.reason,
        approval_id=move.approval_id,
    )


def _row(name: str, source: str, target: str, action: str, *requires: str, **more: Any) -> Transition:
    return Transition(name, (source,), target, action, requires, **more)


LIFECYCLE = Lifecycle(
    resource="case",
    statuses=STATUSES,
    transitions=(
        _row("propose_disposal", REGISTERED, DISPOSAL_PROPOSED, "propose", "disposal", "reason",
             approval="case.disposal", returned_target=REGISTERED),
        # Steps within 谈话函询 that the clocks follow: the letter sent starts the 15-day reply clock;
        # the talk held or the reply received starts the one-month report clock.
        _row("send_inquiry_letter", TALK_INQUIRY, TALK_INQUIRY, "update"),
        _row("record_talk_or_reply", TALK_INQUIRY, TALK_INQUIRY, "update"),
        _row("close_clarified", TALK_INQUIRY, CLOSED, "update", "reason"),
        _row("close_first_form", TALK_INQUIRY, CLOSED, "update", "reason", "person_id", "measure_code",
             effect=FIRST_FORM_DECISION),
        _row("start_verification", TALK_INQUIRY, PRELIMINARY_VERIFICATION, "update", "reason"),
        _row("propose_investigation", PRELIMINARY_VERIFICATION, INVESTIGATION_PROPOSED, "propose", "reason",
             approval="case.filing", approved_target=INVESTIGATION, returned_target=PRELIMINARY_VERIFICATION),
        _row("close_verified", PRELIMINARY_VERIFICATION, CLOSED, "update", "reason"),
        _row("close_first_form_after_verification", PRELIMINARY_VERIFICATION, CLOSED, "update", "reason",
             "person_id", "measure_code", effect=FIRST_FORM_DECISION),
        _row("shelve", PRELIMINARY_VERIFICATION, SHELVED, "update", "reason"),
        _row("transfer", PRELIMINARY_VERIFICATION, TRANSFERRED, "update", "reason"),
        _row("reactivate", SHELVED, REGISTERED, "update", "reason"),
        _row("start_hearing", INVESTIGATION, HEARING, "update", "reason"),
        _row("send_back", HEARING, INVESTIGATION, "update", "reason", guards=(HEARING_PANEL,)),
        _row("conclude_hearing", HEARING, DECIDED, "update", "reason",
             guards=(HEARING_PANEL, DECISION_IN_FORCE)),
        _row("close_decided", DECIDED, CLOSED, "update", "reason"),
        _row("close_transferred", TRANSFERRED, CLOSED, "update", "reason"),
        _row("reopen", CLOSED, REGISTERED, "reopen", "reason"),
        # Edits of an open case (record, notes, evidence, team, links); a closed one is read-only.
        Transition("edit", OPEN_STATUSES, None, "update"),
    ),
    history=_history,
    snapshot=case_snapshot,
    audit_action="case.transition",
    outcome_step="{verdict}:{name}",
    wrong_status=N_("This step is not possible in the case's current status."),
    unknown_step=N_("No such step in the case lifecycle."),
    not_allowed=N_("Your roles do not allow this step on this case."),
    stale=N_("The case was changed by someone else; reload it and try again."),
    status_refusals={CLOSED: N_("A closed case is read-only; a reviewer can reopen it.")},
    required={
        "reason": N_("A reason is required."),
        "disposal": N_("Choose one of the four disposals."),
        "person_id": N_("Name the subject the first-form measure is about."),
        "measure_code": N_("Choose the first-form measure."),
    },
)  # fmt: skip

TRANSITIONS = LIFECYCLE.transitions
BY_NAME = LIFECYCLE.by_name
BY_APPROVAL = LIFECYCLE.by_approval
