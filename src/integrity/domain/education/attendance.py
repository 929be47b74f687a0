"""Signing in to an event with the projector's code: one sign-in per member per event, late after the
event's window, walk-ins only where the organiser allows them; refusals audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import upsert_insert
from integrity.db.models import EducationAttendance, EducationEvent
from integrity.db.types import utcnow
from integrity.domain.education import codes
from integrity.domain.education.workflow import OPEN_FOR_SIGN_IN
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import Conflict, Forbidden, NotFound
from integrity.lib.i18n import N_

SIGN_IN_OPENS = timedelta(minutes=30)  # before the start: people arrive early
PRESENT, LATE, ALREADY, WALK_IN = "present", "late", "already", "walk_in"
CODE_REFUSED = N_(
    "This sign-in code is not valid: it has changed since, or is for another event. Scan the code shown now."
)


# The sign-in's update, built once: a Core statement on the table, so a burst of 200 sign-ins spends no
# time building it or in the ORM's bulk-update bookkeeping (no object in the session is affected).
_ROW = EducationAttendance.__table__  # type: ignore[attr-defined]
SIGN_IN: Any = (
    update(_ROW)
    .where(
        _ROW.c.event_id == bindparam("event"),
        _ROW.c.user_id == bindparam("user"),
        _ROW.c.status == "invited",
    )
    .values(status=bindparam("marked"), signed_at=bindparam("at"), method=bindparam("how"))
)


# The event as a sign-in reads it: a row of its columns, named as the model's attributes, without the
# ORM's identity map and instance bookkeeping (which cost a burst of 200 sign-ins more than the query).
_EVENTS = EducationEvent.__table__  # type: ignore[attr-defined]
_EVENT_ROW: Any = select(_EVENTS).where(_EVENTS.c.id == bindparam("event"))


async def event_for_sign_in(session: AsyncSession, event_id: int) -> Any:
    """The event's row (or None); reads like the model: `.status`, `.starts_at`, `.title`."""
    return (await session.execute(_EVENT_ROW, {"event": event_id})).first()


def sign_in_open(event: Any, now: datetime) -> bool:
    """Whether members may sign in to the event now: what the service checks and the pages offer."""
    return event.status in OPEN_FOR_SIGN_IN and event.starts_at - SIGN_IN_OPENS <= now <= event.ends_at


async def sign_in(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    event_id: int,
    code: str,
    *,
    method: str = "qr",
    scanned: bool = False,
    event: Any = None,
) -> str:
    """Record the caller present (or late) with the event's current code (or `scanned`: a pass the
    browser got by scanning it lately); what happened: present, late, walk_in (present, not invited),
    or already (signed in before: nothing changes). `event`: the event (model or row) as read already."""
    user_id = actor.user_id
    assert user_id is not None
    if event is None:
        event = await event_for_sign_in(session, event_id)
    if event is None or event.id != event_id:
        raise NotFound(N_("No such event."))
    now = utcnow()
    if not sign_in_open(event, now):
        raise Conflict(N_("Signing in is open from 30 minutes before the event starts until it ends."))
    if not scanned and not codes.valid(settings, event_id, event.code_seconds, code):
        raise Forbidden(CODE_REFUSED)
    status = LATE if now > event.starts_at + timedelta(minutes=event.late_after_minutes) else PRESENT
    # Of two sign-ins at once, one moves the row from "invited" and the other finds it moved.
    marked = await session.execute(
        SIGN_IN, {"event": event_id, "user": user_id, "marked": status, "at": now, "how": method}
    )
    outcome = status
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        on_roster = await session.scalar(
            select(col(EducationAttendance.id)).where(
                col(EducationAttendance.event_id) == event_id, col(EducationAttendance.user_id) == user_id
            )
        )
        if on_roster is not None:
            return ALREADY
        if not event.walk_ins:
            raise Forbidden(N_("You are not on this event's list. Ask the organiser."))
        if event.capacity is not None:
            taken = await session.scalar(
                select(func.count()).where(col(EducationAttendance.event_id) == event_id)
            )
            if int(taken or 0) >= event.capacity:
                raise Conflict(N_("The event is full. Ask the organiser."))
        added = await session.execute(
            upsert_insert(session)(EducationAttendance)
            .values(
                event_id=event_id,
                user_id=user_id,
                status=status,
                walk_in=True,
                signed_at=now,
                method=method,
                invited_at=now,
            )
            .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
        )
        if added.rowcount != 1:  # type: ignore[attr-defined]
            return ALREADY
        outcome = WALK_IN
    extra = {"user_id": user_id, "status": status, "method": method, "walk_in": outcome == WALK_IN}
    await record(
        session, actor, AuditEntry("education.sign_in", "education", event_id, event.unit_id, extra=extra)
    )
    return outcome
