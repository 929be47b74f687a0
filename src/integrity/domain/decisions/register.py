"""The sanction register: a person's decisions and active restrictions; a unit's "four forms" figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Decision, Measure, Person, Unit
from integrity.domain.decisions import workflow
from integrity.domain.decisions.services import decision_filter
from integrity.domain.org.services import require_in_unit
from integrity.lib.authz import AccessScope
from integrity.lib.errors import NotFound
from integrity.lib.i18n import N_


def restricts_on(d: Decision, day: date) -> bool:
    """Whether the decision's restrictions (no promotion, etc.) apply on that day."""
    return (
        d.status in workflow.IN_FORCE
        and d.effect_ends_on is not None
        and d.effective_on <= day < d.effect_ends_on
    )


@dataclass(frozen=True)
class PersonRegister:
    person: Person
    decisions: list[Decision]
    active: list[Decision]  # restrictions in effect today, with `effect_ends_on` saying until when


async def person_register(
    session: AsyncSession, access: AccessScope, person_id: int, today: date
) -> PersonRegister:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(N_("No such person."))
    rows = await session.execute(
        select(Decision)
        .where(col(Decision.person_id) == person_id, decision_filter(access))
        .order_by(col(Decision.effective_on).desc(), col(Decision.id).desc())
    )
    decisions = list(rows.scalars())
    if not decisions:
        await require_in_unit(session, access, person.unit_id, "person", "read")  # 404 outside scope
    return PersonRegister(person, decisions, [d for d in decisions if restricts_on(d, today)])


@dataclass(frozen=True)
class UnitStatistics:
    unit: Unit
    start: date
    end: date
    by_form: dict[int, int]
    by_measure: list[tuple[int, str, int]]  # form, measure code, count
    total: int


async def unit_statistics(
    session: AsyncSession, access: AccessScope, unit_id: int, start: date, end: date
) -> UnitStatistics:
    """Decisions in force whose effective date falls in [start, end], in the unit and below it."""
    unit = await require_in_unit(session, access, unit_id, "decision", "read")
    rows = await session.execute(
        select(col(Decision.form), col(Decision.measure_code), func.count())
        .join(Unit, col(Unit.id) == col(Decision.unit_id))
        .where(
            col(Unit.path).startswith(unit.path, autoescape=True),
            col(Decision.status).in_(workflow.IN_FORCE),
            col(Decision.effective_on) >= start,
            col(Decision.effective_on) <= end,
            decision_filter(access),
        )
        .group_by(col(Decision.form), col(Decision.measure_code))
    )
    counted = [(int(form), str(code), int(n)) for form, code, n in rows.all()]
    order = dict(
        (await session.execute(select(col(Measure.code), col(Measure.sort)))).all()  # catalogue order
    )
    counted.sort(key=lambda r: (r[0] or 9, order.get(r[1], 999)))
    by_form: Counter[int] = Counter()
    for form, _code, n in counted:
        by_form[form] += n
    return UnitStatistics(
        unit, start, end, {f: by_form.get(f, 0) for f in (1, 2, 3, 4, 0)}, counted, sum(by_form.values())
    )
