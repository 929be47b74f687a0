"""The rectification item lifecycle as one table that the services, the pages and the tests consult."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from integrity.db.models import RectificationItem, RectificationStep
from integrity.lib.errors import Forbidden
from integrity.lib.i18n import N_
from integrity.lib.workflow import Guard, Lifecycle, Move, Transition

OPEN, SUBMITTED, APPROVED, RETURNED = "open", "submitted", "approved", "returned"
STATUSES = (OPEN, SUBMITTED, APPROVED, RETURNED)
# Statuses in which the responsible unit still has work to do (and so can be overdue).
OUTSTANDING = (OPEN, RETURNED, SUBMITTED)
# Statuses in which the item may be edited and evidence added; an approved item is locked.
EDITABLE = (OPEN, RETURNED)


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Past its due date with work still to do (the same rule as the list's `overdue` filter)."""
    return status in OUTSTANDING and due_on < today


CLOSEOUT = "rectification.closeout"  # the approval kind of a close-out request (申请销号)


@dataclass(frozen=True)
class ItemFacts:
    """What the guards ask beyond the item's status and the user's roles."""

    is_responsible: bool  # the user is the item's responsible person


RESPONSIBLE_SUBMITS = Guard(
    "responsible_submits",
    lambda facts: facts.is_responsible,
    lambda: Forbidden(N_("Only the item's responsible person submits it for close-out.")),
)
RESPONSIBLE_ATTACHES = Guard(
    "responsible_attaches",
    lambda facts: facts.is_responsible,
    lambda: Forbidden(N_("Only the item's responsible person submits its evidence.")),
)


def snapshot(item: RectificationItem) -> dict[str, object]:
    return {
        "requirement": item.requirement,
        "responsible_user_id": item.responsible_user_id,
        "due_on": item.due_on.isoformat(),
        "status": item.status,
    }


def _history(item: RectificationItem, move: Move) -> RectificationStep:
    assert item.id is not None
    assert move.actor_id is not None
    return RectificationStep(
        item_id=item.id,
        action=move.step,
        from_status=move.from_status,
        to_status=move.to_status,
        body=move.reason,
        actor_id=move.actor_id,
        approval_id=move.approval_id,
    )


LIFECYCLE = Lifecycle(
    resource="rectification",
    statuses=STATUSES,
    transitions=(
        # 申请销号: the responsible person describes what was done; a reviewer closes it off (销号)
        # or returns it (退回) with a reason.
        Transition("submit", EDITABLE, SUBMITTED, "submit", ("description",), (RESPONSIBLE_SUBMITS,),
                   approval=CLOSEOUT, approved_target=APPROVED, returned_target=RETURNED),
        Transition("reopen", (APPROVED,), OPEN, "approve", ("reason",)),  # a reviewer, with a reason
        Transition("reinspection_reopen", (APPROVED,), OPEN, None),  # 回头看 found it not done
        # Steps that keep the status: editing, evidence, re-inspection visits, comments.
        Transition("edit", EDITABLE, None, "create"),
        Transition("add_evidence", EDITABLE, None, "submit", guards=(RESPONSIBLE_ATTACHES,)),
        Transition("schedule_reinspection", (APPROVED,), None, "create"),
        Transition("record_reinspection", (APPROVED,), None, "create"),
        Transition("comment", STATUSES, None, ("submit", "create", "approve")),
    ),
    history=_history,
    snapshot=snapshot,
    audit_action="rectification.{step}",
    wrong_status=N_("This step is not possible in the item's current status."),
    unknown_step=N_("No such step in the rectification lifecycle."),
    not_allowed=N_("Your roles do not allow this step on this item."),
    stale=N_("Someone changed this item since you opened it; reload and try again."),
    required={
        "description": N_("Describe what was done."),
        "reason": N_("Say why the item is reopened."),
    },
    status_refusals={APPROVED: N_("This item is closed off and locked; a reviewer can reopen it.")},
)  # fmt: skip
