"""End to end in a real headless Chromium: sign in through the page and see the dashboard."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, TEST_SECRET

pytestmark = pytest.mark.browser

CHROMIUM_CANDIDATES = [
    os.environ.get("INTEGRITY_CHROMIUM", ""),
    "/usr/lib/chromium/chromium",
    shutil.which("chromium") or "",
]


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return candidate
    reason = "Chromium not installed (apt-get install chromium); set INTEGRITY_CHROMIUM to its binary"
    if IN_CI:
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`integrity serve` on a fresh SQLite database with the demo data, as a user would run it."""
    data = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": TEST_SECRET,
        "INTEGRITY_DATA_DIR": str(data),
    }
    env.pop("INTEGRITY_DATABASE_URL", None)
    cli = [sys.executable, "-m", "integrity"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (data / "serve.log").open("w")
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/ready", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError((data / "serve.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser here)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def sign_in(page: Any, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Integrity-2026")
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def sign_out(page: Any) -> None:
    page.click("button:has-text('退出登录')")


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
