"""Integrity education (廉政教育): events, who they are for, and each invitee's attendance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel, Text

from integrity.db.types import UTCDateTime, utcnow


class EducationEvent(SQLModel, table=True):
    """An event of a unit: 廉政党课, 警示教育, a lecture, a study session…, with its sign-in rules."""

    __tablename__ = "education_events"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)  # the organising unit
    type_code: str = Field(max_length=32)  # catalogue "education_type"
    title: str = Field(max_length=300)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=300)
    online_link: str = Field(default="", max_length=500)
    speaker: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    capacity: int | None = None
    status: str = Field(default="draft", max_length=16, index=True)
    version: int = 1
    walk_ins: bool = False  # a member not on the roster may sign in (recorded as a walk-in)
    late_after_minutes: int = 10  # signed in later than this after the start: late
    code_seconds: int = 10  # how often the projector's sign-in code changes
    reflection_days: int = 10  # reflections are due this many working days after the event ends
    reflection_due_on: date | None = None  # set when the event closes: what reminders compare
    cancel_reason: str = Field(default="", max_length=1000)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EducationAudience(SQLModel, table=True):
    """One rule of who an event is for: a unit (alone or with those below), a role, a person, or an
    exclusion. Applied when the event is published; the roster is then fixed."""

    __tablename__ = "education_audiences"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="education_events.id", index=True)
    kind: str = Field(max_length=16)  # unit | unit_tree | role | user | exclude
    unit_id: int | None = Field(default=None, foreign_key="units.id")
    role: str = Field(default="", max_length=32)
    user_id: int | None = Field(default=None, foreign_key="users.id")


class EducationAttendance(SQLModel, table=True):
    """An invitee of an event (or a walk-in) and how they attended; one row per member per event."""

    __tablename__ = "education_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_education_attendance"),
        # Coverage reads a period's rows per person and status in index order (no sort).
        Index("ix_education_attendance_coverage", "user_id", "status", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="education_events.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default="invited", max_length=16)  # invited, present, late, excused, absent, made_up
    walk_in: bool = False
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    method: str = Field(default="", max_length=16)  # qr | code | staff
    invited_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    leave_state: str = Field(default="", max_length=16)  # "" | requested | approved | declined
    leave_reason: str = Field(default="", max_length=1000)
    note: str = Field(default="", max_length=1000)  # why staff last corrected the status


class EducationEventStep(SQLModel, table=True):
    """One entry of an event's history: a status change with its reason."""

    __tablename__ = "education_event_steps"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="education_events.id", index=True)
    action: str = Field(max_length=32)
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor_id: int = Field(foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EducationReflection(SQLModel, table=True):
    """One submission of a member's reflection (心得体会) on an event, or of a make-up report (补学) by
    one who missed it; a resubmission after a return is a new round, so the history stays."""

    __tablename__ = "education_reflections"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "round", name="uq_education_reflection_round"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="education_events.id")
    user_id: int = Field(foreign_key="users.id", index=True)
    round: int = 1
    make_up: bool = False  # submitted by one absent or excused: accepting it makes their status made_up
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="submitted", max_length=16, index=True)  # submitted | accepted | returned
    excellent: bool = False  # 优秀
    comment: str = Field(default="", max_length=2000)  # the organiser's, when returned or accepted
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reviewed_by_id: int | None = Field(default=None, foreign_key="users.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EducationTeachingCase(SQLModel, table=True):
    """A closed case used as an event's teaching material, shown to its audience only through this
    anonymised summary, once a reviewer approved it (never the case's number, names or own text)."""

    __tablename__ = "education_teaching_cases"
    __table_args__ = (UniqueConstraint("event_id", "case_id", name="uq_education_teaching_case"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="education_events.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | approved | returned
    written_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EducationMaterial(SQLModel, table=True):
    """A file of an event's materials (slides, documents, a video), stored once by its SHA-256 under
    the same rules as case evidence; read by the organisers and by those on the event's list."""

    __tablename__ = "education_materials"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="education_events.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EducationPlan(SQLModel, table=True):
    """A unit's education plan for a year: its quotas."""

    __tablename__ = "education_plans"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_education_plan"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id")
    year: int
    updated_by_id: int = Field(foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EducationPlanQuota(SQLModel, table=True):
    """One quota of a plan: at least `minimum` events held (of a type, or any) by the unit and those
    below it, or at least `minimum` events attended by each member of the unit and those below it."""

    __tablename__ = "education_plan_quotas"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="education_plans.id", index=True)
    kind: str = Field(max_length=16)  # events | attendance
    type_code: str = Field(default="", max_length=32)  # for events: of this type ("" any)
    minimum: int
    label: str = Field(default="", max_length=200)  # e.g. 党委书记讲廉政党课


class EducationTally(SQLModel, table=True):
    """Attendance rows of an event per unit (the person's, now) and status; kept by database triggers
    in the transaction of every attendance change (migration 0020), read by coverage."""

    __tablename__ = "education_tallies"

    event_id: int = Field(foreign_key="education_events.id", primary_key=True)
    unit_id: int = Field(foreign_key="units.id", primary_key=True)
    status: str = Field(max_length=16, primary_key=True)
    n: int
