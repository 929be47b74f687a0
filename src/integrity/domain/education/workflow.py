"""The education event lifecycle as one table that the services, the pages and the tests consult."""

from __future__ import annotations

from integrity.db.models import EducationEvent, EducationEventStep
from integrity.lib.i18n import N_
from integrity.lib.workflow import Lifecycle, Move, Transition

DRAFT, PUBLISHED, IN_PROGRESS, CLOSED, ARCHIVED, CANCELLED = (
    "draft",
    "published",
    "in_progress",
    "closed",
    "archived",
    "cancelled",
)
STATUSES = (DRAFT, PUBLISHED, IN_PROGRESS, CLOSED, ARCHIVED, CANCELLED)
# Members may sign in while an event is published (from shortly before its start) or in progress.
OPEN_FOR_SIGN_IN = (PUBLISHED, IN_PROGRESS)


def snapshot(event: EducationEvent) -> dict[str, object]:
    return {
        "title": event.title,
        "type_code": event.type_code,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "place": event.place,
        "status": event.status,
    }


def _history(event: EducationEvent, move: Move) -> EducationEventStep:
    assert event.id is not None
    assert move.actor_id is not None
    return EducationEventStep(
        event_id=event.id,
        action=move.step,
        from_status=move.from_status,
        to_status=move.to_status,
        body=move.reason,
        actor_id=move.actor_id,
    )


LIFECYCLE = Lifecycle(
    resource="education",
    statuses=STATUSES,
    transitions=(
        # Publishing fixes the roster from the audience rules and sends the invitations.
        Transition("publish", (DRAFT,), PUBLISHED, "update"),
        Transition("start", (PUBLISHED,), IN_PROGRESS, "update"),
        # Closing marks every invitee still unmarked absent (they may make up later).
        Transition("close", (PUBLISHED, IN_PROGRESS), CLOSED, "update"),
        Transition("archive", (CLOSED,), ARCHIVED, "update"),
        Transition("cancel", (DRAFT, PUBLISHED), CANCELLED, "update", ("reason",)),
        # Steps that keep the status.
        Transition("edit", (DRAFT, PUBLISHED), None, "update"),
        Transition("mark_attendance", (PUBLISHED, IN_PROGRESS, CLOSED), None, "update"),
        # Materials and teaching cases serve make-up study too: until the event is archived.
        Transition("add_material", (DRAFT, PUBLISHED, IN_PROGRESS, CLOSED), None, "update"),
    ),
    history=_history,
    snapshot=snapshot,
    audit_action="education.{step}",
    wrong_status=N_("This step is not possible in the event's current status."),
    unknown_step=N_("No such step in the education event lifecycle."),
    not_allowed=N_("Your roles do not allow this step on this event."),
    stale=N_("Someone changed this event since you opened it; reload and try again."),
    required={"reason": N_("Say why the event is cancelled.")},
    status_refusals={CANCELLED: N_("This event was cancelled.")},
)  # fmt: skip
