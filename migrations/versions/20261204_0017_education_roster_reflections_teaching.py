"""Integrity education, second part: leave requested before an event (on the invitee's attendance
row), reflections (心得体会) and make-up reports with every submission kept, each event's reflection
deadline in working days, an index for coverage, and closed cases linked to an event as teaching
material through an anonymised summary that a reviewer approves.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("education_attendance") as table:
        table.add_column(sa.Column("leave_state", sa.String(16), nullable=False, server_default=""))
        table.add_column(sa.Column("leave_reason", sa.String(1000), nullable=False, server_default=""))
        table.add_column(sa.Column("note", sa.String(1000), nullable=False, server_default=""))
    # Coverage reads a period's rows per person and status in index order (no sort).
    op.create_index(
        "ix_education_attendance_coverage", "education_attendance", ["user_id", "status", "event_id"]
    )
    with op.batch_alter_table("education_events") as table:
        table.add_column(sa.Column("reflection_days", sa.Integer(), nullable=False, server_default="10"))
    op.create_table(
        "education_reflections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("education_events.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("make_up", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="submitted", index=True),
        sa.Column("excellent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("comment", sa.String(2000), nullable=False, server_default=""),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_id", "user_id", "round", name="uq_education_reflection_round"),
    )
    op.create_table(
        "education_teaching_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("education_events.id"), nullable=False, index=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("written_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id", "case_id", name="uq_education_teaching_case"),
    )


def downgrade() -> None:
    op.drop_table("education_teaching_cases")
    op.drop_table("education_reflections")
    with op.batch_alter_table("education_events") as table:
        table.drop_column("reflection_days")
    op.drop_index("ix_education_attendance_coverage", "education_attendance")
    with op.batch_alter_table("education_attendance") as table:
        table.drop_column("note")
        table.drop_column("leave_reason")
        table.drop_column("leave_state")
