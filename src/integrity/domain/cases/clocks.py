"""Case clocks: started by a rule's status or step, met on the next step, judged on reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from time import monotonic
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import get_settings
from integrity.db.models import CalendarOverride, CaseClock, ClockRule
from integrity.lib.workdays import WorkCalendar, add_months

# A running clock is "due soon" when this many working days or fewer remain.
DUE_SOON_WORKING_DAYS = 3


def running() -> Any:
    """The SQL condition of a case clock still counting: neither met nor stopped."""
    return col(CaseClock.met_on).is_(None) & col(CaseClock.stopped_on).is_(None)


def local_today() -> date:
    """Today in the office's time zone: clocks count local dates, not UTC ones."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


async def earliest_due(session: AsyncSession, case_id: int) -> date | None:
    """The due date of the case's most urgent running clock (None when no clock runs)."""
    return (
        await session.execute(
            select(func.min(CaseClock.due_on)).where(col(CaseClock.case_id) == case_id, running())
        )
    ).scalar_one()


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    rows = (await session.execute(select(CalendarOverride))).scalars().all()
    return WorkCalendar({r.day: r.is_workday for r in rows})


# The calendar that lists use to say "3 working days left": read at most once a minute per worker. Due
# dates themselves are always computed with `work_calendar`, read in the transaction that sets them.
DISPLAY_SECONDS = 60.0
_shown: list[tuple[float, WorkCalendar]] = []


async def display_calendar(session: AsyncSession) -> WorkCalendar:
    """The working-day calendar for showing days left on a list (an administrator's change shows within
    a minute; at once in the worker that made it, see `forget_display_calendar`)."""
    now = monotonic()
    if not _shown or now - _shown[0][0] > DISPLAY_SECONDS:
        _shown[:] = [(now, await work_calendar(session))]
    return _shown[0][1]


def forget_display_calendar() -> None:
    _shown.clear()


def due_date(rule: ClockRule, start: date, cal: WorkCalendar) -> date:
    if rule.unit == "months":
        return add_months(start, rule.amount)
    return cal.add_working_days(start, rule.amount)


async def on_step(
    session: AsyncSession, case_id: int, step: str, from_status: str, to_status: str, today: date
) -> None:
    """Every running clock of the case is met; the clocks the rules start on this step then start.

    A rule starts its clock on entering its status (`start_step` ""), or when a step is recorded in
    that status (the inquiry-reply clock when the letter is sent; the report clock after the talk or
    the reply, which also meets the reply clock).
    """
    await session.execute(
        update(CaseClock).where(col(CaseClock.case_id) == case_id, running()).values(met_on=today)
    )
    starts = [step] + ([""] if to_status != from_status else [])
    rules = (
        await session.execute(
            select(ClockRule)
            .where(col(ClockRule.status) == to_status, col(ClockRule.start_step).in_(starts))
            .order_by(col(ClockRule.code))
        )
    ).scalars()
    cal = None
    for rule in rules:
        cal = cal or await work_calendar(session)
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
    state: str  # running, due_soon, overdue, met, met_late, stopped
    working_days_left: int | None
    extendable: bool  # running, and its rule allows an extension
    stopped_on: date | None = None
    stop_reason: str = ""


class ClockRow(Protocol):
    """A clock of a case, a decision or an appeal: the fields judging needs."""

    id: int | None
    rule_code: str
    started_on: date
    due_on: date
    met_on: date | None
    stopped_on: date | None
    stop_reason: str


def judge(
    clock: ClockRow, today: date, cal: WorkCalendar, extendable_rules: set[str] | None = None
) -> ClockView:
    if clock.stopped_on is not None:
        state, left = "stopped", None
    elif clock.met_on is not None:
        state, left = ("met" if clock.met_on <= clock.due_on else "met_late"), None
    else:
        left = cal.working_days_between(today, clock.due_on)
        state = (
            "overdue"
            if today > clock.due_on
            else ("due_soon" if left <= DUE_SOON_WORKING_DAYS else "running")
        )
    running = clock.met_on is None and clock.stopped_on is None
    extendable = running and clock.rule_code in (extendable_rules or set())
    return ClockView(
        clock.id or 0,
        clock.rule_code,
        clock.started_on,
        clock.due_on,
        clock.met_on,
        state,
        left,
        extendable,
        clock.stopped_on,
        clock.stop_reason,
    )


async def extendable_rules(session: AsyncSession) -> set[str]:
    return set(
        (await session.execute(select(col(ClockRule.code)).where(col(ClockRule.extendable)))).scalars()
    )


async def due_soon_bound(session: AsyncSession, today: date) -> date:
    """The last due date that still counts as due soon."""
    return (await work_calendar(session)).add_working_days(today, DUE_SOON_WORKING_DAYS)
