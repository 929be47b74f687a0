"""The case list page: newest received first, sortable by number and by deadline across keyset pages."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tests.conftest import Client, DemoApp
from tests.support.cases import register
from tests.support.helpers import sql

ROW = re.compile(
    r'<tr(?: class="overdue-row")?>\s*<td data-label="[^"]*"><a href="/cases/(\d+)">([^<]+)</a>(.*?)</tr>',
    re.S,
)
CELL = re.compile(r'<td data-label="[^"]*">(.*?)</td>', re.S)


async def walk(c: Client, query: str) -> tuple[list[dict[str, Any]], str]:
    """Every row of every page of the list (following its More link), and the first page's text."""
    rows: list[dict[str, Any]] = []
    url: str | None = f"/cases?lang=zh&{query}"
    first = ""
    while url:
        page = await c.get(url)
        assert page.status_code == 200, page.text
        first = first or page.text
        for case_id, number, rest in ROW.findall(page.text):
            cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in CELL.findall(rest)]
            rows.append(
                {"id": int(case_id), "number": number, "due": cells[4], "received": cells[5], "by": cells[3]}
            )
        more = re.search(r'href="(/cases\?cursor=[^"]+)" data-testid="more"', page.text)
        url = more.group(1).replace("&amp;", "&") if more else None
    return rows, first


async def test_newest_received_first_with_a_result_count(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    rows, page = await walk(inspector, "")
    received = [date.fromisoformat(r["received"]) for r in rows]
    assert received == sorted(received, reverse=True)
    count = re.search(r'data-testid="result-count">共 (\d+) 件', page)
    assert count
    assert int(count.group(1)) == len(rows) == len({r["id"] for r in rows})


async def api_walk(c: Client, sort: str) -> list[dict[str, Any]]:
    """Every case of the API list in this order, two a page: the keyset carries on across pages."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = (await c.get(f"/api/v1/cases?sort={sort}&limit=2&cursor={cursor}")).json()
        found.extend(page["items"])
        if not page["next_cursor"]:
            return found
        cursor = page["next_cursor"]


async def test_every_order_crosses_pages_without_gaps_or_repeats(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    for n in range(3):  # same received day: the id decides between them
        await register(inspector, demo_app, title=f"排序测试线索{n}")
    by_id = await api_walk(inspector, "id")
    assert len(by_id) > 6
    everything = sorted(c["id"] for c in by_id)
    newest = await api_walk(inspector, "received")
    assert sorted(c["id"] for c in newest) == everything
    assert [(c["received_on"], c["id"]) for c in newest] == sorted(
        ((c["received_on"], c["id"]) for c in newest), reverse=True
    )
    numbered = await api_walk(inspector, "number")
    assert [c["number"] for c in numbered] == sorted(c["number"] for c in by_id)
    urgent = await api_walk(inspector, "due")
    assert len({c["id"] for c in urgent}) == len(urgent)
    assert set(c["id"] for c in urgent) < set(everything)  # closed cases have no running deadline
    bad = await inspector.get("/api/v1/cases?sort=whatever")
    assert bad.status_code in (400, 422)


async def test_sorted_by_deadline_lists_only_running_deadlines_most_urgent_first(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    rows, page = await walk(inspector, "sort=due")
    assert rows, "the demo has cases with a running clock"
    dues = [date.fromisoformat(r["due"]) for r in rows]
    assert dues == sorted(dues)
    running = await sql(
        demo_app,
        "SELECT c.id, min(k.due_on) FROM cases c JOIN case_clocks k ON k.case_id = c.id"
        " WHERE k.met_on IS NULL AND k.stopped_on IS NULL GROUP BY c.id",
    )
    expected = {int(case_id): str(due)[:10] for case_id, due in running}
    assert {r["id"]: r["due"] for r in rows}.items() <= expected.items()
    assert "仅列出有未到期期限的案件" in page


async def test_the_handling_inspector_is_named_and_a_bad_order_is_told_not_crashed(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    rows, _page = await walk(inspector, "")
    named = await sql(
        demo_app,
        "SELECT a.case_id, u.display_name FROM case_assignments a JOIN users u ON u.id = a.user_id"
        " WHERE a.team = 'inspector' AND a.recused_at IS NULL",
    )
    names = {int(case_id): name for case_id, name in named}
    shown = [r for r in rows if r["id"] in names]
    assert shown
    assert all(names[r["id"]] in r["by"] for r in shown)
    bad = await inspector.get("/cases?lang=zh&sort=whatever")
    assert bad.status_code == 200
    assert 'role="alert"' in bad.text
