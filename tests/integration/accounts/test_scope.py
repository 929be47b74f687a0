"""Unit scope: lists filter in SQL, objects outside scope are 404, grant changes reach every worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.conftest import DemoApp, new_client
from tests.support.helpers import TEST_PASSWORD, all_pages, audit_events, close, make_user, unit_id


async def test_lists_show_only_units_in_scope(demo_app: DemoApp) -> None:
    li_na = await new_client(demo_app, "li.na")  # inspector at HXP
    units = await all_pages(li_na, "/api/v1/units", 50)
    codes = {u["code"] for u in units}
    assert codes == {"HXP", "HXP-EAST", "HXP-EAST-SH", "HXP-EAST-HZ", "HXP-NORTH", "HXP-NORTH-TJ"}
    persons = await all_pages(li_na, "/api/v1/persons", 50)
    hxp_path = (await li_na.get(f"/api/v1/units/{await unit_id(demo_app, 'HXP')}")).json()["path"]
    person_units = {p["unit_id"] for p in persons}
    assert all(u["path"].startswith(hxp_path) for u in units)
    assert person_units <= {u["id"] for u in units}
    names = {p["name"] for p in persons}
    assert {"李娜", "马俊", "周丽", "李明", "朱红"} <= names  # demo persons of HXP and below
    assert not names & {"许刚", "何丽娟", "宋佳", "张伟"}  # HXN, HXT and the group office
    await close(li_na)


async def test_objects_outside_scope_answer_404_not_403(demo_app: DemoApp) -> None:
    li_na = await new_client(demo_app, "li.na")
    outside = await unit_id(demo_app, "HXN")
    response = await li_na.get(f"/api/v1/units/{outside}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    missing = await li_na.get("/api/v1/units/999999")
    # "Exists elsewhere" and "does not exist" are indistinguishable.
    assert missing.status_code == 404
    same = ("type", "title", "status", "detail")
    assert {k: response.json()[k] for k in same} == {k: missing.json()[k] for k in same}
    assert missing.json()["detail"] == "No such unit."
    assert response.json().keys() == missing.json().keys()
    assert response.json()["type"] == missing.json()["type"]
    await close(li_na)


async def test_admin_manages_accounts_but_reads_no_audit_or_case_content(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    assert (await admin.get("/api/v1/users")).status_code == 200
    assert (await admin.get("/api/v1/audit/events")).status_code == 403
    await close(admin)


async def test_a_grant_change_takes_effect_on_the_next_request_in_another_worker(demo_app: DemoApp) -> None:
    username, user_id = await make_user(demo_app, "member", "HXP-EAST-SH")
    worker_b = await new_client(demo_app, username, TEST_PASSWORD)  # an app instance of its own
    assert (await worker_b.get("/api/v1/persons")).status_code == 403
    worker_a = await new_client(demo_app, "admin")  # another app instance, another authorizer
    unit = await unit_id(demo_app, "HXP-EAST-SH")
    granted = await worker_a.write(
        "POST", "/api/v1/grants", json={"user_id": user_id, "role": "inspector", "unit_id": unit}
    )
    assert granted.status_code == 201
    assert (await worker_b.get("/api/v1/persons")).status_code == 200
    revoked = await worker_a.write("DELETE", f"/api/v1/grants/{granted.json()['id']}")
    assert revoked.status_code == 204
    assert (await worker_b.get("/api/v1/persons")).status_code == 403
    await close(worker_a)
    await close(worker_b)


async def test_denied_attempts_are_audited_and_auditors_see_them(demo_app: DemoApp) -> None:
    member = await new_client(demo_app, "zhou.li")
    assert (await member.get("/api/v1/users")).status_code == 403
    denied = await audit_events(demo_app, action="access.denied", object_type="user", actor="zhou.li")
    assert denied
    assert denied[-1].outcome == "denied"
    auditor = await new_client(demo_app, "zhao.min")
    events = await all_pages(auditor, "/api/v1/audit/events?object_type=user", 200)  # every page
    assert any(e["action"] == "access.denied" and e["actor"] == "zhou.li" for e in events)
    await close(member)
    await close(auditor)


async def test_keyset_pagination_walks_every_row_once(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "zhang.wei")
    everything = await all_pages(inspector, "/api/v1/units", 200)
    paged = await all_pages(inspector, "/api/v1/units", 5)
    assert [u["id"] for u in paged] == [u["id"] for u in everything]
    assert len(everything) >= 12
    assert len({u["id"] for u in paged}) == len(paged)
    await close(inspector)


async def test_list_query_count_does_not_grow_with_the_page(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "zhang.wei")
    engine = inspector.app.state.db.engine.sync_engine
    executed = [0]
    counts: list[int] = []

    def count(*_: Any) -> None:
        executed[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (2, 20):
            await inspector.get("/api/v1/persons", params={"limit": 1})  # warm: session touch etc.
            executed[0] = 0
            response = await inspector.get("/api/v1/persons", params={"limit": limit})
            assert response.status_code == 200
            assert len(response.json()["items"]) == limit
            counts.append(executed[0])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 6, counts
    await close(inspector)
