"""A user's to-do list (待办) across every kind of work, and what they did (已办)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import AuditEvent, AuditEventCase
from integrity.domain.cases.visibility import case_visible
from integrity.domain.work.rows import SHOWN, WorkRow, by_urgency, shown_count
from integrity.domain.work.sources import with_work
from integrity.lib.authz import AccessScope

DONE_SHOWN = 50


@dataclass(frozen=True)
class Queue:
    rows: list[WorkRow]  # the most urgent SHOWN of them
    count: str  # how many wait, as the navigation shows it ("12", "99+")
    counts: dict[str, int]  # per kind, capped


async def todo(session: AsyncSession, access: AccessScope) -> Queue:
    """Everything waiting on this user, most urgent first; a query or two per kind, whatever the size."""
    rows: list[WorkRow] = []
    counts: dict[str, int] = {}
    sources, params = await with_work(session, access)
    for source in sources:
        found, counts[source.kind] = await source.rows(session, access, SHOWN, params)
        rows.extend(found)
    rows.sort(key=by_urgency)
    return Queue(rows[:SHOWN], shown_count(list(counts.values())), counts)


async def todo_count(session: AsyncSession, access: AccessScope) -> str:
    """The navigation's number: the same sources, counted (and capped), no rows read."""
    sources, params = await with_work(session, access)
    counts = [await s.count(session, access, params) for s in sources]
    return shown_count(counts)


async def done(session: AsyncSession, access: AccessScope) -> list[AuditEvent]:
    """What this user did lately, newest first; an act on a case they may no longer see stays hidden."""
    hidden = exists().where(
        col(AuditEventCase.seq) == col(AuditEvent.seq), ~case_visible(access, col(AuditEventCase.case_id))
    )
    rows = await session.execute(
        select(AuditEvent)
        .where(col(AuditEvent.actor_id) == access.principal.user_id, ~hidden)
        .order_by(col(AuditEvent.seq).desc())
        .limit(DONE_SHOWN)
    )
    return list(rows.scalars())
