"""Rectification (整改): recommendation letters to units, their items, each step and file of an item."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel, Text

from integrity.db.types import UTCDateTime, utcnow


class RecommendationLetter(SQLModel, table=True):
    """A recommendation letter (纪检监察建议书) to a unit, turning a case into system fixes; holds items."""

    __tablename__ = "recommendation_letters"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)  # the unit the letter is addressed to
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    issued_on: date
    issued_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RectificationItem(SQLModel, table=True):
    """One follow-up action (整改事项): a requirement, its responsible unit and person, a due date."""

    __tablename__ = "rectification_items"
    __table_args__ = (Index("ix_rectification_items_status_due", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)  # the responsible unit
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    letter_id: int | None = Field(default=None, foreign_key="recommendation_letters.id", index=True)
    requirement: str = Field(sa_column=Column(Text, nullable=False))
    responsible_user_id: int = Field(foreign_key="users.id", index=True)
    due_on: date = Field(index=True)
    status: str = Field(default="open", max_length=16, index=True)
    created_by_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_on: date | None = None
    version: int = 1


class RectificationStep(SQLModel, table=True):
    """One entry of an item's history: a status change (with its reason) or a comment."""

    __tablename__ = "rectification_steps"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="rectification_items.id", index=True)
    action: str = Field(max_length=32)
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor_id: int = Field(foreign_key="users.id")
    approval_id: int | None = Field(default=None, foreign_key="approval_requests.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RectificationEvidence(SQLModel, table=True):
    """A file the rectifier attached as proof of completion (stored like case evidence)."""

    __tablename__ = "rectification_evidence"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="rectification_items.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReInspection(SQLModel, table=True):
    """A re-inspection (回头看) of an approved item: scheduled, then confirmed or reopened."""

    __tablename__ = "rectification_reinspections"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="rectification_items.id", index=True)
    scheduled_on: date
    scheduled_by_id: int = Field(foreign_key="users.id")
    outcome: str | None = Field(default=None, max_length=16)  # confirmed or reopened
    findings: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    recorded_on: date | None = None
