"""The rectification item lifecycle as one table that the services, the pages and the tests consult."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from integrity.lib.errors import Conflict
from integrity.lib.i18n import N_

OPEN, SUBMITTED, APPROVED, RETURNED = "open", "submitted", "approved", "returned"
STATUSES = (OPEN, SUBMITTED, APPROVED, RETURNED)
# Statuses in which the responsible unit still has work to do (and so can be overdue).
OUTSTANDING = (OPEN, RETURNED, SUBMITTED)
# Statuses in which the item may be edited and evidence added; an approved item is locked.
EDITABLE = (OPEN, RETURNED)


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Past its due date with work still to do (the same rule as the list's `overdue` filter)."""
    return status in OUTSTANDING and due_on < today


@dataclass(frozen=True)
class Step:
    """A status change: from which statuses, to which, and the Casbin action on `rectification`."""

    name: str
    sources: tuple[str, ...]
    target: str
    action: str


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("submit", EDITABLE, SUBMITTED, "submit"),  # 申请销号, opens a close-out request
        Step("approve", (SUBMITTED,), APPROVED, "approve"),  # 销号, by the reviewer's decision
        Step("return", (SUBMITTED,), RETURNED, "approve"),  # 退回 with a reason
        Step("reopen", (APPROVED,), OPEN, "approve"),  # a reviewer reopens, with a reason
        Step("reinspection_reopen", (APPROVED,), OPEN, "create"),  # 回头看 found it not done
    )
}


def check(step: str, status: str) -> str:
    """The target status, or 409 when the step does not start from this status."""
    spec = STEPS[step]
    if status not in spec.sources:
        if status == APPROVED:
            raise Conflict(N_("This item is closed off and locked; a reviewer can reopen it."))
        raise Conflict(N_("This step is not possible in the item's current status."))
    return spec.target
