"""Legal clocks: rules per status (data, adjustable), calendar overrides, and each case's clocks."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel, Text


class ClockRule(SQLModel, table=True):
    """How long a status may last: `amount` working days or calendar months from entry."""

    __tablename__ = "clock_rules"

    code: str = Field(primary_key=True, max_length=32)
    status: str = Field(max_length=32)  # the status it runs in: left, its clock is met
    # "" starts the clock on entering the status; a step name starts it when that step is recorded
    # there (the inquiry-reply clock starts when the letter is sent, not on entering 谈话函询).
    start_step: str = Field(default="", max_length=64)
    amount: int
    unit: str = Field(max_length=16)  # "working_days" or "months"
    label: str = Field(max_length=100)
    label_en: str = Field(max_length=100)
    extendable: bool = Field(default=False)  # may a reviewer grant more time (the hearing, by default)


class CalendarOverride(SQLModel, table=True):
    """An administrator's word on one day: a workday or a holiday, whatever the library says."""

    __tablename__ = "calendar_overrides"

    day: date = Field(primary_key=True)
    is_workday: bool
    note: str = Field(default="", max_length=200)


class CaseClock(SQLModel, table=True):
    """One running (or finished) clock of a case."""

    __tablename__ = "case_clocks"
    # The statistics' cases with two clocks of one rule due in a period, read from the index alone.
    __table_args__ = (Index("ix_case_clocks_due_case_rule", "due_on", "case_id", "rule_code"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    rule_code: str = Field(foreign_key="clock_rules.code", max_length=32)
    started_on: date
    due_on: date = Field(index=True)
    met_on: date | None = None
    stopped_on: date | None = None  # stopped by a reviewer, with a reason: no longer counts
    stop_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ClockExtension(SQLModel, table=True):
    """More time granted on a running clock: how much, why, and the approval that granted it."""

    __tablename__ = "case_clock_extensions"

    id: int | None = Field(default=None, primary_key=True)
    clock_id: int = Field(foreign_key="case_clocks.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    amount: int
    unit: str = Field(max_length=16)  # "working_days" or "months"
    reason: str = Field(max_length=2000)
    previous_due_on: date
    new_due_on: date
    approval_id: int = Field(foreign_key="approval_requests.id", unique=True)
