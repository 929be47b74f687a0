"""The audit trail as auditors see it: events of the units in their scope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import exists, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from integrity.config import get_settings
from integrity.db.models import AuditEvent, AuditEventCase, Case, Unit
from integrity.domain.cases.visibility import visible_case_ids
from integrity.lib.authz import AccessScope
from integrity.lib.authz.scope import is_root_path
from integrity.lib.pagination import Page, fetch_page


class AuditEventOut(msgspec.Struct):
    seq: int
    occurred_at: datetime
    actor: str
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    unit_id: int | None
    outcome: str
    request_id: str
    client_addr: str
    changes: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            e.seq,
            e.occurred_at,
            e.actor,
            e.actor_id,
            e.action,
            e.object_type,
            e.object_id,
            e.unit_id,
            e.outcome,
            e.request_id,
            e.client_addr,
            json.loads(e.changes),
            e.prev_hash,
            e.hash,
        )


@dataclass(frozen=True)
class AuditFilters:
    """What the audit trail page narrows by; every field is optional."""

    action: str | None = None
    actor: str | None = None  # a user name, as events record it
    object_type: str | None = None
    object_id: str | None = None
    case_number: str | None = None
    unit_id: int | None = None  # the unit and every unit below it
    since: date | None = None  # days in the organisation's time zone, both included
    until: date | None = None
    newest_first: bool = False


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(get_settings().timezone)).astimezone(UTC)


async def list_events(
    session: AsyncSession,
    access: AccessScope,
    cursor: str | None,
    limit: int,
    object_type: str | None = None,
    object_id: str | None = None,
    filters: AuditFilters | None = None,
) -> Page[AuditEvent]:
    """Events in the auditor's units; events tied to no unit only for auditors of a root unit."""
    f = filters or AuditFilters(object_type=object_type, object_id=object_id)
    return await fetch_page(session, events_query(access, f), AuditEvent.seq, cursor, limit, f.newest_first)


async def export_events(
    session: AsyncSession, access: AccessScope, f: AuditFilters, limit: int
) -> list[AuditEvent]:
    """The newest `limit` events the filters select (the audit trail's Excel export)."""
    query = events_query(access, f).order_by(col(AuditEvent.seq).desc()).limit(limit)
    return list((await session.execute(query)).scalars().all())


def events_query(access: AccessScope, f: AuditFilters) -> Any:
    """The events this reader may see that the filters select: the one read path of the trail."""
    prefixes = access.paths("audit", "read")
    in_units = select(col(Unit.id)).where(access.unit_filter("audit", "read", Unit.path))
    scope = AuditEvent.unit_id.in_(in_units)  # type: ignore[union-attr]
    if any(is_root_path(p) for p in prefixes):
        scope = or_(scope, AuditEvent.unit_id.is_(None))  # type: ignore[union-attr]
    # Every event of a case (its own, and those of its items, decisions, letters, clocks and approvals)
    # follows the case: hidden from anyone the case is hidden from (subjects, relations, recusals,
    # confidentiality).
    hidden = select(col(AuditEventCase.seq)).where(
        col(AuditEventCase.seq) == col(AuditEvent.seq),
        col(AuditEventCase.case_id).not_in(visible_case_ids(access)),
    )
    case_rule = ~exists(hidden)
    stmt = select(AuditEvent).where(scope, case_rule)
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.actor:
        stmt = stmt.where(AuditEvent.actor == f.actor)
    if f.since:
        stmt = stmt.where(col(AuditEvent.occurred_at) >= _local_midnight(f.since))
    if f.until:
        stmt = stmt.where(col(AuditEvent.occurred_at) < _local_midnight(f.until + timedelta(days=1)))
    if f.unit_id is not None:
        below = aliased(Unit)
        root_path = select(col(Unit.path)).where(col(Unit.id) == f.unit_id).scalar_subquery()
        units = select(col(below.id)).where(col(below.path).like(root_path + "%"))
        stmt = stmt.where(col(AuditEvent.unit_id).in_(units))
    if f.case_number:
        of_case = (
            select(col(AuditEventCase.seq))
            .join(Case, col(Case.id) == col(AuditEventCase.case_id))
            .where(col(AuditEventCase.seq) == col(AuditEvent.seq), col(Case.number) == f.case_number.strip())
        )
        stmt = stmt.where(exists(of_case))
    return stmt
