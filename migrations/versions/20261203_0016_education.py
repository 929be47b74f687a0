"""Integrity education: event types (a catalogue), events, their audience rules, each invitee's
attendance (one row per member per event), and each event's history.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Seeded event types (administrators adjust them on the catalogue page): (code, 中文, English).
EVENT_TYPES = [
    ("party_lesson", "廉政党课", "Integrity Party lesson"),
    ("warning_education", "警示教育", "Warning education"),
    ("lecture", "廉政讲座", "Integrity lecture"),
    ("topic_study", "专题学习", "Topic study"),
    ("education_month", "廉政教育月活动", "Integrity education month"),
    ("contest", "征文与摄影比赛", "Essay and photo contest"),
]


def upgrade() -> None:
    op.create_table(
        "education_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(300), nullable=False, server_default=""),
        sa.Column("online_link", sa.String(500), nullable=False, server_default=""),
        sa.Column("speaker", sa.String(200), nullable=False, server_default=""),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft", index=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("walk_ins", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("late_after_minutes", sa.Integer(), nullable=False, server_default="10"),
        sa.Column("code_seconds", sa.Integer(), nullable=False, server_default="10"),
        sa.Column("cancel_reason", sa.String(1000), nullable=False, server_default=""),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "education_audiences",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("education_events.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("role", sa.String(32), nullable=False, server_default=""),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_table(
        "education_attendance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("education_events.id"), nullable=False, index=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="invited"),
        sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("method", sa.String(16), nullable=False, server_default=""),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id", "user_id", name="uq_education_attendance"),
    )
    op.create_table(
        "education_event_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("education_events.id"), nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    items = sa.table(
        "catalogue_items",
        sa.column("catalogue", sa.String),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("name_en", sa.String),
        sa.column("sort", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        items,
        [
            {"catalogue": "education_type", "code": c, "name": zh, "name_en": en, "sort": n, "active": True}
            for n, (c, zh, en) in enumerate(EVENT_TYPES)
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM catalogue_items WHERE catalogue = 'education_type'")
    op.drop_table("education_event_steps")
    op.drop_table("education_attendance")
    op.drop_table("education_audiences")
    op.drop_table("education_events")
