"""Fixtures: fresh migrated databases on SQLite and PostgreSQL, apps built once per session."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlmodel import col, select

from integrity.app import create_app
from integrity.config import Settings
from integrity.db.engine import Database, create_database
from integrity.db.migrate import upgrade
from integrity.db.models import User
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.accounts.sessions import start_session
from integrity.lib.pdf.pool import PdfPool
from tests import TEST_SECRET

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("INTEGRITY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
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
            # Tests run the notification worker's steps themselves, when and as often as they mean to.
            "worker_in_process": False,
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


class MigratedTemplates:
    """One database per engine migrated once per run; tests get copies of it (a file copy on SQLite,
    CREATE DATABASE … TEMPLATE on PostgreSQL) instead of running every migration again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, ScratchDatabase] = {}
        self._drops: list[Iterator[ScratchDatabase]] = []

    def template(self, backend: str) -> ScratchDatabase:
        if backend not in self.made:
            maker = make_database(backend, self.folder / backend)
            made = next(maker)
            upgrade(made.url)
            self.made[backend], self._drops = made, [*self._drops, maker]
        return self.made[backend]

    def copy(self, backend: str, folder: Path) -> Iterator[ScratchDatabase]:
        template = self.template(backend)
        if backend == "sqlite":
            folder.mkdir(parents=True, exist_ok=True)
            source = template.url.removeprefix("sqlite+aiosqlite:///")
            for suffix in ("", "-wal"):
                if Path(source + suffix).exists():
                    shutil.copyfile(source + suffix, folder / f"test.db{suffix}")
            yield ScratchDatabase("sqlite", f"sqlite+aiosqlite:///{folder / 'test.db'}", folder)
            return
        name = f"integrity_test_{uuid.uuid4().hex[:12]}"
        template_name = template.url.rsplit("/", 1)[1]
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
        try:
            yield ScratchDatabase("postgresql", _async_pg_url(name), folder)
        finally:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for maker in self._drops:
            for _ in maker:  # runs the generator's clean-up (drops the PostgreSQL template)
                pass


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.close()


@pytest.fixture(params=BACKENDS)
def migrated_db(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: MigratedTemplates
) -> Iterator[ScratchDatabase]:
    """A fresh database at the newest schema per test, on each engine (a copy of the run's template)."""
    if request.param == "postgresql":
        require_postgres()
    yield from migrated_templates.copy(request.param, tmp_path / "db")


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
    if request.param == "postgresql":
        require_postgres()
    templates = request.getfixturevalue("migrated_templates")
    for test_db in templates.copy(request.param, tmp_path_factory.mktemp(f"demo-{request.param}")):
        settings = test_db.settings()

        async def load(url: str = test_db.url, settings: Settings = settings) -> None:
            db = create_database(url)
            await load_demo(db, settings, DEMO_PASSWORD)
            await db.dispose()

        asyncio.run(load())
        yield test_db


@pytest.fixture(scope="session")
def pdf_pool() -> Iterator[PdfPool]:
    """One pool of PDF workers for the run, shared by the apps of both engines."""
    settings = Settings(env="test", secret_key=TEST_SECRET)
    pool = PdfPool(settings.pdf_workers, settings.pdf_timeout_seconds, settings.pdf_memory_mb)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
async def demo_app(demo_db: ScratchDatabase, pdf_pool: PdfPool) -> AsyncIterator[DemoApp]:
    """One app per engine for the whole run, served in the tests' own event loop (no thread, no copy)."""
    settings = demo_db.settings()
    app = create_app(settings, pdf_pool)
    # Its start-up hook only logs the fonts; its shutdown hooks, run here. (Litestar's lifespan context
    # would have to end in the task it began in, which a session fixture's teardown is not.)
    yield DemoApp(app, demo_db, settings)
    await app.state.db.dispose()


BASE_URL = "http://testserver.local"


def http_client(app: Litestar) -> httpx.AsyncClient:
    """A client that calls the app in this event loop, as a browser or script would over HTTP."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


class Client:
    """A test client with the helpers the tests keep needing."""

    def __init__(self, inner: httpx.AsyncClient, app: Litestar) -> None:
        self.inner = inner
        self.app = app
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
    """A second app on the same database, for tests about separate worker processes (grant reloads,
    concurrent writers); AsyncTestClient serves it on a loop of its own, as a worker would be."""
    return create_app(demo_app.settings)


@pytest.fixture
async def client(demo_app: DemoApp) -> AsyncIterator[Client]:
    async with http_client(demo_app.app) as inner:
        yield Client(inner, demo_app.app)


@pytest.fixture
async def clear_throttle(demo_app: DemoApp) -> AsyncIterator[None]:
    """Login tests share one client address; forget failures around each of them."""

    async def clear() -> None:
        async with demo_app.app.state.db.write_session() as session:
            await session.execute(text("DELETE FROM login_throttle"))
            await session.commit()

    await clear()
    yield
    await clear()


async def mint_session(demo_app: DemoApp, username: str) -> tuple[str, str]:
    """A signed-in session made the way sign-in makes one, without the password round (which the
    accounts tests exercise for real): the cookie value and the session's CSRF token."""
    async with demo_app.app.state.db.write_session() as session:
        user = (await session.execute(select(User).where(col(User.username) == username))).scalar_one()
        made = await start_session(
            session,
            demo_app.settings,
            user,
            client_addr="127.0.0.1",
            user_agent="pytest",
            previous_cookie=None,
        )
        await session.commit()
    return made.cookie_value, made.row.csrf_token


async def new_client(demo_app: DemoApp, username: str, password: str = DEMO_PASSWORD) -> Client:
    """A signed-in client (caller closes it with `close(c)`); `password` is kept for the callers' sake."""
    del password  # minted, not typed: see mint_session
    inner = http_client(demo_app.app)
    await inner.__aenter__()
    c = Client(inner, demo_app.app)
    cookie, c.csrf = await mint_session(demo_app, username)
    inner.cookies.set(demo_app.settings.session_cookie, cookie)
    return c


@pytest.fixture
async def team(demo_app: DemoApp) -> AsyncIterator[tuple[Client, Client]]:
    """li.na (inspector, HXP) and chen.jing (reviewer, HXP), signed in."""
    inspector = await new_client(demo_app, "li.na")
    reviewer = await new_client(demo_app, "chen.jing")
    yield inspector, reviewer
    for c in (inspector, reviewer):
        await c.inner.__aexit__(None, None, None)
