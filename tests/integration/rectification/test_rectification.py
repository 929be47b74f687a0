"""Rectification items: the lifecycle, close-out by another reviewer, re-inspection, rectifier isolation."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql, unit_id, user_id
from tests.support.rectification import closeout_request, new_item, submit_with_evidence


@pytest.fixture
async def rectifier(demo_app: DemoApp) -> Any:
    c = await new_client(demo_app, "sun.qiang")
    yield c
    await close(c)


async def status_of(c: Client, item: dict[str, Any]) -> str:
    return str((await c.get(f"/api/v1/rectification/items/{item['id']}")).json()["item"]["status"])


async def decide(c: Client, request: dict[str, Any], verb: str, comment: str = "") -> Any:
    return await c.write("POST", f"/api/v1/approvals/{request['id']}/{verb}", json={"comment": comment})


async def test_submit_return_resubmit_approve_then_locked(
    demo_app: DemoApp, team: tuple[Client, Client], rectifier: Client
) -> None:
    inspector, reviewer = team
    item = await new_item(inspector, demo_app)
    assert item["status"] == "open"

    # Nothing to close off without a description and evidence.
    empty = await rectifier.write(
        "POST", f"/api/v1/rectification/items/{item['id']}/submit", json={"description": "完成"}
    )
    assert empty.status_code == 422, empty.text
    assert (await submit_with_evidence(rectifier, item)).status_code == 201
    assert await status_of(rectifier, item) == "submitted"
    again = await rectifier.write(
        "POST", f"/api/v1/rectification/items/{item['id']}/submit", json={"description": "再次提交"}
    )
    assert again.status_code == 409

    request = await closeout_request(reviewer, item)
    assert (await decide(reviewer, request, "return", "  ")).status_code == 422  # a return needs a reason
    returned = await decide(reviewer, request, "return", "台账缺少签字页")
    assert returned.status_code == 200, returned.text
    assert await status_of(rectifier, item) == "returned"

    assert (await submit_with_evidence(rectifier, item, "已补充签字页")).status_code == 201
    second = await new_client(demo_app, "liu.yang")  # a reviewer of the group, above the branch
    try:
        approved = await decide(second, await closeout_request(second, item), "approve", "同意销号")
        assert approved.status_code == 200, approved.text
    finally:
        await close(second)
    got = (await rectifier.get(f"/api/v1/rectification/items/{item['id']}")).json()
    assert got["item"]["status"] == "approved"
    assert got["item"]["closed_on"] is not None
    assert [s["action"] for s in got["steps"]] == ["create", "submit", "return", "submit", "approve"]
    assert got["steps"][2]["body"] == "台账缺少签字页"

    # Approved is locked: no edit, no evidence, no submission.
    edit = await inspector.write(
        "PATCH",
        f"/api/v1/rectification/items/{item['id']}",
        json={"version": got["item"]["version"], "requirement": "改写"},
    )
    assert edit.status_code == 409
    more = await rectifier.write(
        "POST",
        f"/api/v1/rectification/items/{item['id']}/evidence",
        files={"file": ("x.txt", b"late", "text/plain")},
    )
    assert more.status_code == 409
    events = [
        e[2] for e in await audit_events(demo_app, object_type="rectification", object_id=str(item["id"]))
    ]
    assert events.count("rectification.approve") == 1
    assert events.count("rectification.return") == 1


async def test_reopen_is_a_new_audited_step_by_a_reviewer(
    demo_app: DemoApp, team: tuple[Client, Client], rectifier: Client
) -> None:
    inspector, reviewer = team
    item = await new_item(inspector, demo_app)
    await submit_with_evidence(rectifier, item)
    await decide(reviewer, await closeout_request(reviewer, item), "approve")
    url = f"/api/v1/rectification/items/{item['id']}/reopen"
    assert (await inspector.write("POST", url, json={"reason": "x"})).status_code == 403
    assert (await reviewer.write("POST", url, json={"reason": " "})).status_code == 422
    reopened = await reviewer.write("POST", url, json={"reason": "群众反映问题仍存在"})
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["item"]["status"] == "open"
    assert reopened.json()["item"]["closed_on"] is None
    assert (await reviewer.write("POST", url, json={"reason": "再次"})).status_code == 409
    (event,) = await audit_events(demo_app, action="rectification.reopen", object_id=str(item["id"]))
    assert json.loads(event[5])["extra"]["reason"] == "群众反映问题仍存在"


@pytest.mark.parametrize("outcome", ["confirmed", "reopened"])
async def test_reinspection_confirms_or_reopens(
    demo_app: DemoApp, team: tuple[Client, Client], rectifier: Client, outcome: str
) -> None:
    inspector, reviewer = team
    item = await new_item(inspector, demo_app)
    url = f"/api/v1/rectification/items/{item['id']}/reinspections"
    early = await inspector.write("POST", url, json={"scheduled_on": local_today().isoformat()})
    assert early.status_code == 409  # only an approved item is re-inspected
    await submit_with_evidence(rectifier, item)
    await decide(reviewer, await closeout_request(reviewer, item), "approve")
    visit = await inspector.write("POST", url, json={"scheduled_on": local_today().isoformat()})
    assert visit.status_code == 201, visit.text
    assert (
        await inspector.write("POST", url, json={"scheduled_on": local_today().isoformat()})
    ).status_code == 409
    recorded = await inspector.write(
        "POST", f"{url}/{visit.json()['id']}/outcome", json={"outcome": outcome, "findings": "现场抽查台账"}
    )
    assert recorded.status_code == 201, recorded.text
    assert await status_of(inspector, item) == ("approved" if outcome == "confirmed" else "open")
    twice = await inspector.write(
        "POST", f"{url}/{visit.json()['id']}/outcome", json={"outcome": outcome, "findings": "再次"}
    )
    assert twice.status_code == 409


async def test_only_the_responsible_rectifier_submits(
    demo_app: DemoApp, team: tuple[Client, Client], rectifier: Client
) -> None:
    inspector, reviewer = team
    other, _ = await make_user(demo_app, "rectifier", "HXP-EAST")
    c = await new_client(demo_app, other, TEST_PASSWORD)
    try:
        item = await new_item(inspector, demo_app)
        # A rectifier of the unit sees the item but does not submit someone else's.
        assert (await c.get(f"/api/v1/rectification/items/{item['id']}")).status_code == 200
        refused = await c.write(
            "POST",
            f"/api/v1/rectification/items/{item['id']}/evidence",
            files={"file": ("a.txt", b"x", "text/plain")},
        )
        assert refused.status_code == 403
        also = await c.write(
            "POST", f"/api/v1/rectification/items/{item['id']}/submit", json={"description": "x"}
        )
        assert also.status_code == 403
        # Both refusals are audit events of this rectifier, outcome "denied", with the reason.
        denied = await audit_events(demo_app, action="access.denied", actor=other)
        assert [(d[3], d[4]) for d in denied] == [("rectification", "denied")] * 2, denied
        assert refused.json()["detail"] in denied[0][5]
        # Reviewers and inspectors do not submit at all.
        submit = f"/api/v1/rectification/items/{item['id']}/submit"
        assert (await reviewer.write("POST", submit, json={"description": "x"})).status_code == 403
    finally:
        await close(c)


async def test_responsible_person_must_be_a_rectifier_there(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    body = {
        "unit_id": await unit_id(demo_app, "HXP-EAST"),
        "case_id": case["id"],
        "requirement": "整改",
        "responsible_user_id": await user_id(demo_app, "zhou.li"),  # a member, not a rectifier
        "due_on": local_today().isoformat(),
    }
    assert (await inspector.write("POST", "/api/v1/rectification/items", json=body)).status_code == 422
    body["responsible_user_id"] = await user_id(demo_app, "sun.qiang")
    del body["case_id"]
    assert (await inspector.write("POST", "/api/v1/rectification/items", json=body)).status_code == 422


async def test_rectifier_sees_items_and_letters_but_never_the_case(
    demo_app: DemoApp, team: tuple[Client, Client], rectifier: Client
) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app, title="食堂采购问题线索")
    letter = await inspector.write(
        "POST",
        "/api/v1/rectification/letters",
        json={
            "unit_id": await unit_id(demo_app, "HXP-EAST"),
            "case_id": case["id"],
            "title": "关于加强采购管理的纪检监察建议书",
            "body": "针对采购环节暴露的问题，提出以下建议。",
            "issued_on": local_today().isoformat(),
            "items": [
                {
                    "requirement": "建立供应商比价制度",
                    "responsible_user_id": await user_id(demo_app, "sun.qiang"),
                    "due_on": (local_today() + timedelta(days=60)).isoformat(),
                },
                {
                    "requirement": "开展采购人员廉洁教育",
                    "responsible_user_id": await user_id(demo_app, "sun.qiang"),
                    "due_on": (local_today() + timedelta(days=90)).isoformat(),
                },
            ],
        },
    )
    assert letter.status_code == 201, letter.text
    letter_id = letter.json()["id"]

    seen = await rectifier.get(f"/api/v1/rectification/letters/{letter_id}")
    assert seen.status_code == 200
    assert seen.json()["case_id"] is None
    items = (await rectifier.get("/api/v1/rectification/items", params={"letter_id": letter_id})).json()
    assert len(items) == 2
    assert all(i["case_id"] is None for i in items)
    detail = (await rectifier.get(f"/api/v1/rectification/items/{items[0]['id']}")).text
    assert case["number"] not in detail
    assert "食堂采购问题线索" not in detail
    assert (await rectifier.get(f"/api/v1/cases/{case['id']}")).status_code in (403, 404)
    page = await rectifier.get(f"/rectification/items/{items[0]['id']}")
    assert page.status_code == 200
    assert case["number"] not in page.text
    # The inspector sees where the item comes from.
    assert (await inspector.get(f"/api/v1/rectification/items/{items[0]['id']}")).json()["item"][
        "case_id"
    ] == case["id"]

    # A rectifier of another unit sees none of it.
    outsider, _ = await make_user(demo_app, "rectifier", "HXN")
    c = await new_client(demo_app, outsider, TEST_PASSWORD)
    try:
        assert (await c.get(f"/api/v1/rectification/letters/{letter_id}")).status_code == 404
        assert (await c.get(f"/api/v1/rectification/items/{items[0]['id']}")).status_code == 404
        assert (await c.get("/api/v1/rectification/items", params={"letter_id": letter_id})).json() == []
    finally:
        await close(c)


async def test_overdue_items_are_flagged_and_listed(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _ = team
    late = await new_item(inspector, demo_app, due_on=local_today() - timedelta(days=3))
    on_time = await new_item(inspector, demo_app, due_on=local_today() + timedelta(days=3))
    overdue = (await inspector.get("/api/v1/rectification/items", params={"overdue": "true"})).json()
    ids = {i["id"] for i in overdue}
    assert late["id"] in ids
    assert on_time["id"] not in ids
    assert all(i["overdue"] for i in overdue)


async def test_item_of_a_case_the_reviewer_may_not_see_is_hidden(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """Conflict of interest carries over: an item of a case about a reviewer's relative is out of sight."""
    inspector, _ = team
    conflicted, conflicted_id = await make_user(demo_app, "reviewer", "HXP")
    person = (await sql(demo_app, "SELECT id FROM persons WHERE employee_no = 'HXP0203'"))[0][0]
    await sql(
        demo_app,
        "INSERT INTO relations (user_id, person_id, kind, note, declared_at) "
        "VALUES (:u, :p, 'kin', '', CURRENT_TIMESTAMP)",
        u=conflicted_id,
        p=person,
    )
    item = await new_item(inspector, demo_app)  # the case's subject is HXP0203
    c = await new_client(demo_app, conflicted, TEST_PASSWORD)
    try:
        assert (await c.get(f"/api/v1/rectification/items/{item['id']}")).status_code == 404
    finally:
        await close(c)
