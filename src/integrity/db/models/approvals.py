"""Approval requests: one maker-checker mechanism for every approvable kind of object."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel, Text

from integrity.db.types import UTCDateTime, utcnow


class ApprovalRequest(SQLModel, table=True):
    """A proposal waiting for a reviewer: approved or returned, exactly once."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        Index("ix_approval_requests_object", "object_type", "object_id"),
        Index("ix_approval_requests_unit_status", "unit_id", "status"),
        # The work queue walks pending requests in due order, and a maker's returned ones.
        Index("ix_approval_requests_status_due", "status", "due_on"),
        Index("ix_approval_requests_requester", "requested_by_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    object_type: str = Field(max_length=64)
    object_id: int
    unit_id: int = Field(foreign_key="units.id")
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    status: str = Field(default="pending", max_length=16)
    requested_by_id: int = Field(foreign_key="users.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The deadline the proposal was made under (the case clock then running, the item's due date):
    # the reviewer's to-do list is ordered by it.
    due_on: date | None = None
    # The case the object belongs to (None for an item of a letter that names no case): whoever may
    # not see the case sees neither the request nor a count that includes it.
    case_id: int | None = None
