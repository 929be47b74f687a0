"""A list request costs a fixed, small number of queries, whatever the page size or the user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.conftest import Client, DemoApp
from tests.support.helpers import sql


def count_statements(c: Client) -> list[str]:
    """Every SQL statement the client's app sends from now on (transaction control excluded)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append(statement)

    event.listen(c.app.state.db.engine.sync_engine, "before_cursor_execute", note)
    return seen


async def test_a_page_of_cases_is_two_queries_and_a_search_three(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _reviewer = team
    assert (await inspector.get("/api/v1/cases?limit=50")).status_code == 200  # grants loaded once
    statements = count_statements(inspector)
    assert (await inspector.get("/api/v1/cases?limit=50")).status_code == 200
    assert len(statements) == 2, statements  # the session with its user and grants version; the page
    statements.clear()
    assert (await inspector.get("/api/v1/cases?limit=50&q=公车私用")).status_code == 200
    assert len(statements) == 3, statements  # + every query term's posting count, in one query


async def test_each_engine_runs_with_the_settings_the_lists_rely_on(demo_app: DemoApp) -> None:
    if demo_app.db.backend == "postgresql":  # plans made for the values (see db/engine.py)
        assert (await sql(demo_app, "SHOW plan_cache_mode"))[0][0] == "force_custom_plan"
    else:  # readers never wait for the writer
        assert (await sql(demo_app, "PRAGMA journal_mode"))[0][0] == "wal"


async def test_the_inbox_and_the_item_list_do_not_grow_with_their_rows(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """One query per approvable kind (and its description), one for the items: never one per row."""
    from tests.conftest import new_client
    from tests.support.helpers import close
    from tests.support.rectification import new_item, submit_with_evidence

    inspector, reviewer = team
    rectifier = await new_client(demo_app, "sun.qiang")
    try:

        async def costs() -> tuple[int, int]:
            inbox = count_statements(reviewer)
            assert (await reviewer.get("/approvals")).status_code == 200
            items = count_statements(inspector)
            assert (await inspector.get("/rectification")).status_code == 200
            return len(inbox), len(items)

        await submit_with_evidence(rectifier, await new_item(inspector, demo_app))
        before = await costs()
        for _ in range(3):
            await submit_with_evidence(rectifier, await new_item(inspector, demo_app))
        after = await costs()
    finally:
        await close(rectifier)
    assert after == before
