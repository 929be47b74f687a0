"""The schema exists only through migrations: up, down, up again, and no drift from the models."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import integrity.db.models  # noqa: F401
from integrity.db.engine import create_database
from integrity.db.migrate import downgrade, head_revision, upgrade
from tests.conftest import ScratchDatabase


def _inspect(url: str) -> tuple[set[str], list[Any], str | None]:
    """Tables, the autogenerate diff against the models, and the current revision."""

    async def go() -> tuple[set[str], list[Any], str | None]:
        db = create_database(url)
        async with db.engine.connect() as conn:

            def work(sync_conn: Any) -> tuple[set[str], list[Any], str | None]:
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                tables = set(inspect(sync_conn).get_table_names())
                return tables, compare_metadata(context, SQLModel.metadata), context.get_current_revision()

            result = await conn.run_sync(work)
        await db.dispose()
        return result

    return asyncio.run(go())


EXPECTED_TABLES = {t for t in SQLModel.metadata.tables}


def test_up_down_up_and_models_match(empty_db: ScratchDatabase) -> None:
    upgrade(empty_db.url)
    tables, diff, revision = _inspect(empty_db.url)
    assert revision == head_revision()
    assert tables >= EXPECTED_TABLES
    assert diff == [], f"models and migrations disagree: {diff}"

    downgrade(empty_db.url, "base")
    tables, _, revision = _inspect(empty_db.url)
    assert revision is None
    assert tables & EXPECTED_TABLES == set()

    upgrade(empty_db.url)
    tables, diff, revision = _inspect(empty_db.url)
    assert revision == head_revision()
    assert tables >= EXPECTED_TABLES
    assert diff == []


def test_drift_is_detected(migrated_db: ScratchDatabase) -> None:
    """The comparison itself can fail: a column the migrations lack shows up as a difference."""
    from sqlalchemy import Column, Integer

    table = SQLModel.metadata.tables["units"]
    extra = Column("not_in_migrations", Integer, nullable=True)
    table.append_column(extra)
    try:
        _, diff, _ = _inspect(migrated_db.url)
    finally:
        table._columns.remove(extra)  # type: ignore[attr-defined]
    assert any("not_in_migrations" in str(d) for d in diff)


@pytest.mark.postgres
@pytest.mark.parametrize("migrated_db", ["postgresql"], indirect=True)
def test_search_terms_keep_a_large_statistics_sample_on_postgresql(migrated_db: ScratchDatabase) -> None:
    """The search's plan must not hinge on a small sample of the terms (migration 0010); PostgreSQL only,
    as SQLite's planner keeps no per-value statistics."""

    async def target() -> int:
        db = create_database(migrated_db.url)
        async with db.engine.connect() as conn:
            value = (
                await conn.exec_driver_sql(
                    "SELECT attstattarget FROM pg_attribute "
                    "WHERE attrelid = 'case_search_terms'::regclass AND attname = 'term'"
                )
            ).scalar_one()
        await db.dispose()
        return int(value)

    assert asyncio.run(target()) == 1000
