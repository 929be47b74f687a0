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


def test_inspector_signs_in_and_sees_the_dashboard(live_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(
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
        browser.close()
