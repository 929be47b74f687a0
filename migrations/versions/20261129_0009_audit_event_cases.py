"""The case each audit event belongs to, so that every event of a case follows the case's visibility.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (object type, id, case id) for every object that belongs to a case.
_OBJECTS = """
    SELECT 'case' AS kind, id AS object_id, id AS case_id FROM cases
    UNION ALL SELECT 'rectification', id, case_id FROM rectification_items WHERE case_id IS NOT NULL
    UNION ALL SELECT 'recommendation_letter', id, case_id FROM recommendation_letters
        WHERE case_id IS NOT NULL
    UNION ALL SELECT 'decision', id, case_id FROM decisions
    UNION ALL SELECT 'case_clock', id, case_id FROM case_clocks
"""
_BACKFILL = f"""
    INSERT INTO audit_event_cases (seq, case_id)
    SELECT e.seq, o.case_id FROM audit_events e JOIN (
        {_OBJECTS}
        UNION ALL SELECT 'approval', r.id, inner_o.case_id FROM approval_requests r
            JOIN ({_OBJECTS}) inner_o ON inner_o.kind = r.object_type AND inner_o.object_id = r.object_id
    ) o ON o.kind = e.object_type AND CAST(o.object_id AS VARCHAR(64)) = e.object_id
"""


def _append_only() -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [
            """CREATE TRIGGER audit_event_cases_append_only BEFORE UPDATE OR DELETE ON audit_event_cases
               FOR EACH ROW EXECUTE FUNCTION integrity_append_only()""",
            """CREATE TRIGGER audit_event_cases_no_truncate BEFORE TRUNCATE ON audit_event_cases
               FOR EACH STATEMENT EXECUTE FUNCTION integrity_append_only()""",
        ]
    return [
        f"""CREATE TRIGGER audit_event_cases_no_{verb.lower()} BEFORE {verb} ON audit_event_cases
            BEGIN SELECT RAISE(ABORT, 'audit_event_cases is append-only'); END"""
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    # No foreign key to audit_events: PostgreSQL would then answer TRUNCATE audit_events with a
    # foreign-key error before the append-only trigger could refuse it.
    op.create_table(
        "audit_event_cases",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_event_cases_case_id", "audit_event_cases", ["case_id"])
    op.execute(_BACKFILL)
    for statement in _append_only():
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_event_cases")
