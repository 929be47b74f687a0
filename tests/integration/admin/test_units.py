"""Units change: renamed, moved with their subtree (grants follow by path), deactivated; each in scope."""

from __future__ import annotations

import random
import uuid
from typing import Any

from tests.conftest import Client, DemoApp, new_client
from tests.support.helpers import (
    TEST_PASSWORD,
    all_pages,
    audit_events,
    close,
    make_user,
    sql,
    unit_id,
)


async def new_unit(admin: Client, parent_id: int, name: str = "") -> dict[str, Any]:
    code = f"T-{uuid.uuid4().hex[:8]}"
    body = {"parent_id": parent_id, "code": code, "name": name or code, "kind": "department"}
    made = await admin.write("POST", "/api/v1/units", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def unit_with_id(demo_app: DemoApp, unit_id_: int, parent: dict[str, Any]) -> dict[str, Any]:
    """A unit whose id is chosen (as ids grow, `/…/4/` and `/…/45/` happen; here they happen now)."""
    code = f"T-{unit_id_}"
    path = f"{parent['path']}{unit_id_}/"
    await sql(
        demo_app,
        "INSERT INTO units (id, parent_id, path, code, name, name_en, kind, active, created_at) "
        "VALUES (:id, :parent, :path, :code, :code, '', 'department', :yes, CURRENT_TIMESTAMP)",
        id=unit_id_,
        parent=parent["id"],
        path=path,
        code=code,
        yes=True,
    )
    return {"id": unit_id_, "path": path, "code": code}


async def test_a_moved_unit_takes_its_subtree_and_grants_along_and_a_similar_path_stays_out(
    demo_app: DemoApp,
) -> None:
    admin = await new_client(demo_app, "admin")
    hxt = await unit_id(demo_app, "HXT")
    old_parent = await new_unit(admin, hxt)
    new_parent = await new_unit(admin, hxt)
    # Ids far above the sequence's, so that the sibling's path starts with the moved unit's digits.
    base = random.randrange(1_000_000, 9_000_000)
    moved = await unit_with_id(demo_app, base, old_parent)
    sibling = await unit_with_id(demo_app, base * 10 + 5, new_parent)
    child = await new_unit(admin, moved["id"])
    username, _ = await make_user(demo_app, "inspector", moved["code"])
    inspector = await new_client(demo_app, username, TEST_PASSWORD)
    before = {u["code"] for u in await all_pages(inspector, "/api/v1/units", 50)}
    assert before == {moved["code"], child["code"]}

    renamed = await admin.write(
        "PATCH",
        f"/api/v1/units/{moved['id']}",
        json={"name": "审计组", "name_en": "Audit team", "parent_id": new_parent["id"]},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["path"] == f"{new_parent['path']}{base}/"
    assert renamed.json()["name"] == "审计组"
    paths = dict(
        (code, path)
        for code, path in await sql(
            demo_app,
            "SELECT code, path FROM units WHERE code IN (:a, :b, :c)",
            a=moved["code"],
            b=child["code"],
            c=sibling["code"],
        )
    )
    assert paths[child["code"]] == f"{new_parent['path']}{base}/{child['id']}/"
    assert paths[sibling["code"]] == sibling["path"]  # untouched, and not reached below
    # The same session's next request already sees the new reach: exactly the moved subtree.
    after = await all_pages(inspector, "/api/v1/units", 50)
    assert {u["code"] for u in after} == {moved["code"], child["code"]}
    assert (await inspector.get(f"/api/v1/units/{sibling['id']}")).status_code == 404
    assert (await inspector.get(f"/api/v1/units/{new_parent['id']}")).status_code == 404
    events = await audit_events(demo_app, action="unit.update", object_id=str(moved["id"]))
    assert len(events) == 1
    for c in (admin, inspector):
        await close(c)


async def test_a_unit_cannot_move_under_itself_or_its_descendants_nor_the_root_anywhere(
    demo_app: DemoApp,
) -> None:
    admin = await new_client(demo_app, "admin")
    top = await new_unit(admin, await unit_id(demo_app, "HXT"))
    middle = await new_unit(admin, top["id"])
    bottom = await new_unit(admin, middle["id"])
    for target in (top, middle, bottom):
        refused = await admin.write("PATCH", f"/api/v1/units/{top['id']}", json={"parent_id": target["id"]})
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    root = await unit_id(demo_app, "HX")
    assert (
        await admin.write("PATCH", f"/api/v1/units/{root}", json={"parent_id": top["id"]})
    ).status_code == 409
    (path,) = await sql(demo_app, "SELECT path FROM units WHERE id = :i", i=bottom["id"])
    assert path[0] == bottom["path"]
    await close(admin)


async def test_a_deactivated_unit_keeps_its_records_and_takes_nothing_new(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    top = await new_unit(admin, await unit_id(demo_app, "HXT"))
    leaf = await new_unit(admin, top["id"])
    with_child = await admin.write("PATCH", f"/api/v1/units/{top['id']}", json={"active": False})
    assert with_child.status_code == 409
    assert "sub-units" in with_child.json()["detail"]
    _username, user = await make_user(demo_app, None, leaf["code"])
    with_user = await admin.write("PATCH", f"/api/v1/units/{leaf['id']}", json={"active": False})
    assert with_user.status_code == 409
    assert (await admin.write("PATCH", f"/api/v1/users/{user}", json={"is_active": False})).status_code == 200
    done = await admin.write("PATCH", f"/api/v1/units/{leaf['id']}", json={"active": False})
    assert done.status_code == 200
    assert done.json()["active"] is False
    person = await admin.write("POST", "/api/v1/persons", json={"unit_id": leaf["id"], "name": "新人"})
    assert person.status_code == 409
    assert (await new_unit_status(admin, leaf["id"])) == 409
    assert (await admin.get(f"/api/v1/units/{leaf['id']}")).json()["active"] is False
    await close(admin)


async def new_unit_status(admin: Client, parent_id: int) -> int:
    body = {"parent_id": parent_id, "code": f"T-{uuid.uuid4().hex[:8]}", "name": "x", "kind": "team"}
    return int((await admin.write("POST", "/api/v1/units", json=body)).status_code)


async def test_a_company_administrator_changes_no_unit_of_another_company(demo_app: DemoApp) -> None:
    group_admin = await new_client(demo_app, "admin")
    hxt = await unit_id(demo_app, "HXT")
    company = await new_unit(group_admin, hxt)
    elsewhere = await new_unit(group_admin, hxt)
    username, _ = await make_user(demo_app, "admin", company["code"])
    company_admin = await new_client(demo_app, username, TEST_PASSWORD)
    mine = await new_unit(company_admin, company["id"])
    for body in ({"name": "改名"}, {"active": False}):
        answer = await company_admin.write("PATCH", f"/api/v1/units/{elsewhere['id']}", json=body)
        assert answer.status_code == 404
    # Not into another company either, nor above its own company, nor its own company away.
    for target in (elsewhere["id"], hxt):
        moved = await company_admin.write("PATCH", f"/api/v1/units/{mine['id']}", json={"parent_id": target})
        assert moved.status_code == 404, moved.text
    own_top = await company_admin.write(
        "PATCH", f"/api/v1/units/{company['id']}", json={"parent_id": elsewhere["id"]}
    )
    assert own_top.status_code == 404
    rows = await sql(
        demo_app, "SELECT name, path FROM units WHERE id IN (:a, :b)", a=elsewhere["id"], b=company["id"]
    )
    unchanged = [(elsewhere["name"], elsewhere["path"]), (company["name"], company["path"])]
    assert sorted(rows) == sorted(unchanged)
    for c in (company_admin, group_admin):
        await close(c)
