"""Search plans that do not depend on a sample: PostgreSQL keeps 1,000 most-common search terms.

With the default statistics target (100) the planner saw 公车 as 1,261 rows on one of two identically
seeded 100,000-case databases, where 15,933 cases hold it, and chose a plan 5 times slower. A target
of 1,000 puts every term common enough to matter among the most-common values, whatever the sample.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 17:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGET = 1000


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE case_search_terms ALTER COLUMN term SET STATISTICS {TARGET}")
        op.execute("ANALYZE case_search_terms")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE case_search_terms ALTER COLUMN term SET STATISTICS -1")
