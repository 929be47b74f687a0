"""The export ledger: every PDF trail handed out, with the digests that identify it later."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from integrity.db.types import UTCDateTime


class TrailExport(SQLModel, table=True):
    """One issued PDF (a case trail, an education event's attendance record, or a ledger); `pdf_sha256` is
    what a verifier looks up."""

    __tablename__ = "trail_exports"

    id: str = Field(primary_key=True, max_length=36)  # a UUID, printed in the PDF and its QR code
    kind: str = Field(default="case_trail", max_length=24)  # "attendance" (an event's record), "ledger"
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="education_events.id", index=True)
    unit_id: int = Field(foreign_key="units.id")
    user_id: int = Field(foreign_key="users.id")
    generated_by: str = Field(max_length=200)  # the name as printed in the watermark
    generated_at: datetime = Field(sa_type=UTCDateTime)
    pdf_sha256: str = Field(max_length=64, unique=True)
    trail_sha256: str = Field(max_length=64)  # of the embedded trail.json
    events: int
    pages: int
    size: int
    head_seq: int = Field(sa_type=BigInteger)
    checkpoint_seq: int | None = Field(default=None, sa_type=BigInteger)
    title: str = Field(default="", max_length=300)  # a ledger's: which ledger, unit and period
    stored: bool = False  # the PDF is kept (a scheduled report's), to be fetched from its link


class ReportSubscription(SQLModel, table=True):
    """A reader's standing order for a ledger of a unit, each month or quarter (定期报表)."""

    __tablename__ = "report_subscriptions"
    __table_args__ = (
        UniqueConstraint("user_id", "ledger", "unit_id", "cadence", name="uq_report_subscriptions"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    ledger: str = Field(max_length=32)
    unit_id: int = Field(foreign_key="units.id")
    descendants: bool = True
    cadence: str = Field(max_length=16)  # month or quarter
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_period_end: date | None = None  # the last period produced: each is produced once
