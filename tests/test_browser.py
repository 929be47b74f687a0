"""End to end in a real headless Chromium: sign in through the page and see the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import browser, live, live_server, sign_in, sign_out

pytestmark = pytest.mark.browser
__all__ = ["browser", "live", "live_server"]  # fixtures


def test_inspector_signs_in_and_sees_the_dashboard(live_server: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=/")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("input[name=username]", "zhang.wei")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator("p.error")).to_have_text("用户名或密码错误。")
    page.fill("input[name=password]", "Integrity-2026")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("h1")).to_have_text("欢迎，张伟")
    roles = page.locator("[data-testid=my-roles]")
    expect(roles).to_contain_text("华夏能源集团有限公司")
    expect(roles).to_contain_text("纪检监察员")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Welcome, 张伟")
    page.click("button:has-text('Sign out')")
    expect(page).to_have_url(f"{live_server}/login")
    page.goto(f"{live_server}/login?lang=zh")  # leave the language as the next test expects


def test_lead_registered_proposed_approved_and_hidden_from_its_subject(
    live_server: str, browser: Any, tmp_path: Path
) -> None:
    """li.na registers a lead about 陈静 and proposes a disposal; liu.yang approves; 陈静 cannot find it."""
    from playwright.sync_api import expect

    title = "反映陈静违规报销差旅费问题"
    page = browser.new_page()
    sign_in(page, live_server, "li.na")
    page.click("a[data-nav=cases]")
    page.click("[data-testid=register-lead]")
    page.select_option("select[name=source]", "letters_visits")
    page.select_option("select[name=category]", "integrity")
    page.fill("input[name=title]", title)
    page.fill("input[name=received_on]", "2026-11-02")
    page.fill("textarea[name=summary]", "来信反映其多次虚报差旅费。")
    page.select_option("select[name=subject_ids]", label="陈静 · 纪委委员")
    page.click("form button.primary")
    expect(page.locator("[data-testid=case-status]")).to_have_text("受理登记")
    case_url = page.url
    actions = page.locator("form:has(button[data-transition=propose_disposal])")
    actions.locator("select[name=disposal]").select_option("preliminary_verification")
    actions.locator("input[name=reason]").fill("反映内容具体，有核实必要")
    actions.locator("button").click()
    expect(page.locator("[data-testid=case-status]")).to_have_text("拟处置")
    expect(page.locator("[data-testid=actions]")).to_have_count(0)  # nothing to press while it waits
    sign_out(page)

    sign_in(page, live_server, "liu.yang")
    page.click("a[data-nav=approvals]")
    card = page.locator("[data-testid=approval]", has_text=title)
    card.locator("form[action$=approve] input[name=comment]").fill("同意初步核实")
    card.locator("button[data-decision=approve]").click()
    expect(page.locator("[data-testid=approval]", has_text=title)).to_have_count(0)
    page.goto(case_url)
    expect(page.locator("[data-testid=case-status]")).to_have_text("初步核实")
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    sign_out(page)

    sign_in(page, live_server, "chen.jing")  # reviewer of the same company, and the subject
    page.click("a[data-nav=cases]")
    expect(page.locator("[data-testid=case-list]")).not_to_contain_text(title)
    response = page.goto(case_url)
    assert response is not None
    assert response.status == 404
    page.goto(f"{live_server}/approvals")
    expect(page.locator("body")).not_to_contain_text(title)
