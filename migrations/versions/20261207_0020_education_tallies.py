"""Integrity education: attendance tallied per event, unit and status, kept by triggers in the same
transaction as every change to an attendance row (and as a person's move to another unit), so that
coverage for a year of a large organisation sums a few thousand tallies instead of a million rows.

A person's invitations count for the unit they are in now, as coverage always counted them; a move
carries their tallies along.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIT_OF = "(SELECT unit_id FROM users WHERE id = {row}.user_id)"
ADD = (
    "INSERT INTO education_tallies (event_id, unit_id, status, n)"
    " VALUES ({row}.event_id, " + UNIT_OF + ", {row}.status, 1)"
    " ON CONFLICT (event_id, unit_id, status) DO UPDATE SET n = education_tallies.n + 1"
)
TAKE = (
    "UPDATE education_tallies SET n = n - 1 WHERE event_id = {row}.event_id"
    " AND unit_id = " + UNIT_OF + " AND status = {row}.status"
)
# A person moved: their rows leave the old unit's tallies and join the new one's.
MOVE_OUT = (
    "UPDATE education_tallies SET n = n - moved.c FROM (SELECT event_id, status, count(*) AS c"
    " FROM education_attendance WHERE user_id = OLD.id GROUP BY event_id, status) AS moved"
    " WHERE education_tallies.event_id = moved.event_id AND education_tallies.status = moved.status"
    " AND education_tallies.unit_id = OLD.unit_id"
)
MOVE_IN = (
    "INSERT INTO education_tallies (event_id, unit_id, status, n)"
    " SELECT event_id, NEW.unit_id, status, count(*) FROM education_attendance WHERE user_id = NEW.id"
    " GROUP BY event_id, status"
    " ON CONFLICT (event_id, unit_id, status) DO UPDATE SET n = education_tallies.n + excluded.n"
)


def _sqlite() -> list[str]:
    old, new = "OLD", "NEW"
    return [
        "CREATE TRIGGER education_tally_insert AFTER INSERT ON education_attendance BEGIN "
        + ADD.format(row=new) + "; END",
        "CREATE TRIGGER education_tally_update AFTER UPDATE OF status ON education_attendance"
        " WHEN OLD.status IS NOT NEW.status BEGIN "
        + TAKE.format(row=old) + "; " + ADD.format(row=new) + "; END",
        "CREATE TRIGGER education_tally_delete AFTER DELETE ON education_attendance BEGIN "
        + TAKE.format(row=old) + "; END",
        "CREATE TRIGGER education_tally_move AFTER UPDATE OF unit_id ON users"
        " WHEN OLD.unit_id IS NOT NEW.unit_id BEGIN "
        + MOVE_OUT + "; " + MOVE_IN + "; END",
    ]  # fmt: skip


# PostgreSQL: publishing (an insert of up to 10,000 rows) is one grouped upsert over the statement's new
# rows. A change of status is counted per row at COMMIT (a deferred constraint trigger): 200 members
# signing in at once touch the same tally rows, and taken at commit their locks are held only for the
# last instant of a transaction already queued behind the audit chain's lock, not from its update on.
PG_ADD_ROWS = (
    "INSERT INTO education_tallies (event_id, unit_id, status, n)"
    " SELECT r.event_id, u.unit_id, r.status, count(*) FROM new_rows r JOIN users u ON u.id = r.user_id"
    " GROUP BY r.event_id, u.unit_id, r.status"
    " ON CONFLICT (event_id, unit_id, status) DO UPDATE SET n = education_tallies.n + excluded.n"
)


def _postgresql() -> list[str]:
    def function(name: str, body: str) -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
            f" AS $$ BEGIN {body}; RETURN NULL; END $$"
        )

    return [
        function("education_tally_insert", PG_ADD_ROWS),
        function("education_tally_update", TAKE.format(row="OLD") + "; " + ADD.format(row="NEW")),
        function("education_tally_delete", TAKE.format(row="OLD")),
        "CREATE TRIGGER education_tally_insert AFTER INSERT ON education_attendance"
        " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION education_tally_insert()",
        "CREATE CONSTRAINT TRIGGER education_tally_update AFTER UPDATE OF status ON education_attendance"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)"
        " EXECUTE FUNCTION education_tally_update()",
        "CREATE TRIGGER education_tally_delete AFTER DELETE ON education_attendance"
        " FOR EACH ROW EXECUTE FUNCTION education_tally_delete()",
        function("education_tally_move", MOVE_OUT + "; " + MOVE_IN),
        "CREATE TRIGGER education_tally_move AFTER UPDATE OF unit_id ON users"
        " FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id)"
        " EXECUTE FUNCTION education_tally_move()",
    ]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "education_tallies",
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("education_events.id"), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO education_tallies (event_id, unit_id, status, n)"
        " SELECT a.event_id, u.unit_id, a.status, count(*) FROM education_attendance a"
        " JOIN users u ON u.id = a.user_id GROUP BY a.event_id, u.unit_id, a.status"
    )
    for statement in _postgresql() if op.get_bind().dialect.name == "postgresql" else _sqlite():
        op.execute(statement)


def downgrade() -> None:
    for trigger, table in (
        ("education_tally_insert", "education_attendance"),
        ("education_tally_update", "education_attendance"),
        ("education_tally_delete", "education_attendance"),
        ("education_tally_move", "users"),
    ):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        for name in ("insert", "update", "delete", "move"):
            op.execute(f"DROP FUNCTION IF EXISTS education_tally_{name}()")
    op.drop_table("education_tallies")
