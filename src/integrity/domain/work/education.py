"""Education work on the to-do list: a member's reflections and make-up reports due after a closed
event, and an organiser's reflections to review and leave requests to decide, one row per event."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import (
    EducationAttendance,
    EducationEvent,
    EducationPlan,
    EducationReflection,
    NotificationEvent,
    Unit,
)
from integrity.domain.cases import clocks
from integrity.domain.education import plans, reflections
from integrity.domain.education.workflow import CLOSED, IN_PROGRESS, PUBLISHED
from integrity.domain.work.rows import WorkRow
from integrity.domain.work.source import PLACE, Found, Place, Query, Source, me, place_name
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import N_
from integrity.lib.i18n import gettext as _

Event, Invitee, Reflection = EducationEvent, EducationAttendance, EducationReflection


def _to_write(access: AccessScope) -> Query:
    """Closed events I attended (a reflection) or missed (a make-up report) with nothing written yet."""
    return (
        select(
            col(Event.id),
            col(Event.title),
            col(Event.ends_at),
            col(Event.reflection_due_on),
            col(Invitee.status),
            *PLACE,
        )
        .join(Invitee, col(Invitee.event_id) == col(Event.id))
        .join(Place, col(Place.id) == col(Event.unit_id))
        .where(
            col(Invitee.user_id) == me(access),
            reflections.owed(),
        )
        .order_by(col(Event.ends_at), col(Event.id))
    )


async def _present_writing(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
    return [
        WorkRow(
            "reflection",
            _("Write your reflection")
            if row.status in ("present", "late")
            else _("Make up: study and report"),
            row.title,
            place_name(row),
            f"/education/{row.id}#reflection",
            row.reflection_due_on,
        )
        for row in found
    ]


TO_WRITE = Source(
    "reflection",
    lambda a: True,  # anyone may be invited, whatever their roles
    _to_write,
    _present_writing,
    mine=lambda a: exists().where(
        col(Invitee.user_id) == me(a), col(Invitee.status).in_(reflections.OWED_BY)
    ),
)


def _waiting(access: AccessScope, joined: Any, condition: ColumnElement[bool]) -> Query:
    """Events of units I organise for, with how many of their rows wait on me."""
    return (
        select(col(Event.id), col(Event.title), col(Event.ends_at), func.count().label("waiting"), *PLACE)
        .join(joined, condition)
        .join(Place, col(Place.id) == col(Event.unit_id))
        .where(access.unit_filter("education", "update", col(Place.path)))
        .group_by(col(Event.id), col(Event.title), col(Event.ends_at), *PLACE)
        .order_by(col(Event.ends_at), col(Event.id))
    )


def _to_review(access: AccessScope) -> Query:
    submitted = and_(
        col(Reflection.event_id) == col(Event.id),
        col(Reflection.status) == "submitted",
        col(Reflection.user_id) != me(access),  # never one's own
    )
    return _waiting(access, Reflection, submitted)


def _leave(access: AccessScope) -> Query:
    asked = and_(
        col(Invitee.event_id) == col(Event.id),
        col(Invitee.leave_state) == "requested",
        col(Invitee.user_id) != me(access),
        col(Event.status).in_((PUBLISHED, IN_PROGRESS, CLOSED)),
    )
    return _waiting(access, Invitee, asked)


def _shown_as(kind: str, words: str, anchor: str) -> Any:
    async def present(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
        return [
            WorkRow(
                kind,
                _(words) % {"n": row.waiting},
                row.title,
                place_name(row),
                f"/education/{row.id}{anchor}",
                None,
            )
            for row in found
        ]

    return present


def _organises(access: AccessScope) -> bool:
    return access.can_anywhere("education", "update")


TO_REVIEW = Source(
    "reflection_review",
    _organises,
    _to_review,
    _shown_as("reflection_review", N_("Reflections to review: %(n)s"), "#reflections"),
    mine=lambda a: exists().where(col(Reflection.status) == "submitted"),
)
LEAVE = Source(
    "leave",
    _organises,
    _leave,
    _shown_as("leave", N_("Leave requests to decide: %(n)s"), "#roster"),
    mine=lambda a: exists().where(col(Invitee.leave_state) == "requested"),
)


def _plans_behind(access: AccessScope) -> Query:
    """This year's plans of units I organise for, once reported behind their quotas (from the check day)."""
    year = clocks.local_today().year
    reported = exists().where(
        col(NotificationEvent.dedupe_key)
        == literal("plan_behind:") + cast(col(EducationPlan.id), String) + literal(f":{year}")
    )
    return (
        select(col(EducationPlan.id), col(EducationPlan.year), col(Place.id).label("unit_id"), *PLACE)
        .join(Place, col(Place.id) == col(EducationPlan.unit_id))
        .where(
            col(EducationPlan.year) == year,
            access.unit_filter("education", "update", col(Place.path)),
            reported,
        )
        .order_by(col(Place.path))
    )


async def _present_plans(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
    shown = []
    for row in found:
        unit = await session.get(Unit, row.unit_id)
        assert unit is not None
        progress = await plans.progress(session, unit, row.year, await plans.quotas_of(session, row.id))
        met = sum(q.met for q in progress)
        shown.append(
            WorkRow(
                "plan",
                _("Plan behind: %(met)s of %(quotas)s quotas met") % {"met": met, "quotas": len(progress)}
                if met < len(progress)
                else _("Plan caught up: every quota met"),  # stays, as reported, until the year ends
                _("Education plan %(year)s") % {"year": row.year},
                place_name(row),
                f"/org/{row.unit_id}#plan-h",
                date(row.year, 12, 31),
            )
        )
    return shown


PLANS_BEHIND = Source(
    "plan",
    _organises,
    _plans_behind,
    _present_plans,
    mine=lambda a: exists().where(col(NotificationEvent.type) == "education.plan_behind"),
)
