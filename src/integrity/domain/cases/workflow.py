"""The case lifecycle as one table: every status change the API, the UI and the tests may make."""

from __future__ import annotations

from dataclasses import dataclass

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

# The four disposals an inspector may propose for a registered lead (四种处置方式).
DISPOSALS = (TALK_INQUIRY, PRELIMINARY_VERIFICATION, SHELVED, CLOSED)


@dataclass(frozen=True)
class Transition:
    """A status change: who may make it (Casbin action on `case`), what it needs, where it goes.

    A transition with `approval` set does not finish by itself: it moves the case to `target`
    (the "proposed" status) and opens an approval request of that kind; the reviewer's decision
    then moves the case on (`approved_target`, or the payload's choice) or back (`returned_target`).
    A transition with `team` set is made only by a member of that team of the case (查审分离: the
    hearing panel, not the investigators, concludes the hearing or sends the case back). One with
    `needs_decision` needs an accountability decision in force on the case (approved, announced or
    executed): a case is "decided" only once something was decided.
    """

    name: str
    source: str
    target: str
    action: str
    requires: tuple[str, ...] = ()
    approval: str | None = None
    approved_target: str | None = None
    returned_target: str | None = None
    team: str | None = None
    needs_decision: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("propose_disposal", REGISTERED, DISPOSAL_PROPOSED, "propose", ("disposal", "reason"),
               approval="case.disposal", returned_target=REGISTERED),
    Transition("close_clarified", TALK_INQUIRY, CLOSED, "update", ("reason",)),
    Transition("close_first_form", TALK_INQUIRY, CLOSED, "update", ("reason",)),
    Transition("start_verification", TALK_INQUIRY, PRELIMINARY_VERIFICATION, "update", ("reason",)),
    Transition("propose_investigation", PRELIMINARY_VERIFICATION, INVESTIGATION_PROPOSED, "propose",
               ("reason",), approval="case.filing", approved_target=INVESTIGATION,
               returned_target=PRELIMINARY_VERIFICATION),
    Transition("close_verified", PRELIMINARY_VERIFICATION, CLOSED, "update", ("reason",)),
    Transition("close_first_form_after_verification", PRELIMINARY_VERIFICATION, CLOSED, "update",
               ("reason",)),
    Transition("shelve", PRELIMINARY_VERIFICATION, SHELVED, "update", ("reason",)),
    Transition("transfer", PRELIMINARY_VERIFICATION, TRANSFERRED, "update", ("reason",)),
    Transition("reactivate", SHELVED, REGISTERED, "update", ("reason",)),
    Transition("start_hearing", INVESTIGATION, HEARING, "update", ("reason",)),
    Transition("send_back", HEARING, INVESTIGATION, "update", ("reason",), team="hearing"),
    Transition("conclude_hearing", HEARING, DECIDED, "update", ("reason",), team="hearing",
               needs_decision=True),
    Transition("close_decided", DECIDED, CLOSED, "update", ("reason",)),
    Transition("close_transferred", TRANSFERRED, CLOSED, "update", ("reason",)),
    Transition("reopen", CLOSED, REGISTERED, "reopen", ("reason",)),
)  # fmt: skip

BY_NAME = {t.name: t for t in TRANSITIONS}
BY_APPROVAL = {t.approval: t for t in TRANSITIONS if t.approval}


def available_from(status: str) -> list[Transition]:
    """The transitions that start at a status, in table order."""
    return [t for t in TRANSITIONS if t.source == status]
