"""Browser-test plumbing: `integrity serve` on demo data, Debian's Chromium under Playwright, signing in."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.models import Unit
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.users.schemas import GrantIn, UserIn
from integrity.domain.users.services import create_token, create_user, grant_role
from integrity.lib.audit import Actor
from tests.conftest import IN_CI, TEST_SECRET, MigratedTemplates
from tests.support.second_factor import pass_second_factor

T = TypeVar("T")
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


@dataclass(frozen=True)
class LiveServer:
    base: str
    env: dict[str, str]
    settings: Settings

    def staff(self, username: str, display_name: str, unit_code: str, roles: tuple[str, ...]) -> str:
        """Arrange a colleague with roles in a unit through the services, as the `users` and `tokens`
        commands would (each command is a 4 s interpreter start); their new API token."""

        async def work() -> str:
            db = create_database(self.settings.database_url)
            try:
                async with db.write_session() as session:
                    unit = (
                        await session.execute(select(Unit).where(col(Unit.code) == unit_code))
                    ).scalar_one()
                    assert unit.id is not None
                    actor = Actor.command_line()
                    data = UserIn(username, display_name, unit.id, DEMO_PASSWORD, None, "zh")
                    user = await create_user(session, actor, data, access=None)
                    assert user.id is not None
                    for role in roles:
                        await grant_role(session, actor, GrantIn(user.id, role, unit.id), access=None)
                    token = await create_token(session, self.settings, actor, user, "browser test", 1)
                    await session.commit()
                    return token.token
            finally:
                await db.dispose()

        return _off_thread(work())

    def sql(self, statement: str, **params: Any) -> list[Any]:
        """Arrange or read the served database directly (rows, for a statement that returns them)."""

        async def work() -> list[Any]:
            db = create_database(self.settings.database_url)
            try:
                async with db.write_session() as session:
                    result = await session.execute(text(statement), params)
                    rows = list(result.all()) if result.returns_rows else []
                    await session.commit()
                    return rows
            finally:
                await db.dispose()

        return _off_thread(work())


def _off_thread(work: Coroutine[Any, Any, T]) -> T:
    # Playwright's sync API keeps an event loop running in this thread: the work gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, migrated_templates: MigratedTemplates
) -> Iterator[LiveServer]:
    """`integrity serve` on a fresh SQLite database with the demo data, as a user would run it; one for
    the browser tests (all in tests/e2e/test_browser.py, in the order they are written there). The
    database is a copy of the run's migrated template with the demo loaded in-process, as `./run demo`
    would load it (three commands in subprocesses took most of the module's time)."""
    data = tmp_path_factory.mktemp("live")
    made = migrated_templates.copy("sqlite", data)
    database = next(made)
    settings = database.settings()
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": TEST_SECRET,
        "INTEGRITY_DATA_DIR": str(data),
        "INTEGRITY_DATABASE_URL": database.url,
    }

    async def load() -> None:
        db = create_database(database.url)
        await load_demo(db, settings, DEMO_PASSWORD)
        await db.dispose()

    asyncio.run(load())
    cli = [sys.executable, "-m", "integrity"]
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
        yield LiveServer(base, env, settings)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def live_server(live: LiveServer) -> str:
    return live.base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser here); launched
    once for the browser module, each test opening pages of its own. Not session-scoped: while the sync
    API is open its event loop counts as running, and later tests could not start one."""
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


def sign_in(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    pass_second_factor(page, base, username)
    expect(page).to_have_url(f"{base}/")


def sign_out(page: Any) -> None:
    page.click("button:has-text('退出登录')")
