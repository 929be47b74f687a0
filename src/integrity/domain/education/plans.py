"""Each unit's yearly education plan: quotas of events held (of a type, or any) and of events each
member attends, and the plan's progress, read by the unit's page and its organisers' to-do lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import upsert_insert
from integrity.db.models import (
    CatalogueItem,
    EducationAttendance,
    EducationEvent,
    EducationPlan,
    EducationPlanQuota,
    NotificationEvent,
    Unit,
    User,
)
from integrity.db.types import utcnow
from integrity.domain.education.coverage import ATTENDED
from integrity.domain.education.workflow import ARCHIVED, CLOSED
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import InvalidInput, NotFound, one_of
from integrity.lib.i18n import N_
from integrity.lib.localtime import period_bounds

KINDS = ("events", "attendance")
HELD = (CLOSED, ARCHIVED)


@dataclass(frozen=True)
class QuotaProgress:
    quota: EducationPlanQuota
    done: int  # events held, or members who attended at least `minimum`
    of: int  # the quota's minimum (events), or the members (attendance)

    @property
    def met(self) -> bool:
        return self.done >= self.of


async def _unit(session: AsyncSession, access: AccessScope | None, unit_id: int, act: str) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None or (access is not None and not access.can("education", act, unit.path)):
        raise NotFound(N_("No such unit."))
    return unit


async def plan_of(
    session: AsyncSession, unit_id: int, year: int
) -> tuple[EducationPlan | None, list[EducationPlanQuota]]:
    plan = await session.scalar(
        select(EducationPlan).where(col(EducationPlan.unit_id) == unit_id, col(EducationPlan.year) == year)
    )
    if plan is None:
        return None, []
    return plan, await quotas_of(session, plan.id or 0)


async def quotas_of(session: AsyncSession, plan_id: int) -> list[EducationPlanQuota]:
    quotas = await session.execute(
        select(EducationPlanQuota)
        .where(col(EducationPlanQuota.plan_id) == plan_id)
        .order_by(col(EducationPlanQuota.id))
    )
    return list(quotas.scalars())


async def add_quota(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    year: int,
    kind: str,
    minimum: int,
    *,
    type_code: str = "",
    label: str = "",
    access: AccessScope | None,
) -> EducationPlanQuota:
    """Add a quota to the unit's plan for the year (the plan made on its first quota)."""
    unit = await _unit(session, access, unit_id, "update")
    if kind not in KINDS:
        raise one_of("kind", KINDS)
    if not 1 <= minimum <= 100:
        raise InvalidInput(N_("A quota is a number from 1 to 100."))
    if not 2000 <= year <= 2100:
        raise InvalidInput(N_("No such year."))
    if type_code:
        kind_row = await session.get(CatalogueItem, ("education_type", type_code))
        if kind_row is None:
            raise InvalidInput(N_("Not an event type in the catalogue."))
    plan, _quotas = await plan_of(session, unit_id, year)
    if plan is None:
        plan = EducationPlan(unit_id=unit_id, year=year, updated_by_id=actor.user_id or 0)
        session.add(plan)
        await session.flush()
    plan.updated_at, plan.updated_by_id = utcnow(), actor.user_id or 0
    quota = EducationPlanQuota(
        plan_id=plan.id or 0,
        kind=kind,
        type_code=type_code if kind == "events" else "",
        minimum=minimum,
        label=label.strip()[:200],
    )
    session.add(quota)
    await session.flush()
    after = {
        "year": year,
        "kind": kind,
        "type_code": quota.type_code,
        "minimum": minimum,
        "label": quota.label,
    }
    await record(session, actor, AuditEntry("education.plan_quota", "unit", unit_id, unit.id, after=after))
    return quota


async def remove_quota(
    session: AsyncSession, actor: Actor, quota_id: int, *, access: AccessScope | None
) -> None:
    quota = await session.get(EducationPlanQuota, quota_id)
    plan = await session.get(EducationPlan, quota.plan_id) if quota else None
    if quota is None or plan is None:
        raise NotFound(N_("No such quota."))
    unit = await _unit(session, access, plan.unit_id, "update")
    before = {"year": plan.year, "kind": quota.kind, "type_code": quota.type_code, "minimum": quota.minimum}
    await session.execute(delete(EducationPlanQuota).where(col(EducationPlanQuota.id) == quota_id))
    await record(
        session,
        actor,
        AuditEntry("education.plan_quota_remove", "unit", unit.id or 0, unit.id, before=before),
    )


async def progress(
    session: AsyncSession, unit: Unit, year: int, quotas: list[EducationPlanQuota]
) -> list[QuotaProgress]:
    """Each quota's progress: events the unit and those below held in the year; members of the unit and
    those below who attended at least the minimum."""
    if not quotas:
        return []
    first, last = period_bounds(date(year, 1, 1), date(year, 12, 31))
    below = select(col(Unit.id)).where(col(Unit.path).startswith(unit.path, autoescape=True))
    held_rows = await session.execute(
        select(col(EducationEvent.type_code), func.count())
        .where(
            col(EducationEvent.unit_id).in_(below),
            col(EducationEvent.status).in_(HELD),
            col(EducationEvent.starts_at).between(first, last),
        )
        .group_by(col(EducationEvent.type_code))
    )
    held = dict(held_rows.all())
    members = int(
        await session.scalar(
            select(func.count()).where(col(User.unit_id).in_(below), col(User.is_active).is_(True))
        )
        or 0
    )
    attended: list[int] = []
    if any(q.kind == "attendance" for q in quotas):
        events = select(col(EducationEvent.id)).where(col(EducationEvent.starts_at).between(first, last))
        counted = await session.execute(
            select(func.count())
            .select_from(EducationAttendance)
            .join(User, col(User.id) == col(EducationAttendance.user_id))
            .where(
                col(User.unit_id).in_(below),
                col(User.is_active).is_(True),
                col(EducationAttendance.status).in_(ATTENDED),
                col(EducationAttendance.event_id).in_(events),
            )
            .group_by(col(EducationAttendance.user_id))
        )
        attended = [int(n) for (n,) in counted.all()]
    shown = []
    for quota in quotas:
        if quota.kind == "events":
            done = held.get(quota.type_code, 0) if quota.type_code else sum(held.values())
            shown.append(QuotaProgress(quota, int(done), quota.minimum))
        else:
            shown.append(QuotaProgress(quota, sum(1 for n in attended if n >= quota.minimum), members))
    return shown


async def unit_progress(
    session: AsyncSession, access: AccessScope | None, unit_id: int, year: int
) -> tuple[Unit, list[QuotaProgress]]:
    unit = await _unit(session, access, unit_id, "read")
    _plan, quotas = await plan_of(session, unit_id, year)
    return unit, await progress(session, unit, year, quotas)


def check_day(settings_value: str, year: int) -> date:
    """The day of `year` from which a plan behind its quotas is reported (29 Feb falls back to 28)."""
    month, day = (int(p) for p in settings_value.split("-"))
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


async def behind(session: AsyncSession, year: int) -> list[tuple[EducationPlan, Unit, list[QuotaProgress]]]:
    """The year's plans with a quota not met, and their progress."""
    found = await session.execute(
        select(EducationPlan, Unit)
        .join(Unit, col(Unit.id) == col(EducationPlan.unit_id))
        .where(col(EducationPlan.year) == year)
    )
    late = []
    for plan, unit in found.all():
        shown = await progress(session, unit, year, await quotas_of(session, plan.id or 0))
        if any(not q.met for q in shown):
            late.append((plan, unit, shown))
    return late


async def report_behind(session: AsyncSession, today: date, settings: Settings) -> int:
    """From the check day on, one notification per plan behind its quotas, ever (the caller commits)."""
    if today < check_day(settings.education_plan_check_on, today.year):
        return 0
    insert = upsert_insert(session)
    added = 0
    for plan, unit, shown in await behind(session, today.year):
        params = {"year": plan.year, "met": sum(q.met for q in shown), "quotas": len(shown)}
        row = {
            "type": "education.plan_behind",
            "object_type": "unit",
            "object_id": unit.id,
            "unit_id": unit.id,
            "params": json.dumps(params),
            "dedupe_key": f"plan_behind:{plan.id}:{plan.year}",
            "created_at": utcnow(),
        }
        result = await session.execute(
            insert(NotificationEvent).values(**row).on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        added += result.rowcount or 0  # type: ignore[attr-defined]
    return added
