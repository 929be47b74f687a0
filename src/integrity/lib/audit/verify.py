"""Walking the chain in constant memory and naming the first broken link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import AuditEvent
from integrity.lib.audit.canonical import GENESIS_HASH, event_hash, hashed_fields

BATCH = 1000


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a walk: how far it got and the first break, if any."""

    events: int
    head_seq: int
    head_hash: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def fields_of(event: AuditEvent) -> dict[str, Any]:
    """A stored event's fields in the form that is hashed (also what a trail export carries)."""
    return hashed_fields(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        unit_id=event.unit_id,
        request_id=event.request_id,
        client_addr=event.client_addr,
        outcome=event.outcome,
        changes=event.changes,
        prev_hash=event.prev_hash,
    )


def recompute(event: AuditEvent) -> str:
    """The hash an event ought to carry."""
    return event_hash(fields_of(event))


async def _batches(session: AsyncSession) -> AsyncIterator[list[AuditEvent]]:
    after = 0
    while True:
        rows = (
            (
                await session.execute(
                    select(AuditEvent)
                    .where(AuditEvent.seq > after)  # type: ignore[arg-type]
                    .order_by(AuditEvent.seq)  # type: ignore[arg-type]
                    .limit(BATCH)
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield list(rows)
        after = rows[-1].seq
        session.expunge_all()  # keep memory flat however long the chain is


async def verify_chain(session: AsyncSession) -> VerifyResult:
    """Check numbering, links and hashes of every event, in order."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    async for batch in _batches(session):
        for event in batch:
            if event.seq != expected_seq:
                reason = f"event {expected_seq} is missing (next stored is {event.seq})"
                return VerifyResult(count, expected_seq - 1, prev_hash, expected_seq, reason)
            if event.prev_hash != prev_hash:
                reason = "its prev_hash does not match the hash of the event before it"
                return VerifyResult(count, event.seq - 1, prev_hash, event.seq, reason)
            if recompute(event) != event.hash:
                reason = "its content does not match its hash (the event was altered)"
                return VerifyResult(count, event.seq - 1, prev_hash, event.seq, reason)
            prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    return VerifyResult(count, expected_seq - 1, prev_hash)
