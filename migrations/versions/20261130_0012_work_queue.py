"""The work queue: each approval request carries the due date it was proposed under and the case it
belongs to (so one probe of the case decides whether a reader may see it), and the indexes that let every
source of a user's to-do list start from that user's own rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RUNNING = "c.met_on IS NULL AND c.stopped_on IS NULL"
# Pending requests opened before this revision: the due date each kind now records when it opens one.
_BACKFILL = {
    "case": (
        "SELECT min(c.due_on) FROM case_clocks c"
        f" WHERE c.case_id = approval_requests.object_id AND {_RUNNING}"
    ),
    "case_clock": "SELECT c.due_on FROM case_clocks c WHERE c.id = approval_requests.object_id",
    "rectification": "SELECT i.due_on FROM rectification_items i WHERE i.id = approval_requests.object_id",
    "decision": (
        "SELECT min(c.due_on) FROM case_clocks c JOIN decisions d ON d.case_id = c.case_id"
        f" WHERE d.id = approval_requests.object_id AND {_RUNNING}"
    ),
}
# The case each existing request belongs to (none for an item of a letter that names no case).
_CASE_OF = {
    "case": "SELECT approval_requests.object_id",
    "case_clock": "SELECT c.case_id FROM case_clocks c WHERE c.id = approval_requests.object_id",
    "rectification": "SELECT i.case_id FROM rectification_items i WHERE i.id = approval_requests.object_id",
    "decision": "SELECT d.case_id FROM decisions d WHERE d.id = approval_requests.object_id",
}
_INDEXES = (
    ("ix_approval_requests_status_due", "approval_requests", ["status", "due_on"]),
    ("ix_approval_requests_requester", "approval_requests", ["requested_by_id", "status"]),
    ("ix_audit_events_actor", "audit_events", ["actor_id", "seq"]),
    ("ix_rectification_items_created_by_id", "rectification_items", ["created_by_id"]),
    ("ix_decisions_drafted_by_id", "decisions", ["drafted_by_id"]),
    ("ix_appeal_panel_user_id", "appeal_panel", ["user_id"]),
)


def upgrade() -> None:
    with op.batch_alter_table("approval_requests") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
    for object_type, due in _BACKFILL.items():
        op.execute(
            f"UPDATE approval_requests SET due_on = ({due}) "
            f"WHERE status = 'pending' AND object_type = '{object_type}'"
        )
    for object_type, case in _CASE_OF.items():
        op.execute(
            f"UPDATE approval_requests SET case_id = ({case}) "  # constant SQL above
            f"WHERE object_type = '{object_type}'"
        )
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("approval_requests") as batch:
        batch.drop_column("case_id")
        batch.drop_column("due_on")
