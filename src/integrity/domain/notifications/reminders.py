"""The reminder scan: every running deadline that has reached a threshold becomes one outbox event, ever.

Thresholds, in working days of the office calendar: `reminder_days_before` before the due date (soon),
the due date (today), past it (overdue), and `escalate_after_days` past it (escalated, which the unit's
reviewers hear too; of a reflection owed on an education event, its organisers). A clock that crossed
several since the last scan gets the latest only. Each event's key is (clock, due date, threshold) under
a unique index, written with ON CONFLICT DO NOTHING in one INSERT … SELECT per kind of clock: rescanning,
restarting, or several instances scanning at once on PostgreSQL add nothing twice. A deadline moved by an
extension is a new due date, with its own reminders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String, and_, cast, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.engine import upsert_insert
from integrity.db.models import (
    Appeal,
    Case,
    CaseClock,
    Decision,
    DecisionClock,
    NotificationEvent,
    RectificationItem,
)
from integrity.db.types import UTCDateTime, utcnow
from integrity.domain.cases.clocks import running
from integrity.domain.decisions import workflow as decisions
from integrity.domain.rectification.workflow import EDITABLE
from integrity.lib.deadlines import Thresholds, threshold_level

COLUMNS = (
    "type",
    "object_type",
    "object_id",
    "case_id",
    "unit_id",
    "due_on",
    "clock",
    "params",
    "dedupe_key",
    "created_at",
)


def _row(source: str, clock_id: Any, due: Any, t: Thresholds) -> tuple[Any, Any]:
    """The event's type and its one-ever key: source:clock:due date:threshold."""
    level = threshold_level(due, t)
    key = (
        literal(f"{source}:")
        + cast(clock_id, String)
        + literal(":")
        + cast(due, String)
        + literal(":")
        + level
    )
    return literal("reminder.") + level, key


def _case_clocks(t: Thresholds, now: Any) -> Any:
    kind, key = _row("case_clock", col(CaseClock.id), col(CaseClock.due_on), t)
    return (
        select(
            kind,
            literal("case"),
            col(Case.id),
            col(Case.id),
            col(Case.unit_id),
            col(CaseClock.due_on),
            col(CaseClock.rule_code),
            literal("{}"),
            key,
            now,
        )
        .join(Case, col(Case.id) == col(CaseClock.case_id))
        .where(running(), col(CaseClock.due_on) <= t.horizon)
    )


def _items(t: Thresholds, now: Any) -> Any:
    item = RectificationItem
    kind, key = _row("item", col(item.id), col(item.due_on), t)
    return select(
        kind,
        literal("rectification"),
        col(item.id),
        col(item.case_id),
        col(item.unit_id),
        col(item.due_on),
        literal("rectification"),
        literal("{}"),
        key,
        now,
    ).where(col(item.status).in_(EDITABLE), col(item.due_on) <= t.horizon)


def _decision_clocks(t: Thresholds, now: Any) -> Any:
    kind, key = _row("decision_clock", col(DecisionClock.id), col(DecisionClock.due_on), t)
    appeal_open = exists().where(
        col(Appeal.id) == col(DecisionClock.appeal_id), col(Appeal.status).in_(decisions.APPEAL_OPEN)
    )
    return (
        select(
            kind,
            literal("decision"),
            col(Decision.id),
            col(Decision.case_id),
            col(Decision.unit_id),
            col(DecisionClock.due_on),
            col(DecisionClock.rule_code),
            literal("{}"),
            key,
            now,
        )
        .join(Decision, col(Decision.id) == col(DecisionClock.decision_id))
        .where(
            col(DecisionClock.met_on).is_(None),
            col(DecisionClock.stopped_on).is_(None),
            col(DecisionClock.due_on) <= t.horizon,
            or_(
                and_(
                    col(DecisionClock.appeal_id).is_(None),
                    col(Decision.status).in_((decisions.APPROVED, decisions.ANNOUNCED)),
                ),
                appeal_open,
            ),
        )
    )


Source = Callable[[Thresholds, Any], Any]  # an INSERT … SELECT's select, in COLUMNS' order
# The deadlines of the domains this one cannot import (education's reflections owed), lent by
# domain/wiring.py.
SOURCES: list[Source] = [_case_clocks, _items, _decision_clocks]


async def scan(session: AsyncSession, t: Thresholds) -> int:
    """Add the reminders due on `t.today` that were never added (the caller commits); how many."""
    insert = upsert_insert(session)
    now = literal(utcnow(), UTCDateTime)
    added = 0
    for source in SOURCES:
        statement = (
            insert(NotificationEvent)
            .from_select(COLUMNS, source(t, now))
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        result = await session.execute(statement)
        added += result.rowcount or 0  # type: ignore[attr-defined]
    return added
