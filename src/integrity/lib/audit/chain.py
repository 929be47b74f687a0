"""Appending events to the chain inside the caller's transaction, in order under concurrent writers."""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import AuditEvent
from integrity.db.types import utcnow
from integrity.lib.audit.canonical import GENESIS_HASH, canonical_json, event_hash, hashed_fields
from integrity.lib.audit.cases import link_events_to_cases

AUDIT_TABLE: Any = AuditEvent.__table__  # type: ignore[attr-defined]

# Any fixed number; all writers of the chain take this transaction-scoped lock on PostgreSQL.
_PG_CHAIN_LOCK = 0x1A7E_C4A1
_LOCKED_IN = "audit_chain_locked_in"  # session.info key: the transaction that holds the lock
_HEAD = "audit_chain_head"  # session.info key: (transaction, seq, hash) of the last event it appended


# The chain's last event and the insert after it; built once (every audited change runs both).
_HEAD_ROW: Any = (
    select(col(AuditEvent.seq), col(AuditEvent.hash)).order_by(col(AuditEvent.seq).desc()).limit(1)
)
_APPEND: Any = insert(AUDIT_TABLE)

# Who reacts to recorded events inside the same transaction (the notifications outbox): each gets the new
# events as inserted and the case of each that belongs to one, by sequence number. Filled by the wiring.
Listener = Callable[[AsyncSession, list[dict[str, Any]], dict[int, int]], Awaitable[None]]
LISTENERS: list[Listener] = []


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
    """Take the chain lock once per transaction; it is held until the caller's commit or rollback."""
    transaction = session.sync_session.get_transaction()
    if transaction is not None and session.info.get(_LOCKED_IN) is transaction:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
    # SQLite: write transactions begin IMMEDIATE, so this transaction already holds the write lock.
    session.info[_LOCKED_IN] = session.sync_session.get_transaction()


async def record(session: AsyncSession, actor: Actor, *entries: AuditEntry) -> None:
    """Number, link and insert events in order, in one statement (call it last, just before commit).

    The head is read under the chain lock, so concurrent writers append one after the other.
    """
    if not entries:
        return
    await _lock_chain(session)
    # The innermost transaction: events appended inside a savepoint that is later rolled back
    # must not be taken for the head, so the cache is only good within the same (sub)transaction.
    sync = session.sync_session
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    known = session.info.get(_HEAD)
    if known is not None and known[0] is transaction:
        # This transaction holds the lock and wrote the head itself: nobody can have appended since.
        seq, prev_hash = known[1] + 1, known[2]
    else:
        head = (await session.execute(_HEAD_ROW)).first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    rows: list[dict[str, Any]] = []
    for entry in entries:
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
        prev_hash = event_hash(hashed_fields(**values))
        rows.append({**values, "hash": prev_hash})
        seq += 1
    # Core insert of plain rows: the ORM's bulk path costs more than the insert (a burst of sign-ins).
    await session.execute(_APPEND, rows)
    cases = await link_events_to_cases(session, rows)
    session.info[_HEAD] = (transaction, seq - 1, prev_hash)
    for listener in LISTENERS:
        await listener(session, rows, cases)
