"""The administration pages: create an account in a unit chosen by name, grant and withdraw roles from
the user's and the unit's page, rename and move units; a company's administrator stays in the company."""

from __future__ import annotations

import re
import uuid

from tests.conftest import Client, DemoApp, new_client
from tests.integration.admin.test_units import new_unit
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql, unit_id


def form(c: Client, **fields: str) -> dict[str, str]:
    return {"csrf_token": c.csrf, **fields}


async def test_the_administrator_creates_an_account_in_a_unit_picked_by_name_and_grants_a_role(
    demo_app: DemoApp,
) -> None:
    admin = await new_client(demo_app, "admin")
    hxt = await unit_id(demo_app, "HXT")
    team = await new_unit(admin, hxt, name=f"监督组{uuid.uuid4().hex[:4]}")
    page = await admin.get("/admin/users/new")
    # The picker offers units by name; the value behind the name is the unit.
    option = re.search(rf'<option value="(\d+)">[　]*{team["name"]}</option>', page.text)
    assert option, page.text
    username = f"n.{uuid.uuid4().hex[:8]}"
    made = await admin.post(
        "/admin/users/new",
        data=form(
            admin, username=username, display_name="王芳", unit_id=option.group(1), email="", locale="zh"
        ),
    )
    assert made.status_code == 200, made.text
    assert made.headers["cache-control"] == "no-store"
    temporary = re.search(r'data-testid="temporary-password"><code>([^<]+)</code>', made.text)
    assert temporary
    (row,) = await sql(
        demo_app, "SELECT id, unit_id, must_change_password FROM users WHERE username = :u", u=username
    )
    assert row[1] == team["id"]
    assert row[2]
    user_id = row[0]
    granted = await admin.post(
        f"/admin/users/{user_id}/grants", data=form(admin, role="inspector", unit_id=str(team["id"]))
    )
    assert granted.status_code == 303
    assert "done=granted" in granted.headers["location"]
    again = await admin.post(
        f"/admin/users/{user_id}/grants", data=form(admin, role="inspector", unit_id=str(team["id"]))
    )
    assert again.status_code == 409  # shown on the page, in Chinese
    assert "该用户已在此单位拥有此角色" in again.text
    detail = await admin.get(f"/admin/users/{user_id}")
    assert 'data-role="inspector"' in detail.text
    unit_page = await admin.get(f"/org/{team['id']}")
    assert f'data-username="{username}" data-role="inspector"' in unit_page.text
    grant_id = re.search(rf"/org/{team['id']}/grants/(\d+)/revoke", unit_page.text)
    assert grant_id
    revoked = await admin.post(f"/org/{team['id']}/grants/{grant_id.group(1)}/revoke", data=form(admin))
    assert revoked.status_code == 303
    assert not await sql(demo_app, "SELECT 1 FROM role_grants WHERE user_id = :u", u=user_id)
    assert await audit_events(demo_app, action="grant.delete", object_id=grant_id.group(1))
    await close(admin)


async def test_a_unit_is_renamed_and_moved_from_its_page(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    hxt = await unit_id(demo_app, "HXT")
    old_parent, new_parent = await new_unit(admin, hxt), await new_unit(admin, hxt)
    unit = await new_unit(admin, old_parent["id"])
    blank = await admin.post(f"/org/{unit['id']}", data=form(admin, name=" ", name_en="", kind="team"))
    assert blank.status_code == 422
    assert "单位需要名称" in blank.text
    renamed = await admin.post(
        f"/org/{unit['id']}", data=form(admin, name="采购监督组", name_en="Procurement", kind="team")
    )
    assert renamed.status_code == 303
    page = await admin.get(f"/org/{unit['id']}")
    assert "采购监督组" in page.text
    assert f'<option value="{new_parent["id"]}"' in page.text  # a place it may move to
    assert f'<option value="{unit["id"]}"' not in page.text  # never under itself
    moved = await admin.post(f"/org/{unit['id']}/move", data=form(admin, parent_id=str(new_parent["id"])))
    assert moved.status_code == 303
    (path,) = await sql(demo_app, "SELECT path FROM units WHERE id = :i", i=unit["id"])
    assert path[0] == f"{new_parent['path']}{unit['id']}/"
    await close(admin)


async def test_a_company_administrator_sees_and_changes_nothing_of_another_company(demo_app: DemoApp) -> None:
    group_admin = await new_client(demo_app, "admin")
    hxt = await unit_id(demo_app, "HXT")
    company, other = await new_unit(group_admin, hxt), await new_unit(group_admin, hxt)
    username, _ = await make_user(demo_app, "admin", company["code"])
    _, stranger = await make_user(demo_app, "inspector", other["code"])
    company_admin = await new_client(demo_app, username, TEST_PASSWORD)
    listing = await company_admin.get("/admin/users")
    assert f"/admin/users/{stranger}" not in listing.text
    for path in (f"/admin/users/{stranger}", f"/org/{other['id']}"):
        assert (await company_admin.get(path)).status_code == 404
    attempts = [
        (f"/admin/users/{stranger}", {"display_name": "x", "unit_id": str(company["id"])}),
        (f"/admin/users/{stranger}/password-reset", {}),
        (f"/admin/users/{stranger}/status", {"active": "false"}),
        (f"/admin/users/{stranger}/grants", {"role": "admin", "unit_id": str(company["id"])}),
        (f"/org/{other['id']}", {"name": "改名", "kind": "team"}),
        (f"/org/{other['id']}/move", {"parent_id": str(company["id"])}),
        (f"/org/{other['id']}/grants", {"username": username, "role": "admin"}),
    ]
    for path, fields in attempts:
        answer = await company_admin.post(path, data=form(company_admin, **fields))
        assert answer.status_code == 404, (path, answer.status_code)
    # Nor grant itself a role above its company, nor edit the group's catalogues.
    grant_up = await company_admin.post(
        f"/org/{company['id']}/grants", data=form(company_admin, username=username, role="auditor")
    )
    assert grant_up.status_code == 303  # in its own company: allowed
    assert (await company_admin.get("/admin/measures")).status_code == 403
    assert (await company_admin.get("/admin/clock-rules")).status_code == 403
    (row,) = await sql(demo_app, "SELECT is_active, display_name FROM users WHERE id = :i", i=stranger)
    assert row[0]
    for c in (group_admin, company_admin):
        await close(c)


async def test_an_administrator_reads_no_case_content_through_the_new_pages(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    number = (await sql(demo_app, "SELECT number, title FROM cases ORDER BY id LIMIT 1"))[0]
    pages = ["/admin/users", "/org"]
    unit_ids = [u for (u,) in await sql(demo_app, "SELECT unit_id FROM cases ORDER BY id LIMIT 5")]
    pages += [f"/org/{u}" for u in unit_ids]
    users = [u for (u,) in await sql(demo_app, "SELECT id FROM users ORDER BY id LIMIT 8")]
    pages += [f"/admin/users/{u}" for u in users]
    for path in pages:
        page = await admin.get(path)
        assert page.status_code == 200, path
        assert number[0] not in page.text
        assert number[1] not in page.text
    assert (await admin.get("/cases")).status_code == 403
    await close(admin)


async def test_an_administrator_cannot_withdraw_their_own_administrator_role(demo_app: DemoApp) -> None:
    username, user_id = await make_user(demo_app, "admin", "HXT")
    admin = await new_client(demo_app, username, TEST_PASSWORD)
    (grant,) = await sql(demo_app, "SELECT id FROM role_grants WHERE user_id = :u", u=user_id)
    answer = await admin.post(f"/admin/users/{user_id}/grants/{grant[0]}/revoke", data=form(admin))
    assert answer.status_code == 409
    assert "不能收回您自己的系统管理员角色" in answer.text
    assert await sql(demo_app, "SELECT 1 FROM role_grants WHERE id = :g", g=grant[0])
    await close(admin)
