"""Search that serves two-character Chinese words, single characters and Latin words, on both engines."""

from __future__ import annotations

from typing import Any

from integrity.domain.cases.search import query_terms, terms_of
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import all_pages, close


def test_terms_hold_characters_bigrams_and_words() -> None:
    terms = terms_of("公车私用 ABC-123 Report")
    assert {"公", "车", "私", "用", "公车", "车私", "私用", "abc-123", "report"} <= terms
    assert "公用" not in terms
    assert query_terms("受贿") == {"受贿"}
    assert query_terms("贿") == {"贿"}
    assert query_terms("公车私用") == {"公车", "车私", "私用"}
    assert query_terms("  ") == set()


async def found(c: Client, q: str) -> set[int]:
    """Every case the search finds, page by page: a common word (问题) matches more than one page once
    the demo's history and the other tests' cases are in."""
    return {item["id"] for item in await all_pages(c, "/api/v1/cases", 200, q=q)}


async def test_search_finds_chinese_words_of_any_length(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    bribe: dict[str, Any] = await register(inspector, demo_app, title="某科长收受贿赂问题线索")
    car: dict[str, Any] = await register(inspector, demo_app, title="周末公车私用问题")
    assert bribe["id"] in await found(inspector, "受贿")  # 收受贿赂 holds 受贿
    assert car["id"] not in await found(inspector, "受贿")
    assert car["id"] in await found(inspector, "公车")
    assert car["id"] in await found(inspector, "车私用")
    assert car["id"] not in await found(inspector, "公用")  # both characters present, never adjacent
    assert bribe["id"] in await found(inspector, "贿")
    assert {bribe["id"], car["id"]} <= await found(inspector, "问题")

    note = await inspector.write(
        "POST", f"/api/v1/cases/{car['id']}/notes", json={"body": "调取 GPS 轨迹记录"}
    )
    assert note.status_code == 201
    assert car["id"] in await found(inspector, "gps")
    assert car["id"] in await found(inspector, "轨迹")
    detail = (await inspector.get(f"/api/v1/cases/{car['id']}")).json()["case"]
    edited = await inspector.write(
        "PATCH",
        f"/api/v1/cases/{car['id']}",
        json={"version": detail["version"], "title": "违规使用公务用车"},
    )
    assert edited.status_code == 200
    assert car["id"] not in await found(inspector, "问题")  # only the old title had it
    assert car["id"] in await found(inspector, "公务用车")
    assert (await inspector.get("/api/v1/cases", params={"q": "!!!"})).status_code == 422
    await close(inspector)


async def test_search_never_reveals_excluded_cases(demo_app: DemoApp) -> None:
    group = await new_client(demo_app, "zhang.wei")
    case = await register(group, demo_app, subjects=("HXP0601",), title="李明涉嫌串通投标")
    assert case["id"] in await found(group, "串通投标")
    relative = await new_client(demo_app, "li.na")
    assert case["id"] not in await found(relative, "串通投标")
    assert case["id"] not in await found(relative, case["number"].lower())
    await close(group)
    await close(relative)
