"""The audit trail: an append-only hash chain of events, and signed checkpoints of its head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel, Text

from integrity.db.types import BigIntPK, UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One recorded act; `hash` covers every other column and the previous event's hash."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_unit_id", "unit_id"),
        Index("ix_audit_events_actor", "actor_id", "seq"),  # a user's 已办, newest first
    )

    seq: int = Field(sa_column=Column(BigIntPK, primary_key=True, autoincrement=False))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = None
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=64)
    object_id: str = Field(default="", max_length=64)
    unit_id: int | None = None
    request_id: str = Field(default="", max_length=64)
    client_addr: str = Field(default="", max_length=64)
    outcome: str = Field(default="ok", max_length=16)
    # Canonical JSON text, kept as the exact bytes that were hashed (a JSON column would re-encode).
    changes: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditCheckpoint(SQLModel, table=True):
    """A chain head signed with a key kept outside the database."""

    __tablename__ = "audit_checkpoints"

    id: int | None = Field(default=None, primary_key=True)
    seq: int
    hash: str = Field(max_length=64)
    signed_at: datetime = Field(sa_type=UTCDateTime)
    public_key: str = Field(max_length=128)
    signature: str = Field(max_length=256)


class AuditEventCase(SQLModel, table=True):
    """The case an event belongs to (its own, or that of its item, decision, letter or approval).

    Kept beside the chain rather than in it, so the hashed fields stay as they were; append-only too.
    Every read of events joins it, so an event follows its case's visibility.
    """

    __tablename__ = "audit_event_cases"

    seq: int = Field(sa_column=Column(BigIntPK, primary_key=True, autoincrement=False))
    case_id: int = Field(foreign_key="cases.id", index=True)
