"""Legal clocks: rules per status (data, adjustable), calendar overrides, and each case's clocks."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class ClockRule(SQLModel, table=True):
    """How long a status may last: `amount` working days or calendar months from entry."""

    __tablename__ = "clock_rules"

    code: str = Field(primary_key=True, max_length=32)
    status: str = Field(max_length=32, unique=True)
    amount: int
    unit: str = Field(max_length=16)  # "working_days" or "months"
    label: str = Field(max_length=100)
    label_en: str = Field(max_length=100)


class CalendarOverride(SQLModel, table=True):
    """An administrator's word on one day: a workday or a holiday, whatever the library says."""

    __tablename__ = "calendar_overrides"

    day: date = Field(primary_key=True)
    is_workday: bool
    note: str = Field(default="", max_length=200)


class CaseClock(SQLModel, table=True):
    """One running (or finished) clock of a case."""

    __tablename__ = "case_clocks"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    rule_code: str = Field(foreign_key="clock_rules.code", max_length=32)
    started_on: date
    due_on: date = Field(index=True)
    met_on: date | None = None
