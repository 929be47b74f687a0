"""The decision and appeal lifecycles as tables that the services, the pages and the tests consult."""

from __future__ import annotations

from integrity.lib.errors import Conflict
from integrity.lib.i18n import N_

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
ANNOUNCED, EXECUTED, REVOKED, SUPERSEDED = "announced", "executed", "revoked", "superseded"
STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED, ANNOUNCED, EXECUTED, REVOKED, SUPERSEDED)
EDITABLE = (DRAFT, RETURNED)
# Approved and in force (an appeal does not suspend execution): these count and restrict.
IN_FORCE = (APPROVED, ANNOUNCED, EXECUTED)

# step: (from statuses, to status)
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (EDITABLE, SUBMITTED),
    "approve": ((SUBMITTED,), APPROVED),
    "return": ((SUBMITTED,), RETURNED),
    "announce": ((APPROVED,), ANNOUNCED),
    "report_execution": ((ANNOUNCED,), EXECUTED),
    "revoke": (IN_FORCE, REVOKED),  # an appeal's outcome
    "supersede": (IN_FORCE, SUPERSEDED),  # a modified decision replaced it
}

FILED, UNDER_REVIEW, UPHELD, MODIFIED, APPEAL_REVOKED = (
    "filed",
    "under_review",
    "upheld",
    "modified",
    "revoked",
)
APPEAL_OPEN = (FILED, UNDER_REVIEW)
OUTCOMES = (UPHELD, MODIFIED, APPEAL_REVOKED)


def check(step: str, status: str) -> str:
    """The target status, or 409 when the step does not start from this status."""
    sources, target = STEPS[step]
    if status not in sources:
        raise Conflict(N_("This step is not possible in the decision's current status."))
    return target
