"""Education events: draft, audience, publish (the roster fixed), start, close (unmarked invitees absent),
cancel. Each change is one transaction with its audit event and history row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import get_settings
from integrity.db.models import (
    CatalogueItem,
    EducationAttendance,
    EducationAudience,
    EducationEvent,
    RoleGrant,
    Unit,
    User,
)
from integrity.db.types import utcnow
from integrity.domain.cases.clocks import work_calendar
from integrity.domain.education.workflow import LIFECYCLE
from integrity.domain.org.services import require_in_unit
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import ROLES, AccessScope
from integrity.lib.errors import InvalidInput, NotFound, one_of
from integrity.lib.i18n import N_
from integrity.lib.localtime import local_day
from integrity.lib.workdays import WorkCalendar, add_months

AUDIENCE_KINDS = ("unit", "unit_tree", "role", "user", "exclude")


@dataclass(frozen=True)
class EventDraft:
    unit_id: int
    type_code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_link: str = ""
    speaker: str = ""
    description: str = ""
    capacity: int | None = None
    walk_ins: bool = False
    late_after_minutes: int = 10
    code_seconds: int = 10
    reflection_days: int = 10


@dataclass(frozen=True)
class AudienceRule:
    kind: str
    unit_id: int | None = None
    role: str = ""
    user_id: int | None = None


async def create_event(
    session: AsyncSession, actor: Actor, draft: EventDraft, *, access: AccessScope | None
) -> EducationEvent:
    """A draft event of a unit the organiser may create events in."""
    await require_in_unit(session, access, draft.unit_id, "education", "create")
    kind = await session.get(CatalogueItem, ("education_type", draft.type_code))
    if kind is None or not kind.active:
        raise InvalidInput(N_("Not an event type in the catalogue."))
    if not draft.title.strip():
        raise InvalidInput(N_("An event needs a title."))
    if draft.ends_at <= draft.starts_at:
        raise InvalidInput(N_("An event ends after it starts."))
    if draft.capacity is not None and draft.capacity < 1:
        raise InvalidInput(N_("The capacity is a number of people, at least 1."))
    if not 0 <= draft.late_after_minutes <= 240 or not 1 <= draft.reflection_days <= 60:
        raise InvalidInput(N_("Late after 0 to 240 minutes; reflections due 1 to 60 working days after."))
    if not 5 <= draft.code_seconds <= 60:
        raise InvalidInput(N_("The sign-in code changes every 5 to 60 seconds."))
    event = EducationEvent(**draft.__dict__, created_by_id=actor.user_id or 0)
    event.title = draft.title.strip()
    session.add(event)
    await session.flush()
    entry = AuditEntry("education.create", "education", event.id or "", event.unit_id, after=_facts(event))
    await record(session, actor, entry)
    return event


def _facts(event: EducationEvent) -> dict[str, object]:
    return {
        "title": event.title,
        "type_code": event.type_code,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "walk_ins": event.walk_ins,
    }


@dataclass(frozen=True)
class Organised:
    """An event found in the caller's scope, and what the lifecycle asks of the caller's roles."""

    event: EducationEvent
    may: Callable[[str], bool]


async def organised_event(
    session: AsyncSession, access: AccessScope | None, event_id: int, act: str = "update"
) -> Organised:
    """An event of a unit where the caller may (education, act), or 404."""
    event = await session.get(EducationEvent, event_id)
    unit = await session.get(Unit, event.unit_id) if event else None
    if event is None or unit is None or (access is not None and not access.can("education", act, unit.path)):
        raise NotFound(N_("No such event."))
    path = unit.path
    return Organised(event, lambda a: access is None or access.can("education", a, path))


async def set_audience(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    rules: list[AudienceRule],
    *,
    access: AccessScope | None,
) -> None:
    """Replace a draft's audience rules (once published, the roster changes one person at a time)."""
    found = await organised_event(session, access, event_id)
    event = found.event
    LIFECYCLE.require(LIFECYCLE.step("edit"), event.status, found.may)
    if event.status != "draft":
        raise InvalidInput(N_("The audience of a published event changes one person at a time."))
    for rule in rules:
        if rule.kind not in AUDIENCE_KINDS:
            raise one_of("kind", AUDIENCE_KINDS)
        if rule.kind == "role" and rule.role not in ROLES:
            raise one_of("role", ROLES)
        if rule.kind in ("unit", "unit_tree"):
            await require_in_unit(session, access, rule.unit_id or 0, "unit", "read")
    existing = (
        await session.execute(select(EducationAudience).where(col(EducationAudience.event_id) == event_id))
    ).scalars()
    for row in existing:
        await session.delete(row)
    for rule in rules:
        session.add(EducationAudience(event_id=event_id, **rule.__dict__))
    await session.flush()
    after = {"rules": [rule.__dict__ for rule in rules]}
    await record(
        session, actor, AuditEntry("education.audience", "education", event_id, event.unit_id, after=after)
    )


async def audience_users(session: AsyncSession, event: EducationEvent) -> list[int]:
    """The active users the event's rules name, less its exclusions, in id order."""
    rules = list(
        (
            await session.execute(
                select(EducationAudience).where(col(EducationAudience.event_id) == event.id)
            )
        ).scalars()
    )
    wanted = []
    organiser = await session.get(Unit, event.unit_id)
    assert organiser is not None
    for rule in rules:
        if rule.kind == "unit":
            wanted.append(col(User.unit_id) == rule.unit_id)
        elif rule.kind == "unit_tree":
            top = select(col(Unit.path)).where(col(Unit.id) == rule.unit_id).scalar_subquery()
            below = select(col(Unit.id)).where(col(Unit.path).startswith(top))
            wanted.append(col(User.unit_id).in_(below))
        elif rule.kind == "role":
            # Holders of the role in the organising unit or below it.
            holders = (
                select(col(RoleGrant.user_id))
                .join(Unit, col(Unit.id) == col(RoleGrant.unit_id))
                .where(
                    col(RoleGrant.role) == rule.role,
                    col(Unit.path).startswith(organiser.path, autoescape=True),
                )
            )
            wanted.append(col(User.id).in_(holders))
        elif rule.kind == "user":
            wanted.append(col(User.id) == rule.user_id)
    if not wanted:
        return []
    excluded = [r.user_id for r in rules if r.kind == "exclude" and r.user_id is not None]
    stmt = select(col(User.id)).where(or_(*wanted), col(User.is_active).is_(True))
    if excluded:
        stmt = stmt.where(col(User.id).not_in(excluded))
    return [int(i or 0) for i in (await session.execute(stmt.order_by(col(User.id)))).scalars()]


async def publish(session: AsyncSession, actor: Actor, event_id: int, *, access: AccessScope | None) -> int:
    """Fix the roster from the audience rules and publish; how many are invited."""
    found = await organised_event(session, access, event_id)
    event = found.event
    LIFECYCLE.require(LIFECYCLE.step("publish"), event.status, found.may)
    invited = await audience_users(session, event)
    if not invited:
        raise InvalidInput(N_("Choose who the event is for before publishing it."))
    if event.capacity is not None and len(invited) > event.capacity:
        raise InvalidInput(
            N_("More people are invited than the event has places; narrow who it is for."),
            invited=len(invited),
            capacity=event.capacity,
        )
    now = utcnow()
    await session.execute(
        insert(EducationAttendance),
        [{"event_id": event_id, "user_id": uid, "status": "invited", "invited_at": now} for uid in invited],
    )
    # When it starts, for the outbox: the record of an event already held invites nobody.
    extra = {"invited": len(invited), "starts_at": event.starts_at.isoformat()}
    await LIFECYCLE.advance(session, event, "publish", actor=actor, extra=extra)
    return len(invited)


def reflection_due_on(ends_at: datetime, days: int, calendar: WorkCalendar) -> date:
    """When reflections (and make-up reports) on an event are due: working days after its local end."""
    return calendar.add_working_days(local_day(ends_at), days)


async def close(session: AsyncSession, actor: Actor, event_id: int, *, access: AccessScope | None) -> int:
    """Close the event: every invitee still unmarked becomes absent; how many."""
    found = await organised_event(session, access, event_id)
    event = found.event
    LIFECYCLE.require(LIFECYCLE.step("close"), event.status, found.may)
    marked = await session.execute(
        update(EducationAttendance)
        .where(col(EducationAttendance.event_id) == event_id, col(EducationAttendance.status) == "invited")
        .values(status="absent")
    )
    absent = int(marked.rowcount or 0)  # type: ignore[attr-defined]
    again = await absent_again(session, event)
    calendar = await work_calendar(session)
    event.reflection_due_on = reflection_due_on(event.ends_at, event.reflection_days, calendar)
    extra = {
        "absent": absent,
        "absent_again": again,
        "reflection_due_on": event.reflection_due_on.isoformat(),
    }
    await LIFECYCLE.advance(session, event, "close", actor=actor, extra=extra)
    return absent


async def absent_again(session: AsyncSession, event: EducationEvent) -> list[int]:
    """Those absent from this event and from each of their events before it, as many in a row as the
    settings say (the organisers hear of them)."""
    in_a_row = get_settings().education_absences_in_a_row
    absent = list(
        (
            await session.execute(
                select(col(EducationAttendance.user_id)).where(
                    col(EducationAttendance.event_id) == event.id, col(EducationAttendance.status) == "absent"
                )
            )
        ).scalars()
    )
    if not absent:
        return []
    before = await session.execute(
        select(col(EducationAttendance.user_id), col(EducationAttendance.status))
        .join(EducationEvent, col(EducationEvent.id) == col(EducationAttendance.event_id))
        .where(
            col(EducationAttendance.user_id).in_(absent),
            col(EducationEvent.status).in_(("closed", "archived")),
            col(EducationEvent.starts_at) < event.starts_at,
            col(EducationEvent.starts_at) >= event.starts_at - timedelta(days=366),
        )
        .order_by(col(EducationAttendance.user_id), col(EducationEvent.starts_at).desc())
    )
    earlier: dict[int, list[str]] = {}
    for user_id, status in before.all():
        earlier.setdefault(user_id, []).append(status)
    wanted = in_a_row - 1
    return [
        u
        for u in absent
        if len(earlier.get(u, [])) >= wanted and all(s == "absent" for s in earlier[u][:wanted])
    ]


async def take_step(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    name: str,
    *,
    reason: str = "",
    access: AccessScope | None,
) -> None:
    """A lifecycle step that only moves the status (start, archive, cancel with its reason)."""
    transition = LIFECYCLE.step(name)
    if name in ("publish", "close") or transition.target is None:  # they do more: see above
        raise InvalidInput(LIFECYCLE.unknown_step)
    found = await organised_event(session, access, event_id)
    LIFECYCLE.require(transition, found.event.status, found.may)
    LIFECYCLE.require_fields(name, {"reason": reason.strip()})
    values = {"cancel_reason": reason.strip()[:1000]} if name == "cancel" else None
    extra = {"reason": reason.strip()} if reason.strip() else None
    await LIFECYCLE.advance(
        session, found.event, name, actor=actor, reason=reason.strip(), values=values, extra=extra
    )


REPEATS = ("weekly", "monthly")
MAX_SERIES = 53  # a year of weekly events


def series_starts(first: datetime, repeat: str, until: date) -> list[datetime]:
    """The start of each event of a series: every week or every month (the same day, or the month's
    last) from the first, up to and including the local date `until`."""
    if repeat not in REPEATS:
        raise one_of("repeat", REPEATS)
    zone = first.tzinfo
    starts, n = [], 0
    while True:
        moment = first + timedelta(weeks=n) if repeat == "weekly" else _months_on(first, n)
        if moment.astimezone(zone).date() > until:
            break
        starts.append(moment)
        n += 1
        if len(starts) > MAX_SERIES:
            raise InvalidInput(N_("A series has at most 53 events; choose an earlier end."))
    if len(starts) < 2:
        raise InvalidInput(N_("A series ends after its second event; choose a later end."))
    return starts


def _months_on(first: datetime, months: int) -> datetime:
    day = add_months(first.date(), months)
    return first.replace(year=day.year, month=day.month, day=day.day)


async def create_series(
    session: AsyncSession,
    actor: Actor,
    draft: EventDraft,
    repeat: str,
    until: date,
    rules: list[AudienceRule],
    *,
    access: AccessScope | None,
) -> list[EducationEvent]:
    """Draft every event of a series at once, each with the same audience rules."""
    length = draft.ends_at - draft.starts_at
    made = []
    for start in series_starts(draft.starts_at, repeat, until):
        event = await create_event(
            session, actor, replace(draft, starts_at=start, ends_at=start + length), access=access
        )
        if rules:
            await set_audience(session, actor, event.id or 0, rules, access=access)
        made.append(event)
    return made
