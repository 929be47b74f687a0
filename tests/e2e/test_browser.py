"""End to end in a real headless Chromium against `integrity serve`: signing in, a lead through its
approval and out of its subject's sight, a close-out returned and resubmitted, and a drafter who cannot
approve. One server and one Chromium serve the tests of this module that run on one xdist worker."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import LiveServer, browser, live, live_server, sign_in, sign_out

# A module's live server serves its tests in the order written: they run together, on one worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e-browser")]
__all__ = ["browser", "live", "live_server"]  # fixtures


def test_inspector_signs_in_and_lands_on_my_work(live_server: str, browser: Any, tmp_path: Path) -> None:
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
    expect(page.locator("h1")).to_have_text("我的待办")
    expect(page.locator("[data-testid=current-user]")).to_have_text("张伟")
    page.click("summary")  # the units and roles fold under the list
    roles = page.locator("[data-testid=my-roles]")
    expect(roles).to_contain_text("华夏能源集团有限公司")
    expect(roles).to_contain_text("纪检监察员")
    page.screenshot(path=str(tmp_path / "my-work.png"), full_page=True)
    page.click("text=English")  # kept on the account: applied at the next sign-in too
    expect(page.locator("h1")).to_have_text("My work")
    page.click("button:has-text('Sign out')")
    expect(page).to_have_url(f"{live_server}/login")
    sign_in(page, live_server, "zhang.wei")
    expect(page.locator("h1")).to_have_text("My work")
    page.click("text=中文")  # and back, as the other tests expect
    expect(page.locator("h1")).to_have_text("我的待办")
    sign_out(page)


# What the demo data leaves waiting on each persona: (kind of row, words it holds, overdue).
WAITING = {
    "liu.yang": ("approval", "反映马俊周末公车私用问题", False),  # a disposal proposal to decide
    "zhang.wei": ("returned", "不宜暂存待查", False),  # his proposal came back, with the reason
    "li.na": ("returned", "离岗时长与证人证言不一致", False),  # her decision came back
    "sun.qiang": ("item", "对采购岗位人员开展廉洁谈话并留存记录", True),  # his item is overdue
}


def test_each_persona_lands_on_my_work_and_finds_what_waits_for_them(live_server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    for persona, (kind, words, overdue) in WAITING.items():
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, live_server, persona)  # lands on /
        expect(page.locator("h1")).to_have_text("我的待办")
        row = page.locator(f"[data-testid=work-row][data-kind={kind}]", has_text=words)
        expect(row.first).to_be_visible()  # (a later test may add a row about the same case)
        if overdue:
            expect(page.locator("[data-testid=work-row]").first).to_have_class(re.compile(r"\boverdue\b"))
            expect(row).to_contain_text("已逾期")
        expect(page.locator("nav.mainnav [data-testid=todo-count]")).not_to_have_text("")
        row.first.locator("a").first.click()  # the row leads to where the work is done
        expect(page).not_to_have_url(f"{live_server}/")
        context.close()


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
    page.fill("[data-testid=subject-search]", "陈静")  # search as you type, then pick
    page.click("[data-testid=subject-results] button:has-text('纪委委员')")
    expect(page.locator("[data-chips] li")).to_have_count(1)
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


REQUIREMENT = "建立供应商比价和定期轮换制度"


def test_rectifier_submits_reviewer_returns_rectifier_resubmits_second_reviewer_approves(
    live_server: str, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    proof = tmp_path / "供应商比价制度.txt"
    proof.write_text("《供应商比价和轮换管理办法》已印发。", encoding="utf-8")
    page = browser.new_page()
    sign_in(page, live_server, "sun.qiang")
    page.click("a[data-nav=rectification]")
    expect(page.locator("h1")).to_have_text("我的整改事项")
    expect(page.locator("[data-testid=rectification-item]")).to_have_count(2)
    expect(page.locator("tr.overdue")).to_have_count(1)  # the demo's second item is past due
    page.click(f"a:has-text('{REQUIREMENT}')")
    item_url = page.url
    expect(page.locator("body")).not_to_contain_text("华东分公司采购中涉嫌收受供应商回扣")  # never the case
    form = page.locator("[data-testid=submit-form]")
    form.locator("input[name=file]").set_input_files(str(proof))
    form.locator("textarea[name=description]").fill("已制定并印发比价和轮换制度。")
    form.locator("button").click()
    expect(page.locator("[data-testid=item-status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-testid=evidence]")).to_have_count(1)
    sign_out(page)

    sign_in(page, live_server, "chen.jing")
    page.click("a[data-nav=approvals]")
    row = page.locator("[data-testid=approval][data-kind='rectification.closeout']", has_text=REQUIREMENT)
    row.locator("form[action$=return] input[name=comment]").fill("缺少制度印发文件的盖章页")
    row.locator("button[data-decision=return]").click()
    expect(page.locator("[data-testid=approval]", has_text=REQUIREMENT)).to_have_count(0)
    page.goto(item_url)
    expect(page.locator("[data-testid=item-status]")).to_have_attribute("data-status", "returned")
    sign_out(page)

    sign_in(page, live_server, "sun.qiang")
    page.goto(item_url)
    expect(page.locator("[data-testid=step][data-action=return]")).to_contain_text("缺少制度印发文件的盖章页")
    stamped = tmp_path / "盖章页.txt"
    stamped.write_text("盖章页扫描件说明。", encoding="utf-8")
    form = page.locator("[data-testid=submit-form]")
    form.locator("input[name=file]").set_input_files(str(stamped))
    form.locator("textarea[name=description]").fill("已补充盖章页。")
    form.locator("button").click()
    expect(page.locator("[data-testid=item-status]")).to_have_attribute("data-status", "submitted")
    sign_out(page)

    sign_in(page, live_server, "liu.yang")
    page.goto(item_url)
    pending = page.locator("[data-testid=pending-closeout]")
    expect(pending).to_contain_text("已补充盖章页。")
    pending.locator("form[action$=approve] input[name=comment]").fill("同意销号")
    pending.locator("button[data-decision=approve]").click()
    expect(page).to_have_url(f"{item_url}?done=approved")
    expect(page.locator("[data-testid=flash]")).to_have_text("已审批同意，即时生效。")
    expect(page.locator("[data-testid=item-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("[data-testid=item-status]")).to_have_text("已销号")
    expect(page.locator("[data-testid=step]")).to_have_count(
        5
    )  # created, submitted, returned, submitted, approved
    page.screenshot(path=str(tmp_path / "item.png"), full_page=True)


def api(live: LiveServer, token: str, method: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310
        f"{live.base}{path}",
        method=method,
        data=json.dumps({"comment": "自己批"}).encode() if method == "POST" else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_the_drafter_finds_no_approve_button_and_the_api_refuses_them(
    live: LiveServer, browser: Any, tmp_path: Path
) -> None:
    """王芳 is inspector and reviewer of the company: she drafts a decision, and cannot approve it."""
    from playwright.sync_api import expect

    token = live.staff("wang.fang", "王芳", "HXP", ("inspector", "reviewer"))

    page = browser.new_page()
    sign_in(page, live.base, "wang.fang")
    page.click("a[data-nav=cases]")
    page.click("tr:has-text('反映马俊周末公车私用问题') a")
    page.click("[data-testid=draft-decision]")
    page.select_option("select[name=measure_code]", "party_warning")
    page.fill("textarea[name=reasoning]", "多次周末公车私用，违反中央八项规定精神。")
    page.click("form button.primary")
    expect(page.locator("[data-testid=decision-status]")).to_have_attribute("data-status", "draft")
    decision_id = int(re.search(r"/decisions/(\d+)\?done=drafted$", page.url).group(1))  # type: ignore[union-attr]
    page.click("button:has-text('提交审批')")
    expect(page.locator("[data-testid=decision-status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("button[data-decision=approve]")).to_have_count(0)
    expect(page.locator("[data-testid=no-self-approval]")).to_be_visible()
    page.click("a[data-nav=approvals]")
    expect(page.locator(f"[data-testid=approval] a[href='/decisions/{decision_id}']")).to_have_count(0)

    status, body = api(live, token, "GET", f"/api/v1/decisions/{decision_id}")
    assert status == 200
    request_id = body["pending_approval_id"]
    status, problem = api(live, token, "POST", f"/api/v1/approvals/{request_id}/approve")
    assert status == 403, problem
    assert "another reviewer" in problem["detail"]
    sign_out(page)

    sign_in(page, live.base, "liu.yang")  # another reviewer sees the approve button
    page.goto(f"{live.base}/decisions/{decision_id}")
    expect(page.locator("button[data-decision=approve]")).to_have_count(1)


# Every demo persona; every page their navigation offers, and the first record of each list.
PERSONAS = ("admin", "zhang.wei", "li.na", "liu.yang", "chen.jing", "zhao.min", "sun.qiang", "zhou.li")
SIZES = ((390, 844), (1366, 768))
FIRST_OF = {"/cases": "/cases/", "/rectification": "/rectification/items/", "/decisions": "/decisions/"}


def _pages_of(page: Any, base: str) -> list[str]:
    page.goto(f"{base}/")
    links = page.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.getAttribute('href'))")
    found = ["/", "/done", "/notifications", "/account/notifications", *links]
    for listing, prefix in FIRST_OF.items():
        if listing in found:
            page.goto(f"{base}{listing}")
            first = page.locator(f"main a[href^='{prefix}']").first
            if first.count():
                found.append(first.get_attribute("href"))
    return list(dict.fromkeys(found))


def test_every_page_of_every_persona_fits_a_phone_and_a_desktop(live_server: str, browser: Any) -> None:
    """No page scrolls sideways at 390 px or 1366 px; on a phone the navigation opens from the menu."""
    from playwright.sync_api import expect

    too_wide, visited = [], 0
    for persona in PERSONAS:
        for width, height in SIZES:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            sign_in(page, live_server, persona)
            for url in _pages_of(page, live_server):
                response = page.goto(f"{live_server}{url}")
                assert response is not None
                assert response.status < 500, (persona, url, response.status)
                visited += 1
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    too_wide.append((persona, width, url, wide))
            if width < 700:
                nav = page.locator("nav.mainnav")
                expect(nav).to_be_hidden()
                page.click("[data-testid=menu-button]")
                expect(nav).to_be_visible()
            context.close()
    assert visited > 60
    assert too_wide == []


def test_a_chart_bar_opens_the_cases_it_counts_on_a_phone_and_a_desktop(
    live_server: str, browser: Any
) -> None:
    """The statistics page draws each figure with ECharts; clicking a bar of this period lands on the list
    of exactly the cases that bar counts (the same number), at both sizes."""
    from playwright.sync_api import expect

    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, live_server, "zhang.wei")
        page.goto(f"{live_server}/statistics/cases?period=year")
        chart = page.locator("[data-testid=chart-received_by_source]")
        expect(chart.locator("svg")).to_be_visible()  # drawn (as SVG) once the script ran
        chart.scroll_into_view_if_needed()
        data = json.loads(chart.get_attribute("data-chart") or "{}")
        index = next(i for i, link in enumerate(data["links"]) if link)
        count = data["series"][0]["data"][index]
        # Where ECharts laid out that bar (this period's series), in the page's coordinates.
        box = page.evaluate(
            """([selector, index]) => {
                const el = document.querySelector(selector);
                const chart = echarts.getInstanceByDom(el);
                const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
                const r = el.getBoundingClientRect();
                return {x: r.left + bar.x + bar.width / 2, y: r.top + bar.y + bar.height / 2};
            }""",
            ["[data-testid=chart-received_by_source]", index],
        )
        page.mouse.click(box["x"], box["y"])
        expect(page).to_have_url(re.compile(r"/statistics/cases/list\?.*figure=received_by_source"))
        expect(page.locator("h1")).to_contain_text(data["labels"][index])
        expect(page.locator("[data-testid=drill-down] tbody tr")).to_have_count(count)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
