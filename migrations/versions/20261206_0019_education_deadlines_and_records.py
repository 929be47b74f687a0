"""Integrity education: each closed event's reflection due date (kept, so the reminder scan compares
dates in SQL), the reminder of a unit's plan behind its quotas, and the export ledger holding an event's
attendance record beside case trails.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _backfill_due_dates() -> None:
    """Closed events get the due date their close would have set, by the office calendar as it is now."""
    from integrity.config import get_settings
    from integrity.lib.workdays import WorkCalendar

    bind = op.get_bind()
    overrides = {
        (day if isinstance(day, date) else date.fromisoformat(str(day))): bool(w)
        for day, w in bind.execute(sa.text("SELECT day, is_workday FROM calendar_overrides"))
    }
    calendar, zone = WorkCalendar(overrides), ZoneInfo(get_settings().timezone)
    events = bind.execute(
        sa.text(
            "SELECT id, ends_at, reflection_days FROM education_events WHERE status IN ('closed', 'archived')"
        )
    ).all()
    for event_id, ends_at, days in events:
        if isinstance(ends_at, str):  # SQLite hands the stored text back
            ends_at = datetime.fromisoformat(ends_at)
        if ends_at.tzinfo is None:
            ends_at = ends_at.replace(tzinfo=UTC)
        due = calendar.add_working_days(ends_at.astimezone(zone).date(), int(days))
        bind.execute(
            sa.text("UPDATE education_events SET reflection_due_on = :d WHERE id = :i"),
            {"d": due, "i": event_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("education_events") as batch_op:
        batch_op.add_column(sa.Column("reflection_due_on", sa.Date(), nullable=True))
    _backfill_due_dates()
    with op.batch_alter_table("trail_exports") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(24), nullable=False, server_default="case_trail"))
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_trail_exports_event_id", "education_events", ["event_id"], ["id"])
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index("ix_trail_exports_event_id", ["event_id"])


def downgrade() -> None:
    op.execute("DELETE FROM trail_exports WHERE case_id IS NULL")
    with op.batch_alter_table("trail_exports") as batch_op:
        batch_op.drop_index("ix_trail_exports_event_id")
        batch_op.drop_constraint("fk_trail_exports_event_id", type_="foreignkey")
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("event_id")
        batch_op.drop_column("kind")
    with op.batch_alter_table("education_events") as batch_op:
        batch_op.drop_column("reflection_due_on")
