"""Case clocks: started on entering a status that has a rule, met on leaving it, judged on reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import get_settings
from integrity.db.models import CalendarOverride, CaseClock, ClockRule
from integrity.lib.workdays import WorkCalendar, add_months

# A running clock is "due soon" when this many working days or fewer remain.
DUE_SOON_WORKING_DAYS = 3


def local_today() -> date:
    """Today in the office's time zone: clocks count local dates, not UTC ones."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    rows = (await session.execute(select(CalendarOverride))).scalars().all()
    return WorkCalendar({r.day: r.is_workday for r in rows})


def due_date(rule: ClockRule, start: date, cal: WorkCalendar) -> date:
    if rule.unit == "months":
        return add_months(start, rule.amount)
    return cal.add_working_days(start, rule.amount)


async def on_status_change(session: AsyncSession, case_id: int, new_status: str, today: date) -> None:
    """Every running clock of the case is met; the new status's clock, if it has one, starts."""
    await session.execute(
        update(CaseClock)
        .where(col(CaseClock.case_id) == case_id, col(CaseClock.met_on).is_(None))
        .values(met_on=today)
    )
    rule = (
        await session.execute(select(ClockRule).where(col(ClockRule.status) == new_status))
    ).scalar_one_or_none()
    if rule is not None:
        cal = await work_calendar(session)
        session.add(
            CaseClock(
                case_id=case_id, rule_code=rule.code, started_on=today, due_on=due_date(rule, today, cal)
            )
        )


@dataclass(frozen=True)
class ClockView:
    id: int
    rule_code: str
    started_on: date
    due_on: date
    met_on: date | None
    state: str  # running, due_soon, overdue, met, met_late
    working_days_left: int | None
    extendable: bool  # running, and its rule allows an extension


class ClockRow(Protocol):
    """A clock of a case, a decision or an appeal: the fields judging needs."""

    id: int | None
    rule_code: str
    started_on: date
    due_on: date
    met_on: date | None


def judge(
    clock: ClockRow, today: date, cal: WorkCalendar, extendable_rules: set[str] | None = None
) -> ClockView:
    if clock.met_on is not None:
        state, left = ("met" if clock.met_on <= clock.due_on else "met_late"), None
    else:
        left = cal.working_days_between(today, clock.due_on)
        state = (
            "overdue"
            if today > clock.due_on
            else ("due_soon" if left <= DUE_SOON_WORKING_DAYS else "running")
        )
    extendable = clock.met_on is None and clock.rule_code in (extendable_rules or set())
    return ClockView(
        clock.id or 0, clock.rule_code, clock.started_on, clock.due_on, clock.met_on, state, left, extendable
    )


async def extendable_rules(session: AsyncSession) -> set[str]:
    return set(
        (await session.execute(select(col(ClockRule.code)).where(col(ClockRule.extendable)))).scalars()
    )


async def due_soon_bound(session: AsyncSession, today: date) -> date:
    """The last due date that still counts as due soon."""
    return (await work_calendar(session)).add_working_days(today, DUE_SOON_WORKING_DAYS)
