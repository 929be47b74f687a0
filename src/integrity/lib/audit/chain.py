"""Appending events to the chain inside the caller's transaction, in order under concurrent writers."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import AuditEvent
from integrity.db.types import utcnow
from integrity.lib.audit.canonical import GENESIS_HASH, canonical_json, event_hash, hashed_fields

# Any fixed number; all writers of the chain take this transaction-scoped lock on PostgreSQL.
_PG_CHAIN_LOCK = 0x1A7E_C4A1


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: a user in a request, or the command line."""

    label: str
    user_id: int | None = None
    request_id: str = ""
    client_addr: str = ""

    @classmethod
    def command_line(cls) -> Actor:
        """The operating-system user running an `integrity` command."""
        return cls(label=f"cli:{getpass.getuser()}")


@dataclass
class AuditEntry:
    """What happened, before it is numbered and chained."""

    action: str
    object_type: str
    object_id: str | int = ""
    unit_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    outcome: str = "ok"
    extra: dict[str, Any] = field(default_factory=dict)

    def changes(self) -> str:
        """Only the fields that differ, as canonical JSON."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        changed = [k for k in keys if before.get(k) != after.get(k)]
        body: dict[str, Any] = {}
        if self.before is not None:
            body["before"] = {k: before.get(k) for k in changed if k in before}
        if self.after is not None:
            body["after"] = {k: after.get(k) for k in changed if k in after}
        if self.extra:
            body["extra"] = self.extra
        return canonical_json(body)


async def _lock_chain(session: AsyncSession) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
    # SQLite: write transactions begin IMMEDIATE, so this transaction already holds the write lock.


async def append_event(session: AsyncSession, actor: Actor, entry: AuditEntry) -> AuditEvent:
    """Number, link and insert one event; the lock is held until the caller's commit."""
    await _lock_chain(session)
    head = (
        await session.execute(
            select(col(AuditEvent.seq), col(AuditEvent.hash)).order_by(col(AuditEvent.seq).desc()).limit(1)
        )
    ).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    values: dict[str, Any] = {
        "seq": seq,
        "occurred_at": utcnow(),
        "actor_id": actor.user_id,
        "actor": actor.label[:200],
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": str(entry.object_id),
        "unit_id": entry.unit_id,
        "request_id": actor.request_id[:64],
        "client_addr": actor.client_addr[:64],
        "outcome": entry.outcome,
        "changes": entry.changes(),
        "prev_hash": prev_hash,
    }
    event = AuditEvent(**values, hash=event_hash(hashed_fields(**values)))
    session.add(event)
    await session.flush()
    return event


async def record(session: AsyncSession, actor: Actor, *entries: AuditEntry) -> None:
    """Append several events in order (call it last, just before commit, to keep the lock short)."""
    for entry in entries:
        await append_event(session, actor, entry)
