"""Async engines: SQLite (WAL, foreign keys, IMMEDIATE write transactions) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from integrity.db.sqlite_driver import one_trip_module

WRITE_OPTION = "integrity_write"


@dataclass(frozen=True)
class Database:
    """One engine and two session factories: reads, and writes that take the write lock up front."""

    engine: AsyncEngine
    read_session: async_sessionmaker[AsyncSession]
    write_session: async_sessionmaker[AsyncSession]
    writer: AsyncEngine | None = None  # SQLite's one writer connection, when it has its own pool

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.writer is not None:
            await self.writer.dispose()


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
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
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def create_database(url: str, *, busy_timeout_ms: int = 30_000, pool_size: int = 10) -> Database:
    """Build the engine for a URL with the same transactional behaviour on both engines."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    on_file = False  # a SQLite database in a file (not in memory)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        on_file = bool(database) and database != ":memory:"
        if on_file:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"timeout": busy_timeout_ms / 1000}, "module": one_trip_module()}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        # asyncpg prepares and caches statements; after five runs PostgreSQL may switch a cached
        # statement to a generic plan, blind to the values. For the case list that plan walks the
        # wrong index (80 ms against 3 ms at 100,000 cases): how selective a search term or a unit
        # path is depends on the value. Planning each run costs well under a millisecond.
        kwargs["connect_args"] = {"server_settings": {"plan_cache_mode": "force_custom_plan"}}
    engine = create_async_engine(url, **kwargs)
    own_writer = None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
        if on_file:
            # SQLite has one writer at a time. The process's writers queue for one connection, in order
            # and without holding another; SQLite's busy handler sleeps up to 100 ms between tries,
            # leaving the lock idle, and waiting there held a connection that readers needed. The busy
            # timeout still orders this process against others (the command line, a second server).
            own_writer = create_async_engine(url, pool_size=1, max_overflow=0, **kwargs)
            _configure_sqlite(own_writer, busy_timeout_ms)
    writer = (own_writer or engine).execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        read_session=async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False),
        write_session=async_sessionmaker(writer, class_=AsyncSession, expire_on_commit=False),
        writer=own_writer,
    )


def upsert_insert(session: AsyncSession) -> Any:
    """The session's dialect's `insert`, the one with `on_conflict_do_nothing` / `_do_update` (both
    engines spell ON CONFLICT the same; SQLAlchemy keeps the construct per dialect)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
