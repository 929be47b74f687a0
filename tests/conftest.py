"""Fixtures: fresh migrated databases on SQLite and PostgreSQL, apps built once per session."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from integrity.app import create_app
from integrity.config import Settings
from integrity.db.engine import Database, create_database
from integrity.db.migrate import upgrade
from integrity.demo.data import DEMO_PASSWORD, load_demo

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("INTEGRITY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
LOGIN_TOKEN = re.compile(r'action="/login".*?name="csrf_token" value="([^"]+)"', re.DOTALL)


def _pg_reason() -> str | None:
    """None when PostgreSQL answers, else why not."""

    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__}: {exc})"
    return None


_PG_REASON = _pg_reason()


def require_postgres() -> None:
    """Skip on a laptop without PostgreSQL; in CI a missing server is a failure, never a skip."""
    if _PG_REASON is None:
        return
    if IN_CI:
        pytest.fail(f"CI must run the PostgreSQL suite: {_PG_REASON}")
    pytest.skip(_PG_REASON)


@dataclass
class ScratchDatabase:
    backend: str
    url: str
    data_dir: Path

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "test",
            "secret_key": TEST_SECRET,
            "database_url": self.url,
            "data_dir": self.data_dir,
        }
        values.update(overrides)
        return Settings(**values)


def _async_pg_url(name: str) -> str:
    base = PG_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1)
    return re.sub(r"/[^/]*$", f"/{name}", base)


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def make_database(backend: str, folder: Path) -> Iterator[ScratchDatabase]:
    """An empty database of the given kind, dropped afterwards."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield ScratchDatabase("sqlite", f"sqlite+aiosqlite:///{folder / 'test.db'}", folder)
        return
    require_postgres()
    name = f"integrity_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield ScratchDatabase("postgresql", _async_pg_url(name), folder)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ScratchDatabase]:
    """A fresh, empty database per test, on each engine."""
    yield from make_database(request.param, tmp_path / "db")


@pytest.fixture
def migrated_db(empty_db: ScratchDatabase) -> ScratchDatabase:
    upgrade(empty_db.url)
    return empty_db


@pytest.fixture
async def database(migrated_db: ScratchDatabase) -> AsyncIterator[Database]:
    db = create_database(migrated_db.url)
    yield db
    await db.dispose()


@dataclass
class DemoApp:
    """An app on a migrated database with the demo data loaded; one per engine per session."""

    app: Litestar
    db: ScratchDatabase
    settings: Settings

    @property
    def backend(self) -> str:
        return self.db.backend


@pytest.fixture(scope="session", params=BACKENDS)
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScratchDatabase]:
    for test_db in make_database(request.param, tmp_path_factory.mktemp(f"demo-{request.param}")):
        upgrade(test_db.url)
        settings = test_db.settings()

        async def load(url: str = test_db.url, settings: Settings = settings) -> None:
            db = create_database(url)
            await load_demo(db, settings, DEMO_PASSWORD)
            await db.dispose()

        asyncio.run(load())
        yield test_db


@pytest.fixture(scope="session")
def demo_app(demo_db: ScratchDatabase) -> DemoApp:
    settings = demo_db.settings()
    return DemoApp(create_app(settings), demo_db, settings)


class Client:
    """A test client with the helpers the tests keep needing."""

    def __init__(self, inner: AsyncTestClient[Litestar]) -> None:
        self.inner = inner
        self.csrf = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> Any:
        page = await self.inner.get("/login")
        token = LOGIN_TOKEN.search(page.text)
        assert token, page.text
        response = await self.inner.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"},
            follow_redirects=False,
        )
        if response.status_code == 302:
            dashboard = await self.inner.get("/")
            found = re.search(r'"X-CSRF-Token": "([^"]+)"', dashboard.text)
            self.csrf = found.group(1) if found else ""
        return response

    async def write(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return await self.inner.request(method, url, headers=headers, **kwargs)


def fresh_app(demo_app: DemoApp) -> Litestar:
    """An app of its own per test client: AsyncTestClient runs each client on its own event loop,
    and pooled database connections must not cross loops (it is also how separate workers behave)."""
    return create_app(demo_app.settings)


@pytest.fixture
async def client(demo_app: DemoApp) -> AsyncIterator[Client]:
    async with AsyncTestClient(fresh_app(demo_app)) as inner:
        yield Client(inner)


@pytest.fixture
async def clear_throttle(demo_app: DemoApp) -> AsyncIterator[None]:
    """Login tests share one client address; forget failures around each of them."""

    async def clear() -> None:
        from sqlalchemy import text

        db = create_database(demo_app.db.url)
        async with db.write_session() as session:
            await session.execute(text("DELETE FROM login_throttle"))
            await session.commit()
        await db.dispose()

    await clear()
    yield
    await clear()


async def new_client(demo_app: DemoApp, username: str, password: str = DEMO_PASSWORD) -> Client:
    """A signed-in client (caller closes it with `await c.inner.__aexit__(None, None, None)`)."""
    inner = AsyncTestClient(fresh_app(demo_app))
    await inner.__aenter__()
    c = Client(inner)
    response = await c.sign_in(username, password)
    assert response.status_code == 302, response.text
    return c


@pytest.fixture
async def team(demo_app: DemoApp) -> AsyncIterator[tuple[Client, Client]]:
    """li.na (inspector, HXP) and chen.jing (reviewer, HXP), signed in."""
    inspector = await new_client(demo_app, "li.na")
    reviewer = await new_client(demo_app, "chen.jing")
    yield inspector, reviewer
    for c in (inspector, reviewer):
        await c.inner.__aexit__(None, None, None)
