"""Case statistics kept per month (migration 0022): the tallies, and the months to count again."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class StatisticsTally(SQLModel, table=True):
    """Cases one figure counts in a month, per unit, confidentiality and key (durations: working days)."""

    __tablename__ = "statistics_tallies"
    __table_args__ = {"sqlite_with_rowid": False}

    month: date = Field(primary_key=True)  # its first day
    figure: str = Field(max_length=40, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", primary_key=True)
    confidential: bool = Field(primary_key=True)
    key: str = Field(max_length=64, primary_key=True)
    n: int


class StaleStatisticsMonth(SQLModel, table=True):
    """A month a change touched since its tallies were counted (written by database triggers)."""

    __tablename__ = "statistics_stale_months"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
