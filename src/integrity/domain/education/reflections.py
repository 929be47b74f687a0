"""Reflections (心得体会) and make-up reports (补学): a member submits for an event; an organiser
accepts (optionally as 优秀) or returns it with a comment, and a resubmission is a new round, so the
history stays. Accepting a make-up report makes the member's attendance "made up"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent, EducationReflection
from integrity.db.types import utcnow
from integrity.domain.education.events import organised_event
from integrity.domain.education.workflow import CLOSED, IN_PROGRESS, PUBLISHED
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, InvalidInput, NotFound
from integrity.lib.i18n import N_

MIN_CHARS, MAX_CHARS = 20, 20000
MISSED = ("absent", "excused")
ATTENDED = ("present", "late", "made_up")
# Reflections are written once the event has begun (by the clock: "start" is optional), until it is
# archived.
OPEN_FOR_REFLECTION = (PUBLISHED, IN_PROGRESS, CLOSED)
WRITTEN = ("submitted", "accepted")  # a reflection with the organiser or done: nothing to write
OWED_BY = ("present", "late", "absent", "excused")  # a reflection, or a make-up report


def owed() -> ColumnElement[bool]:
    """An invitee of a closed event who owes a reflection or make-up report and has none in or done."""
    return and_(
        col(EducationAttendance.status).in_(OWED_BY),
        col(EducationEvent.status) == CLOSED,
        ~exists().where(
            col(EducationReflection.event_id) == col(EducationAttendance.event_id),
            col(EducationReflection.user_id) == col(EducationAttendance.user_id),
            col(EducationReflection.status).in_(WRITTEN),
        ),
    )


async def latest(session: AsyncSession, event_id: int, user_id: int) -> EducationReflection | None:
    found = await session.execute(
        select(EducationReflection)
        .where(col(EducationReflection.event_id) == event_id, col(EducationReflection.user_id) == user_id)
        .order_by(col(EducationReflection.round).desc())
        .limit(1)
    )
    return found.scalars().first()


async def history(session: AsyncSession, event_id: int, user_id: int) -> list[EducationReflection]:
    found = await session.execute(
        select(EducationReflection)
        .where(col(EducationReflection.event_id) == event_id, col(EducationReflection.user_id) == user_id)
        .order_by(col(EducationReflection.round))
    )
    return list(found.scalars())


def writing_refused(
    event: EducationEvent,
    invitee: EducationAttendance,
    before: EducationReflection | None,
    now: datetime,
) -> str | None:
    """Why the invitee may not write (a msgid), or None: what the service checks and the page offers."""
    if event.status not in OPEN_FOR_REFLECTION or now < event.starts_at:
        return N_("Reflections are written once the event has begun, until it is archived.")
    if before is not None and before.status != "returned":
        return N_("Your reflection is with the organiser; you may write again if it is returned.")
    if invitee.status not in (*MISSED, *ATTENDED):
        return N_("Sign in first, or write a make-up report once the event has ended.")
    return None


async def submit(session: AsyncSession, actor: Actor, event_id: int, body: str) -> EducationReflection:
    """The caller's reflection on an event they were invited to (a make-up report if they missed it)."""
    user_id = actor.user_id or 0
    event = await session.get(EducationEvent, event_id)
    invitee = await session.scalar(
        select(EducationAttendance).where(
            col(EducationAttendance.event_id) == event_id, col(EducationAttendance.user_id) == user_id
        )
    )
    if event is None or invitee is None:
        raise NotFound(N_("No such event."))
    before = await latest(session, event_id, user_id)
    refused = writing_refused(event, invitee, before, utcnow())
    if refused:
        raise Conflict(refused)
    text = body.strip()
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        raise InvalidInput(N_("A reflection is between 20 and 20,000 characters long."))
    make_up = invitee.status in MISSED
    reflection = EducationReflection(
        event_id=event_id,
        user_id=user_id,
        round=(before.round + 1) if before else 1,
        make_up=make_up,
        body=text,
    )
    session.add(reflection)
    await session.flush()
    extra = {"round": reflection.round, "make_up": make_up, "chars": len(text)}
    entry = AuditEntry("education.reflect", "education", event_id, event.unit_id, extra=extra)
    await record(session, actor, entry)
    return reflection


async def review(
    session: AsyncSession,
    actor: Actor,
    reflection_id: int,
    *,
    accept: bool,
    comment: str = "",
    excellent: bool = False,
    access: AccessScope | None,
) -> EducationReflection:
    """An organiser accepts (a make-up report then makes the attendance "made up") or returns it."""
    reflection = await session.get(EducationReflection, reflection_id)
    if reflection is None:
        raise NotFound(N_("No such reflection."))
    found = await organised_event(session, access, reflection.event_id)
    if reflection.user_id == actor.user_id:
        raise Conflict(N_("Someone else reviews your own reflection."))
    if not accept and not comment.strip():
        raise InvalidInput(N_("Say what to revise when you return a reflection."))
    status = "accepted" if accept else "returned"
    moved = await session.execute(
        update(EducationReflection)
        .where(col(EducationReflection.id) == reflection_id, col(EducationReflection.status) == "submitted")
        .values(
            status=status,
            excellent=accept and excellent,
            comment=comment.strip()[:2000],
            reviewed_by_id=actor.user_id,
            reviewed_at=utcnow(),
        )
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("This reflection was reviewed already."))
    made_up = False
    if accept and reflection.make_up:
        changed = await session.execute(
            update(EducationAttendance)
            .where(
                col(EducationAttendance.event_id) == reflection.event_id,
                col(EducationAttendance.user_id) == reflection.user_id,
                col(EducationAttendance.status).in_(MISSED),
            )
            .values(status="made_up")
        )
        made_up = changed.rowcount == 1  # type: ignore[attr-defined]
    await session.refresh(reflection)
    extra = {
        "user_id": reflection.user_id,
        "round": reflection.round,
        "excellent": reflection.excellent,
        "made_up": made_up,
        "comment": reflection.comment,
    }
    entry = AuditEntry(
        f"education.reflection_{status}", "education", found.event.id or 0, found.event.unit_id, extra=extra
    )
    await record(session, actor, entry)
    return reflection


async def waiting(session: AsyncSession, event_id: int) -> int:
    """How many reflections on the event wait for review."""
    counted = await session.scalar(
        select(func.count()).where(
            col(EducationReflection.event_id) == event_id, col(EducationReflection.status) == "submitted"
        )
    )
    return int(counted or 0)
