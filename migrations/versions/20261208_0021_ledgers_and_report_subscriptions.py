"""Statistics and ledgers (台账): indexes that let a period's figures read only that period's cases and
steps; an issued ledger's title in the export ledger, whether its PDF is kept (a scheduled report's,
fetched from its link), and readers' standing orders for monthly or quarterly ledgers.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_received_stats", "cases", ["received_on", "unit_id", "confidential", "source", "category"]
    )
    op.create_index(
        "ix_case_transitions_at_status", "case_transitions", ["at", "to_status", "from_status", "case_id"]
    )
    with op.batch_alter_table("trail_exports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("stored", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ledger", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("descendants", sa.Boolean(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_period_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "ledger", "unit_id", "cadence", name="uq_report_subscriptions"),
    )
    op.create_index("ix_report_subscriptions_user_id", "report_subscriptions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_report_subscriptions_user_id", table_name="report_subscriptions")
    op.drop_table("report_subscriptions")
    with op.batch_alter_table("trail_exports", schema=None) as batch_op:
        batch_op.drop_column("stored")
        batch_op.drop_column("title")
    op.drop_index("ix_case_transitions_at_status", table_name="case_transitions")
    op.drop_index("ix_cases_received_stats", table_name="cases")
