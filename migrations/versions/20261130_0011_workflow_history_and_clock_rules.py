"""Decision history rows (the workflow kernel writes one per move), clock rules started by a step,
more than one rule per status, the report-after-a-talk-or-reply clock, and stopped clocks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps the unique constraint of 0003 unnamed; this names it so the batch copy can drop it.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
# The inquiry-reply clock starts when the letter is sent; the report clock after a talk or a reply.
_LETTER_SENT, _TALK_OR_REPLY = "send_inquiry_letter", "record_talk_or_reply"


def _unique_status_name() -> str:
    return "clock_rules_status_key" if op.get_bind().dialect.name == "postgresql" else "uq_clock_rules_status"


def upgrade() -> None:
    op.create_table(
        "decision_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["approval_id"], ["approval_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decision_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_steps_decision_id"), ["decision_id"], unique=False)

    with op.batch_alter_table("clock_rules", schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(_unique_status_name(), type_="unique")
        batch_op.add_column(
            sa.Column(
                "start_step", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
    for table in ("case_clocks", "decision_clocks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("stopped_on", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("stop_reason", sa.Text(), nullable=False, server_default=""))

    rules = sa.table(
        "clock_rules",
        *(sa.column(c) for c in ("code", "status", "amount", "unit", "label", "label_en", "start_step")),
        sa.column("extendable", sa.Boolean),
    )
    op.execute(rules.update().where(rules.c.code == "inquiry_reply").values(start_step=_LETTER_SENT))
    op.bulk_insert(
        rules,
        [
            {
                "code": "talk_report",
                "status": "talk_inquiry",
                "amount": 1,
                "unit": "months",
                "label": "谈话函询后报告",
                "label_en": "Report after a talk or reply",
                "start_step": _TALK_OR_REPLY,
                "extendable": False,
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM case_clocks WHERE rule_code = 'talk_report'")
    op.execute("DELETE FROM clock_rules WHERE code = 'talk_report'")
    for table in ("decision_clocks", "case_clocks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("stop_reason")
            batch_op.drop_column("stopped_on")
    with op.batch_alter_table("clock_rules", schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_column("start_step")
        batch_op.create_unique_constraint(_unique_status_name(), ["status"])
    with op.batch_alter_table("decision_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_steps_decision_id"))
    op.drop_table("decision_steps")
