"""Case list filters: unit with or without descendants, category, source, assignee, dates, confidentiality."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import all_pages, close, unit_id


async def ids(c: Client, **params: Any) -> set[int]:
    """Every case the filter lists, all pages: other tests add cases of the same kind to the shared demo."""
    return {x["id"] for x in await all_pages(c, "/api/v1/cases", 200, **params)}


async def test_filters_narrow_the_list(demo_app: DemoApp) -> None:
    group = await new_client(demo_app, "zhang.wei")
    in_branch = await register(group, demo_app, unit="HXP-EAST", title="分公司线索")
    in_team = await register(group, demo_app, unit="HXP-EAST-SH", title="运维中心线索", confidential=True)
    elsewhere = await register(group, demo_app, unit="HXT", title="贸易公司线索")
    east = await unit_id(demo_app, "HXP-EAST")

    below = await ids(group, unit_id=east)
    assert {in_branch["id"], in_team["id"]} <= below
    assert elsewhere["id"] not in below
    only = await ids(group, unit_id=east, descendants="false")
    assert in_branch["id"] in only
    assert in_team["id"] not in only

    assert in_team["id"] in await ids(group, confidential="true")
    assert in_branch["id"] not in await ids(group, confidential="true")
    assert in_branch["id"] in await ids(group, category="eight_point_rules", source="letters_visits")
    assert in_branch["id"] not in await ids(group, category="integrity")
    assert in_branch["id"] in await ids(group, received_from="2026-10-01", received_to="2026-10-31")
    assert in_branch["id"] not in await ids(group, received_from="2026-11-01")

    me = (await group.get("/api/v1/me")).json()["id"]
    mine = await ids(group, assignee_id=me)
    assert {in_branch["id"], in_team["id"], elsewhere["id"]} <= mine
    li_na = await new_client(demo_app, "li.na")
    li_na_id = (await li_na.get("/api/v1/me")).json()["id"]
    assert in_branch["id"] not in await ids(group, assignee_id=li_na_id)
    assert (await group.get("/api/v1/cases", params={"received_from": "yesterday"})).status_code == 400
    await close(group)
    await close(li_na)


async def test_the_count_counts_what_the_list_lists(demo_app: DemoApp) -> None:
    """`/cases/count` takes every list filter (search included) and agrees with the list, page by page."""
    group = await new_client(demo_app, "zhang.wei")
    marker = f"计数核对{uuid.uuid4().hex[:8]}"
    for n in range(3):
        await register(group, demo_app, unit="HXP-EAST", title=f"{marker}线索{n}")
    east = await unit_id(demo_app, "HXP-EAST")
    cases = [
        {"q": marker},
        {"q": marker, "unit_id": east, "descendants": "false"},
        {"category": "integrity"},
        {"confidential": "true"},
        {"received_from": "2026-11-01"},
        {},
    ]
    try:
        for params in cases:
            listed = {x["id"] for x in await all_pages(group, "/api/v1/cases", 200, **params)}
            counted = await group.get("/api/v1/cases/count", params=params)
            assert counted.status_code == 200, counted.text
            assert counted.json()["count"] == len(listed), params
        assert (await group.get("/api/v1/cases/count", params={"q": marker})).json()["count"] == 3
    finally:
        await close(group)
