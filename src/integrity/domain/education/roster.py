"""The roster after publishing: staff marking attendance (a change of a status already set is a
correction and says why), leave asked before the event and decided by an organiser, and invitees
added or taken off one at a time. Each is one transaction with its audit event."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent, User
from integrity.db.types import utcnow
from integrity.domain.education.events import Organised, organised_event
from integrity.domain.education.workflow import LIFECYCLE, PUBLISHED
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, InvalidInput, NotFound, one_of
from integrity.lib.i18n import N_

# What staff may set by hand; "made up" only follows an accepted make-up report.
STAFF_MARKS = ("present", "late", "excused", "absent")
LEAVE_DECISIONS = ("approved", "declined")


async def _rows(session: AsyncSession, event_id: int, user_ids: list[int]) -> list[EducationAttendance]:
    found = await session.execute(
        select(EducationAttendance).where(
            col(EducationAttendance.event_id) == event_id, col(EducationAttendance.user_id).in_(user_ids)
        )
    )
    return list(found.scalars())


async def mark(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    user_ids: list[int],
    status: str,
    *,
    reason: str = "",
    access: AccessScope | None,
) -> int:
    """Mark these invitees with one status; how many changed. Changing a status already set needs a
    reason (it is a correction of evidence)."""
    found = await organised_event(session, access, event_id)
    LIFECYCLE.require(LIFECYCLE.step("mark_attendance"), found.event.status, found.may)
    if status not in STAFF_MARKS:
        raise one_of("status", STAFF_MARKS)
    if not user_ids:
        raise InvalidInput(N_("Tick at least one person on the list."))
    rows = await _rows(session, event_id, sorted(set(user_ids)))
    if len(rows) != len(set(user_ids)):
        raise InvalidInput(N_("Some of those ticked are not on this event's list."))
    changes = [r for r in rows if r.status != status]
    corrected = [r for r in changes if r.status != "invited"]
    if corrected and not reason.strip():
        raise InvalidInput(N_("Say why you change a status already recorded."))
    now = utcnow()
    for row in changes:
        before = row.status
        row.status = status
        row.method = "staff"
        row.signed_at = now if status in ("present", "late") else None
        row.note = reason.strip() if before != "invited" else row.note
    await session.flush()
    extra = {
        "status": status,
        "users": [r.user_id for r in changes],
        "corrected": [r.user_id for r in corrected],
        "reason": reason.strip(),
    }
    entry = AuditEntry("education.mark", "education", event_id, found.event.unit_id, extra=extra)
    await record(session, actor, entry)
    return len(changes)


async def _published_list(session: AsyncSession, access: AccessScope | None, event_id: int) -> Organised:
    """An event whose list the caller may change person by person: published (before that, the
    audience rules say who it is for)."""
    found = await organised_event(session, access, event_id)
    LIFECYCLE.require(LIFECYCLE.step("edit"), found.event.status, found.may)
    if found.event.status != PUBLISHED:
        raise Conflict(
            N_("Change who is invited once the event is published; before that, edit who it is for.")
        )
    return found


async def add_invitee(
    session: AsyncSession, actor: Actor, event_id: int, user_id: int, *, access: AccessScope | None
) -> None:
    """Put one more person on a published event's list."""
    found = await _published_list(session, access, event_id)
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(N_("No such user."))
    if await _rows(session, event_id, [user_id]):
        raise Conflict(N_("This person is already on the list."))
    session.add(EducationAttendance(event_id=event_id, user_id=user_id, status="invited"))
    await session.flush()
    entry = AuditEntry(
        "education.invite", "education", event_id, found.event.unit_id, extra={"user_id": user_id}
    )
    await record(session, actor, entry)


async def remove_invitee(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    user_id: int,
    reason: str,
    *,
    access: AccessScope | None,
) -> None:
    """Take someone off a published event's list, with the reason; not once they have attended."""
    found = await _published_list(session, access, event_id)
    if not reason.strip():
        raise InvalidInput(N_("Say why this person is taken off the list."))
    rows = await _rows(session, event_id, [user_id])
    if not rows:
        raise NotFound(N_("This person is not on the list."))
    if rows[0].status != "invited":
        raise Conflict(N_("This person's attendance is already recorded; correct it instead."))
    await session.delete(rows[0])
    await session.flush()
    extra = {"user_id": user_id, "reason": reason.strip()}
    await record(
        session,
        actor,
        AuditEntry("education.uninvite", "education", event_id, found.event.unit_id, extra=extra),
    )


async def request_leave(session: AsyncSession, actor: Actor, event_id: int, reason: str) -> None:
    """An invitee asks to be excused, before the event starts."""
    event = await session.get(EducationEvent, event_id)
    rows = await _rows(session, event_id, [actor.user_id or 0])
    if event is None or not rows:
        raise NotFound(N_("No such event."))
    row = rows[0]
    if event.status != PUBLISHED or utcnow() >= event.starts_at:
        raise Conflict(N_("Leave is asked for before the event starts."))
    if row.status != "invited" or row.leave_state in ("requested", "approved"):
        raise Conflict(N_("You have already asked for leave for this event."))
    if not reason.strip():
        raise InvalidInput(N_("Say why you cannot attend."))
    row.leave_state, row.leave_reason = "requested", reason.strip()[:1000]
    await session.flush()
    extra = {"user_id": row.user_id, "reason": row.leave_reason}
    await record(
        session,
        actor,
        AuditEntry("education.leave_request", "education", event_id, event.unit_id, extra=extra),
    )


async def decide_leave(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    user_id: int,
    decision: str,
    *,
    access: AccessScope | None,
) -> None:
    """An organiser approves (the invitee is excused) or declines a leave request."""
    found = await organised_event(session, access, event_id)
    LIFECYCLE.require(LIFECYCLE.step("mark_attendance"), found.event.status, found.may)
    if decision not in LEAVE_DECISIONS:
        raise one_of("decision", LEAVE_DECISIONS)
    if user_id == actor.user_id:
        raise Conflict(N_("Someone else decides your own leave request."))
    asked = update(EducationAttendance).where(
        col(EducationAttendance.event_id) == event_id,
        col(EducationAttendance.user_id) == user_id,
        col(EducationAttendance.leave_state) == "requested",
    )
    if decision == "approved":  # excuses only one who has not come after all
        asked = asked.where(col(EducationAttendance.status).in_(("invited", "absent", "excused"))).values(
            status="excused", method="staff"
        )
    moved = await session.execute(asked.values(leave_state=decision))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("There is no open leave request from this person."))
    extra = {"user_id": user_id, "decision": decision}
    await record(
        session,
        actor,
        AuditEntry("education.leave_decide", "education", event_id, found.event.unit_id, extra=extra),
    )
