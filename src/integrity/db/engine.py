"""Async engines: SQLite (WAL, foreign keys, IMMEDIATE write transactions) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util.concurrency import await_only

WRITE_OPTION = "integrity_write"


@dataclass(frozen=True)
class Database:
    """One engine and two session factories: reads, and writes that take the write lock up front."""

    engine: AsyncEngine
    read_session: async_sessionmaker[AsyncSession]
    write_session: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()


class WriterTurns:
    """Writers of this process take turns in arrival order before BEGIN IMMEDIATE (SQLite).

    SQLite's busy handler polls with growing sleeps (up to 100 ms): under a burst of writers the lock
    sat free while they slept, so a 200-member sign-in queued far longer than its transactions took.
    Here the next writer of this process starts the moment the last one's connection is back in the
    pool. Another process still meets SQLite's busy timeout; a turn not granted within that timeout
    (or asked for outside the event loop) falls back to it too, so nothing waits forever here."""

    KEY = "integrity_writer_turn"

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._locks: dict[int, asyncio.Lock] = {}  # per event loop: a lock belongs to one

    def take(self, info: dict[str, Any]) -> None:
        """Wait for this process's turn (in SQLAlchemy's greenlet); noted on the connection."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        lock = self._locks.setdefault(id(loop), asyncio.Lock())
        try:
            await_only(asyncio.wait_for(lock.acquire(), self.timeout))
        except (TimeoutError, MissingGreenlet):
            return
        info[self.KEY] = lock

    def give_back(self, info: dict[str, Any]) -> None:
        lock = info.pop(self.KEY, None)
        if lock is not None and lock.locked():
            lock.release()


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    turns = WriterTurns(busy_timeout_ms / 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that later writes must upgrade its lock and fails at once with
        # "database is locked" when another writer holds it; IMMEDIATE waits for busy_timeout instead.
        if conn.get_execution_options().get(WRITE_OPTION):
            turns.take(conn.info)
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    # The transaction ends with its connection back in the pool (after COMMIT or ROLLBACK ran).
    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            turns.give_back(record.info)

    @event.listens_for(engine.sync_engine.pool, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        turns.give_back(record.info)


def create_database(url: str, *, busy_timeout_ms: int = 30_000, pool_size: int = 10) -> Database:
    """Build the engine for a URL with the same transactional behaviour on both engines."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"timeout": busy_timeout_ms / 1000}}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        # asyncpg prepares and caches statements; after five runs PostgreSQL may switch a cached
        # statement to a generic plan, blind to the values. For the case list that plan walks the
        # wrong index (80 ms against 3 ms at 100,000 cases): how selective a search term or a unit
        # path is depends on the value. Planning each run costs well under a millisecond.
        kwargs["connect_args"] = {"server_settings": {"plan_cache_mode": "force_custom_plan"}}
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    writer = engine.execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        read_session=async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False),
        write_session=async_sessionmaker(writer, class_=AsyncSession, expire_on_commit=False),
    )


def upsert_insert(session: AsyncSession) -> Any:
    """The session's dialect's `insert`, the one with `on_conflict_do_nothing` / `_do_update` (both
    engines spell ON CONFLICT the same; SQLAlchemy keeps the construct per dialect)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
