"""Administration in a real browser at a phone's and a desk's size: an administrator sets up a colleague
who signs in with the temporary password, must replace it, must set up a second factor (an auditor), and
signs in again with a code; a unit is renamed and moved, and a grant in it reaches exactly its new place.

A module of its own, so its own `integrity serve` (the fixture is per module): its accounts and units
do not change what the personas of test_browser.py find."""

from __future__ import annotations

import json
import random
import urllib.request
import uuid
from typing import Any

import pytest

from tests.support.browser import LiveServer, browser, live, live_server, sign_in, sign_out
from tests.support.second_factor import SECOND_FACTORS, pass_second_factor, totp_step_code

# A module's live server serves its tests in the order written: they run together, on one worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e-administration")]
__all__ = ["browser", "live", "live_server"]  # fixtures

SIZES = [pytest.param((390, 844), id="phone"), pytest.param((1366, 768), id="desktop")]
NEW_PASSWORD = "copper-meadow-93-lantern"


def unit_id(live: LiveServer, code: str) -> int:
    return int(live.sql("SELECT id FROM units WHERE code = :c", c=code)[0][0])


def add_sub_unit(page: Any, base: str, parent_id: int, name: str) -> str:
    from playwright.sync_api import expect

    code = f"E2E-{uuid.uuid4().hex[:8]}"
    page.goto(f"{base}/org/{parent_id}")
    page.fill("[data-testid=sub-unit-form] input[name=name]", name)
    page.fill("[data-testid=sub-unit-form] input[name=code]", code)
    page.click("[data-testid=sub-unit-form] button[type=submit]")
    expect(page.locator("[data-testid=flash]")).to_contain_text("单位已保存")
    return code


def units_seen(base: str, token: str) -> set[str]:
    request = urllib.request.Request(  # noqa: S310 (the test's own server on loopback)
        f"{base}/api/v1/units?limit=200", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return {u["code"] for u in json.load(response)["items"]}


@pytest.mark.parametrize("size", SIZES)
def test_a_colleague_set_up_by_the_administrator_replaces_the_password_and_sets_up_a_second_factor(
    live: LiveServer, browser: Any, size: tuple[int, int]
) -> None:
    from playwright.sync_api import expect

    base, (width, height) = live.base, size
    admin = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(admin, base, "admin")  # an administrator: sets up, then gives, the second factor
    team = f"审计组{uuid.uuid4().hex[:4]}"
    add_sub_unit(admin, base, unit_id(live, "HXT"), team)
    admin.goto(f"{base}/admin/users/new")
    username = f"e2e.{uuid.uuid4().hex[:6]}"
    admin.fill("[data-testid=new-user-form] input[name=username]", username)
    admin.fill("[data-testid=new-user-form] input[name=display_name]", "吴晓")
    choice = admin.locator("[data-testid=unit-picker] option", has_text=team)
    admin.select_option("[data-testid=unit-picker]", value=choice.get_attribute("value"))
    admin.click("[data-testid=new-user-form] button[type=submit]")
    temporary = admin.locator("[data-testid=temporary-password] code").inner_text()
    admin.click("a.button")  # to the account's page
    admin.select_option("[data-testid=grant-form] select[name=role]", "auditor")
    admin.click("[data-testid=grant-form] button[type=submit]")
    expect(admin.locator("[data-testid=flash]")).to_contain_text("角色已授予")
    expect(admin.locator("[data-testid=grant][data-role=auditor]")).to_be_visible()
    assert admin.evaluate("document.documentElement.scrollWidth") <= width

    colleague = browser.new_context(viewport={"width": width, "height": height}).new_page()
    colleague.goto(f"{base}/login")
    colleague.fill("input[name=username]", username)
    colleague.fill("input[name=password]", temporary)
    colleague.click("form[action='/login'] button[type=submit]")
    expect(colleague).to_have_url(f"{base}/account/password")  # nothing else until it is replaced
    expect(colleague.locator("nav.mainnav")).to_have_count(0)
    colleague.fill("input[name=current]", temporary)
    colleague.fill("input[name=new]", NEW_PASSWORD)
    colleague.fill("input[name=repeat]", NEW_PASSWORD)
    colleague.click("[data-testid=password-form] button[type=submit]")
    expect(colleague).to_have_url(f"{base}/account/second-factor?done=password")  # an auditor needs one
    expect(colleague.locator("[data-testid=flash]")).to_contain_text("密码已修改")
    expect(colleague.locator("[data-testid=qr] svg")).to_be_visible()
    assert colleague.evaluate("document.documentElement.scrollWidth") <= width
    pass_second_factor(colleague, base, username)  # types the app's code, keeps the recovery codes
    expect(colleague).to_have_url(f"{base}/")
    expect(colleague.locator("h1")).to_have_text("我的待办")
    assert len(SECOND_FACTORS[(base, username)].recovery_codes) == 10
    sign_out(colleague)

    colleague.goto(f"{base}/login")
    colleague.fill("input[name=username]", username)
    colleague.fill("input[name=password]", NEW_PASSWORD)
    colleague.click("form[action='/login'] button[type=submit]")
    expect(colleague).to_have_url(f"{base}/login/second-factor")
    code = totp_step_code(SECOND_FACTORS[(base, username)])
    assert code is not None
    colleague.fill("[data-testid=code-form] input[name=code]", code)
    colleague.click("[data-testid=code-form] button[type=submit]")
    expect(colleague).to_have_url(f"{base}/")
    expect(colleague.locator("nav.mainnav [data-nav=audit]")).to_have_count(1)


@pytest.mark.parametrize("size", SIZES)
def test_a_unit_renamed_and_moved_in_the_browser_takes_its_grants_to_exactly_its_new_place(
    live: LiveServer, browser: Any, size: tuple[int, int]
) -> None:
    from playwright.sync_api import expect

    base, (width, height) = live.base, size
    admin = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(admin, base, "admin")
    hxt = unit_id(live, "HXT")
    old_parent = unit_id(live, add_sub_unit(admin, base, hxt, f"原上级{uuid.uuid4().hex[:4]}"))
    new_parent_code = add_sub_unit(admin, base, hxt, f"新上级{uuid.uuid4().hex[:4]}")
    new_parent = unit_id(live, new_parent_code)
    # The moved unit and a sibling-to-be whose path begins with the same digits (`/…/4/`, `/…/45/`).
    moved = random.randrange(100_000, 200_000)
    for made, parent in ((moved, old_parent), (moved * 10 + 5, new_parent)):
        (path,) = live.sql("SELECT path FROM units WHERE id = :i", i=parent)
        live.sql(
            "INSERT INTO units (id, parent_id, path, code, name, name_en, kind, active, created_at) "
            "VALUES (:id, :parent, :path, :code, :code, '', 'team', :yes, CURRENT_TIMESTAMP)",
            id=made,
            parent=parent,
            path=f"{path[0]}{made}/",
            code=f"E2E-{made}",
            yes=True,
        )
    token = live.staff(f"e2e.{uuid.uuid4().hex[:6]}", "钱进", f"E2E-{moved}", ("inspector",))
    assert units_seen(base, token) == {f"E2E-{moved}"}

    admin.goto(f"{base}/org/{moved}")
    admin.fill("[data-testid=unit-form] input[name=name]", "采购监督组")
    admin.click("[data-testid=unit-form] button[type=submit]")
    expect(admin.locator("[data-testid=flash]")).to_contain_text("单位已保存")
    expect(admin.locator("h1")).to_have_text("采购监督组")
    admin.select_option("[data-testid=move-form] select[name=parent_id]", value=str(new_parent))
    admin.click("[data-testid=move-form] button[type=submit]")
    expect(admin.locator("[data-testid=flash]")).to_contain_text("单位已保存")
    assert admin.evaluate("document.documentElement.scrollWidth") <= width
    (path,) = live.sql("SELECT path FROM units WHERE id = :i", i=moved)
    (parent_path,) = live.sql("SELECT path FROM units WHERE id = :i", i=new_parent)
    assert path[0] == f"{parent_path[0]}{moved}/"
    # The grant follows the unit: its new place and nothing else, not the sibling `…/{moved}5/`.
    assert units_seen(base, token) == {f"E2E-{moved}"}
    assert f"E2E-{moved * 10 + 5}" not in units_seen(base, token)
    admin.goto(f"{base}/org/{new_parent}")
    expect(admin.locator("dl.facts")).to_contain_text("采购监督组")
