"""Case statistics kept per month: the figures of each month counted once per unit and kind of case, so
a page over 100,000 cases sums a few hundred tallies instead of reading every case of its periods.

Triggers mark the months a change touches (an insert into `statistics_stale_months`, never an update:
concurrent steps do not queue on one row) in the transaction of every change to a case, a step of its
history or a clock; an administrator's change of the calendar marks every month with durations. The
worker counts marked months again and clears the marks it read. Until then a page counts those months
from the cases themselves, so a figure is never behind.

A step's local month is within 14 hours of its UTC moment: both neighbouring months are marked.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each list of months names its first column m.
MARK = (
    "INSERT INTO statistics_stale_months (month)"
    " SELECT DISTINCT m FROM ({months}) AS touched WHERE m IS NOT NULL"
)
DURATIONS = "SELECT DISTINCT month AS m FROM statistics_tallies WHERE figure LIKE 'duration.%'"


def _months(month: str, stamp: str) -> dict[str, str]:
    """SQL for the months of a date, of a moment (both months it may lie in locally), and of a case."""
    of_day = month.format(x="{day}")
    of_moment = (
        f"{stamp.format(x='{at}', shift='-14')} AS m UNION SELECT {stamp.format(x='{at}', shift='+14')}"
    )
    of_case = (
        "SELECT " + month.format(x="received_on") + " AS m FROM cases WHERE id = {case}"
        " UNION SELECT " + stamp.format(x="at", shift="-14") + " FROM case_transitions WHERE case_id = {case}"
        " UNION SELECT " + stamp.format(x="at", shift="+14") + " FROM case_transitions WHERE case_id = {case}"
        " UNION SELECT " + month.format(x="due_on") + " FROM case_clocks WHERE case_id = {case}"
    )
    return {"day": "SELECT " + of_day + " AS m", "moment": "SELECT " + of_moment, "case": of_case}


def _dialect_months(dialect: str) -> dict[str, str]:
    if dialect == "postgresql":
        return _months(
            "date_trunc('month', {x})::date",
            "date_trunc('month', ({x} AT TIME ZONE 'UTC') + interval '{shift} hours')::date",
        )
    return _months("date({x}, 'start of month')", "date({x}, '{shift} hours', 'start of month')")


def _statements(dialect: str) -> list[tuple[str, str, str]]:
    """(trigger name, table and timing, body) for each trigger."""
    sql = _dialect_months(dialect)

    def mark(kind: str, **names: str) -> str:
        return MARK.format(months=sql[kind].format(**names))

    return [
        ("statistics_case_insert", "AFTER INSERT ON cases", mark("day", day="NEW.received_on")),
        (
            "statistics_case_update",
            "AFTER UPDATE OF received_on, unit_id, confidential ON cases",
            mark("day", day="OLD.received_on") + "; " + mark("case", case="NEW.id"),
        ),
        ("statistics_case_delete", "AFTER DELETE ON cases", mark("day", day="OLD.received_on")),
        ("statistics_step_insert", "AFTER INSERT ON case_transitions", mark("moment", at="NEW.at")),
        (
            "statistics_step_update",
            "AFTER UPDATE ON case_transitions",
            mark("moment", at="OLD.at") + "; " + mark("moment", at="NEW.at"),
        ),
        ("statistics_step_delete", "AFTER DELETE ON case_transitions", mark("moment", at="OLD.at")),
        ("statistics_clock_insert", "AFTER INSERT ON case_clocks", mark("day", day="NEW.due_on")),
        (
            "statistics_clock_update",
            "AFTER UPDATE ON case_clocks",
            mark("day", day="OLD.due_on") + "; " + mark("day", day="NEW.due_on"),
        ),
        ("statistics_clock_delete", "AFTER DELETE ON case_clocks", mark("day", day="OLD.due_on")),
        *(
            (
                f"statistics_calendar_{verb.lower()}",
                f"AFTER {verb} ON calendar_overrides",
                MARK.format(months=DURATIONS),
            )
            for verb in ("INSERT", "UPDATE", "DELETE")
        ),
    ]


def upgrade() -> None:
    # Month first: a page reads a few months of every figure. On SQLite the rows are the key's own
    # b-tree (WITHOUT ROWID), so reading a month's tallies reads nothing else.
    op.create_table(
        "statistics_tallies",
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("figure", sa.String(40), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("confidential", sa.Boolean(), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_stale_months",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("month", sa.Date(), nullable=False, index=True),
    )
    # The cases that can count twice under one key (reopened, reactivated): found by their step back.
    op.create_index(
        "ix_case_transitions_to_status", "case_transitions", ["to_status", "from_status", "case_id"]
    )
    op.create_index("ix_case_clocks_due_case_rule", "case_clocks", ["due_on", "case_id", "rule_code"])
    dialect = op.get_bind().dialect.name
    for name, on, body in _statements(dialect):
        if dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {body}; RETURN NULL; END $$"
            )
            op.execute(f"CREATE TRIGGER {name} {on} FOR EACH ROW EXECUTE FUNCTION {name}()")
        else:
            op.execute(f"CREATE TRIGGER {name} {on} BEGIN {body}; END")
    # Every month with cases, steps or clocks is counted by the worker's first pass.
    sql = _dialect_months(dialect)
    every = sql["case"].replace("WHERE id = {case}", "").replace("WHERE case_id = {case}", "")
    op.execute(MARK.format(months=every))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, on, _ in _statements(dialect):
        if dialect == "postgresql":
            table = on.rsplit(" ", 1)[1]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_case_clocks_due_case_rule", table_name="case_clocks")
    op.drop_index("ix_case_transitions_to_status", table_name="case_transitions")
    op.drop_table("statistics_stale_months")
    op.drop_table("statistics_tallies")
