"""Events as lists read them: an office's events in the reader's scope, and one member's own
invitations sorted into what they have to do. A fixed handful of queries per list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent, EducationReflection, Unit, User
from integrity.db.types import utcnow
from integrity.domain.education.attendance import sign_in_open
from integrity.domain.education.workflow import ARCHIVED, CANCELLED, CLOSED, DRAFT, IN_PROGRESS, PUBLISHED
from integrity.lib.authz import AccessScope
from integrity.lib.localtime import period_bounds

SHOWN = 200
ROSTER_SHOWN = 5000
WHEN = ("upcoming", "draft", "past")
SIGNED = ("present", "late", "made_up")


@dataclass(frozen=True)
class EventRow:
    event: EducationEvent
    unit: Unit
    invited: int
    signed: int


async def office_events(session: AsyncSession, access: AccessScope, when: str) -> list[EventRow]:
    """The events of units where the reader may read education, for one tab of the list."""
    now = utcnow()
    stmt = (
        select(EducationEvent, Unit)
        .join(Unit, col(Unit.id) == col(EducationEvent.unit_id))
        .where(access.unit_filter("education", "read", col(Unit.path)))
    )
    if when == "draft":
        stmt = stmt.where(col(EducationEvent.status) == DRAFT).order_by(col(EducationEvent.starts_at))
    elif when == "past":
        stmt = stmt.where(
            col(EducationEvent.status).in_((CLOSED, ARCHIVED, CANCELLED))
            | (col(EducationEvent.ends_at) < now) & (col(EducationEvent.status) != DRAFT)
        ).order_by(col(EducationEvent.starts_at).desc())
    else:
        stmt = stmt.where(
            col(EducationEvent.status).in_((PUBLISHED, IN_PROGRESS)), col(EducationEvent.ends_at) >= now
        ).order_by(col(EducationEvent.starts_at))
    found = (await session.execute(stmt.limit(SHOWN))).all()
    ids = [e.id for e, _u in found]
    counts = await session.execute(
        select(
            col(EducationAttendance.event_id),
            func.count(),
            func.sum(case((col(EducationAttendance.status).in_(SIGNED), 1), else_=0)),
        )
        .where(col(EducationAttendance.event_id).in_(ids))
        .group_by(col(EducationAttendance.event_id))
    )
    by_event = {int(e): (int(n), int(s or 0)) for e, n, s in counts.all()}
    return [EventRow(e, u, *by_event.get(e.id or 0, (0, 0))) for e, u in found]


@dataclass(frozen=True)
class Invitation:
    event: EducationEvent
    attendance: EducationAttendance
    reflection: EducationReflection | None  # the latest round, if any


@dataclass
class MyEvents:
    """A member's invitations, sorted by what they ask of the member now."""

    sign_in: list[Invitation] = field(default_factory=list)
    upcoming: list[Invitation] = field(default_factory=list)
    reflect: list[Invitation] = field(default_factory=list)
    make_up: list[Invitation] = field(default_factory=list)
    year: list[Invitation] = field(default_factory=list)  # everything of this year, newest first

    @property
    def to_do(self) -> int:
        return len(self.sign_in) + len(self.reflect) + len(self.make_up)


def _bucket(mine: MyEvents, row: Invitation, now: datetime) -> None:
    event, status = row.event, row.attendance.status
    latest = row.reflection
    written = latest is not None and latest.status != "returned"
    if status == "invited" and sign_in_open(event, now):
        mine.sign_in.append(row)
    elif event.status == PUBLISHED and now < event.starts_at:
        mine.upcoming.append(row)
    elif event.status in (PUBLISHED, IN_PROGRESS, CLOSED) and now >= event.starts_at and not written:
        if status in ("present", "late"):
            mine.reflect.append(row)
        elif status in ("absent", "excused"):
            mine.make_up.append(row)


async def my_events(session: AsyncSession, user_id: int, year: int) -> MyEvents:
    """The member's invitations of the year (and any upcoming), sorted into what to do."""
    latest_round = (
        select(
            col(EducationReflection.event_id).label("event_id"),
            func.max(col(EducationReflection.round)).label("round"),
        )
        .where(col(EducationReflection.user_id) == user_id)
        .group_by(col(EducationReflection.event_id))
        .subquery()
    )
    first, last = period_bounds(date(year, 1, 1), date(year, 12, 31))
    # A reflection or make-up of late last year is still to do in January: look a quarter back.
    start = first - timedelta(days=92)
    rows = await session.execute(
        select(EducationEvent, EducationAttendance, EducationReflection)
        .join(EducationAttendance, col(EducationAttendance.event_id) == col(EducationEvent.id))
        .outerjoin(latest_round, latest_round.c.event_id == col(EducationEvent.id))
        .outerjoin(
            EducationReflection,
            and_(
                col(EducationReflection.event_id) == col(EducationEvent.id),
                col(EducationReflection.user_id) == user_id,
                col(EducationReflection.round) == latest_round.c.round,
            ),
        )
        .where(
            col(EducationAttendance.user_id) == user_id,
            col(EducationEvent.status) != DRAFT,
            col(EducationEvent.starts_at) >= start,
        )
        .order_by(col(EducationEvent.starts_at).desc())
    )
    mine, now = MyEvents(), utcnow()
    for event, attendance, reflection in rows.all():
        row = Invitation(event, attendance, reflection)
        if event.status != CANCELLED:
            _bucket(mine, row, now)
        if first <= event.starts_at <= last:
            mine.year.append(row)
    mine.upcoming.reverse()  # soonest first
    mine.sign_in.reverse()
    return mine


async def roster_rows(
    session: AsyncSession, event_id: int, limit: int | None = ROSTER_SHOWN
) -> list[dict[str, Any]]:
    """The event's list with each person's name and unit, by unit then name (all of it: limit None)."""
    found = await session.execute(
        select(EducationAttendance, col(User.display_name), col(User.username), Unit)
        .join(User, col(User.id) == col(EducationAttendance.user_id))
        .join(Unit, col(Unit.id) == col(User.unit_id))
        .where(col(EducationAttendance.event_id) == event_id)
        .order_by(col(Unit.path), col(User.display_name))
        .limit(limit)
    )
    return [{"row": a, "name": n, "username": u, "unit": unit} for a, n, u, unit in found.all()]
