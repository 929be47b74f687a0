"""The measure catalogue (seeded, admin-editable) and the effect-period arithmetic."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Measure
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import InvalidInput, NotFound
from integrity.lib.i18n import N_
from integrity.lib.workdays import add_months


def choices(measure: Measure) -> list[int]:
    """The effect periods a decision may choose (probation: 12 or 24 months); empty when fixed."""
    return [int(x) for x in measure.period_choices.split(",") if x.strip()]


def effect_period(measure: Measure, requested: int | None) -> int | None:
    """The months this decision's restrictions last: the catalogue's, or one of its allowed choices."""
    allowed = choices(measure)
    if allowed:
        if requested is None:
            raise InvalidInput(N_("Choose the effect period this measure allows."), allowed=allowed)
        if requested not in allowed:
            raise InvalidInput(N_("This effect period is not one this measure allows."), allowed=allowed)
        return requested
    if requested is not None and requested != measure.period_months:
        raise InvalidInput(N_("This measure's effect period is fixed by the catalogue."))
    return measure.period_months


def effect_end(effective_on: date, months: int | None) -> date | None:
    """The first day the restrictions no longer apply (None: the measure has no effect period)."""
    return add_months(effective_on, months) if months else None


async def list_measures(session: AsyncSession, include_inactive: bool = False) -> list[Measure]:
    query = select(Measure).order_by(col(Measure.sort), col(Measure.code))
    if not include_inactive:
        query = query.where(col(Measure.active))
    return list((await session.execute(query)).scalars())


async def by_code(session: AsyncSession) -> dict[str, Measure]:
    """Every measure, retired ones too, by code: to name the measure of any decision."""
    return {m.code: m for m in await list_measures(session, include_inactive=True)}


async def get_measure(session: AsyncSession, code: str, *, active: bool = True) -> Measure:
    measure = await session.get(Measure, code)
    if measure is None or (active and not measure.active):
        raise NotFound(N_("No such measure in the catalogue."))
    return measure


FIELDS = ("form", "name", "name_en", "period_months", "period_choices", "active", "sort")


def _snapshot(m: Measure) -> dict[str, object]:
    return {f: getattr(m, f) for f in FIELDS}


def _validate(m: Measure) -> None:
    if m.form not in (0, 1, 2, 3, 4):
        raise InvalidInput(N_("The form of supervision is 1 to 4 (0 for any)."))
    if m.period_months is not None and not 1 <= m.period_months <= 600:
        raise InvalidInput(N_("An effect period is 1 to 600 months."))
    try:
        allowed = [int(x) for x in m.period_choices.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(N_("Period choices are month numbers separated by commas.")) from None
    if allowed and m.period_months not in allowed:
        raise InvalidInput(N_("The default effect period must be one of the choices."))
    if not m.name.strip() or not m.name_en.strip():
        raise InvalidInput(N_("A measure needs a Chinese and an English name."))


async def save_measure(
    session: AsyncSession, actor: Actor, code: str, values: dict[str, object], *, create: bool
) -> Measure:
    """Add or change a catalogue entry; decisions keep the form and period they were drafted with."""
    existing = await session.get(Measure, code)
    if create and existing is not None:
        raise InvalidInput(N_("A measure with this code exists already."))
    if not create and existing is None:
        raise NotFound(N_("No such measure in the catalogue."))
    measure = existing or Measure(code=code, form=1, name="", name_en="")
    before = _snapshot(measure) if existing else None
    for field, value in values.items():
        setattr(measure, field, value)
    _validate(measure)
    session.add(measure)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "catalogue.measure." + ("create" if create else "update"),
            "measure",
            code,
            None,
            before,
            _snapshot(measure),
        ),
    )
    return measure
