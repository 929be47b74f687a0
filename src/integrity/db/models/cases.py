"""Supervision cases (问题线索 → 案件): the record, its subjects, its team and its history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel, Text

from integrity.db.types import UTCDateTime, utcnow


class Case(SQLModel, table=True):
    """A lead or case; `version` guards edits against lost updates."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_unit_status", "unit_id", "status"),
        # The statistics and ledgers by date received: every column a figure or the visibility reads.
        Index("ix_cases_received_stats", "received_on", "unit_id", "confidential", "source", "category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    unit_id: int = Field(foreign_key="units.id")
    source: str = Field(max_length=32)
    category: str = Field(max_length=32)
    title: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(max_length=32, index=True)
    disposal: str | None = Field(default=None, max_length=32)
    confidential: bool = False
    received_on: date
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class CaseSubject(SQLModel, table=True):
    """A person the case is about."""

    __tablename__ = "case_subjects"
    __table_args__ = (UniqueConstraint("case_id", "person_id", name="uq_case_subjects"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    person_id: int = Field(foreign_key="persons.id", index=True)


class CaseAssignment(SQLModel, table=True):
    """A user on a case's team: handling inspector, investigation team or hearing panel."""

    __tablename__ = "case_assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id", "team", name="uq_case_assignments"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    team: str = Field(max_length=32)
    assigned_by_id: int | None = Field(default=None, foreign_key="users.id")
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recusal_reason: str = Field(default="", max_length=1000)


class CaseTransition(SQLModel, table=True):
    """One step of a case's lifecycle: who moved it, when, why."""

    __tablename__ = "case_transitions"
    # The statistics and ledgers by the day a step was taken, and which step it was.
    __table_args__ = (
        Index("ix_case_transitions_at_status", "at", "to_status", "from_status", "case_id"),
        # The cases that can count twice under one key in the statistics (reopened, reactivated).
        Index("ix_case_transitions_to_status", "to_status", "from_status", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    transition: str = Field(max_length=64)
    from_status: str = Field(max_length=32)
    to_status: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    approval_id: int | None = Field(default=None, foreign_key="approval_requests.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseNumberCounter(SQLModel, table=True):
    """The last case number issued per organisation and year; numbers are never reused."""

    __tablename__ = "case_number_counters"

    org_unit_id: int = Field(foreign_key="units.id", primary_key=True)
    year: int = Field(primary_key=True)
    last: int = 0


class CaseNote(SQLModel, table=True):
    """An internal note on a case (append-only in the app: notes are corrected by new notes)."""

    __tablename__ = "case_notes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseLink(SQLModel, table=True):
    """A link from one case to another: related, or a duplicate of it."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id", name="uq_case_links"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    other_case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=16)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseEvidence(SQLModel, table=True):
    """A file attached to a case, stored once by its SHA-256 under the data directory."""

    __tablename__ = "case_evidence"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseSearchTerm(SQLModel, table=True):
    """One search term of a case: a CJK character or bigram, or a lower-cased word (see search.py)."""

    __tablename__ = "case_search_terms"

    term: str = Field(max_length=64, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", primary_key=True, index=True)
