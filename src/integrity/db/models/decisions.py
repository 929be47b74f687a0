"""Accountability (问责/处分): the measure catalogue, decisions, and appeals with their panels."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel, Text

from integrity.db.types import UTCDateTime, utcnow


class Measure(SQLModel, table=True):
    """A measure of the catalogue: its form of supervision (1-4, 0 for any) and effect period.

    `period_months` is the effect period; where the regulation lets the decision choose
    (probation: 1 or 2 years), `period_choices` lists the allowed months, comma-separated.
    """

    __tablename__ = "measures"

    code: str = Field(primary_key=True, max_length=32)
    form: int
    name: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    period_months: int | None = None
    period_choices: str = Field(default="", max_length=64)
    sort: int = 0
    active: bool = True


class Decision(SQLModel, table=True):
    """A decision about one person in one case; `supersedes_id` links a modified decision to the old."""

    __tablename__ = "decisions"
    # Approved and in force (an appeal does not suspend execution): these count and restrict.
    IN_FORCE: ClassVar[tuple[str, ...]] = ("approved", "announced", "executed")

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    person_id: int = Field(foreign_key="persons.id", index=True)
    measure_code: str = Field(foreign_key="measures.code", max_length=32)
    form: int  # copied from the catalogue when drafted: later catalogue edits do not rewrite history
    period_months: int | None = None
    effective_on: date
    effect_ends_on: date | None = None
    reasoning: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="draft", max_length=24, index=True)
    drafted_by_id: int = Field(foreign_key="users.id", index=True)
    drafted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    approved_on: date | None = None
    announced_on: date | None = None
    executed_on: date | None = None
    execution_report: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    supersedes_id: int | None = Field(default=None, foreign_key="decisions.id")
    version: int = 1


class DecisionStep(SQLModel, table=True):
    """One entry of a decision's history: who moved it from which status to which, and why."""

    __tablename__ = "decision_steps"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decisions.id", index=True)
    step: str = Field(max_length=32)
    from_status: str = Field(max_length=24)
    to_status: str = Field(max_length=24)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    approval_id: int | None = Field(default=None, foreign_key="approval_requests.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DecisionClock(SQLModel, table=True):
    """A running or met clock of a decision (announcement, execution report) or of its appeal."""

    __tablename__ = "decision_clocks"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decisions.id", index=True)
    appeal_id: int | None = Field(default=None, foreign_key="appeals.id")
    rule_code: str = Field(foreign_key="clock_rules.code", max_length=32)
    started_on: date
    due_on: date = Field(index=True)
    met_on: date | None = None
    stopped_on: date | None = None  # the decision was revoked or superseded: nothing is due any more
    stop_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Appeal(SQLModel, table=True):
    """An appeal (申诉) against an approved decision and its outcome."""

    __tablename__ = "appeals"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decisions.id", index=True)
    filed_on: date
    grounds: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="filed", max_length=16)  # filed, under_review, upheld, modified, revoked
    recorded_by_id: int = Field(foreign_key="users.id")
    outcome_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_on: date | None = None
    new_decision_id: int | None = Field(default=None, foreign_key="decisions.id")


class AppealPanelMember(SQLModel, table=True):
    """A re-reviewer of an appeal; never someone who investigated, heard, drafted or approved."""

    __tablename__ = "appeal_panel"
    __table_args__ = (UniqueConstraint("appeal_id", "user_id", name="uq_appeal_panel"),)

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeals.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    assigned_by_id: int = Field(foreign_key="users.id")
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
