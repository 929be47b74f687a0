"""The SQLite engine: one trip to the driver's thread per statement, the same answers as the stock
adaptation, and the process's writers queued for the one writer connection."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from integrity.db.engine import Database, create_database
from integrity.db.sqlite_driver import OneTripConnection

STATEMENTS = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INTEGER)",
    "INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)",
]


async def _answers(url: str, module: Any = None) -> list[Any]:
    """What a small script of statements returns, on an engine with or without our module."""
    engine = create_async_engine(url, **({"module": module} if module else {}))
    answers: list[Any] = []
    async with engine.begin() as conn:
        for statement in STATEMENTS:
            await conn.execute(text(statement))
        rows = await conn.execute(text("SELECT id, name, n FROM t WHERE n >= :n ORDER BY id"), {"n": 2})
        answers.append((list(rows.keys()), [tuple(r) for r in rows]))
        changed = await conn.execute(text("UPDATE t SET n = n + 10 WHERE n < 3"))
        answers.append(changed.rowcount)
        added = await conn.execute(text("INSERT INTO t (name, n) VALUES ('d', 4)"))
        answers.append(added.lastrowid)
        many = await conn.execute(text("INSERT INTO t (name, n) VALUES (:name, :n)"), [
            {"name": "e", "n": 5}, {"name": "f", "n": 6}
        ])  # fmt: skip
        answers.append(many.rowcount)
        answers.append((await conn.execute(text("SELECT count(*), sum(n) FROM t"))).one())
        answers.append((await conn.execute(text("SELECT name FROM t WHERE n > 100"))).all())
    await engine.dispose()
    return answers


async def test_same_answers_as_the_stock_adaptation(tmp_path: Path) -> None:
    from integrity.db.sqlite_driver import one_trip_module

    stock = await _answers(f"sqlite+aiosqlite:///{tmp_path}/stock.db")
    ours = await _answers(f"sqlite+aiosqlite:///{tmp_path}/ours.db", one_trip_module())
    assert ours == stock
    assert stock[0] == (["id", "name", "n"], [(2, "b", 2), (3, "c", 3)])  # the script ran as written


async def test_one_trip_per_statement_and_none_for_an_idle_rollback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/trips.db")
    trips: list[str] = []
    import aiosqlite

    queued = aiosqlite.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await queued(self, fn, *args, **kwargs)

    async with db.write_session() as session:  # opens the connections before counting
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
        await session.commit()
    async with db.read_session() as session:
        await session.execute(text("SELECT 1"))
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with db.read_session() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    # BEGIN with the select, and the rollback that ends the read; the pool's reset finds no transaction.
    assert trips == ["_run", "rollback"]
    trips.clear()
    async with db.write_session() as session:
        await session.execute(text("INSERT INTO t (n) VALUES (1)"))
        await session.commit()
    assert trips == ["_run", "commit"]  # BEGIN IMMEDIATE with the insert, the commit
    trips.clear()
    async with db.write_session() as session:  # begun, nothing run: no trip at all
        await session.connection()
        await session.commit()
    assert trips == []
    await db.dispose()


async def test_errors_are_the_drivers_and_leave_the_connection_usable(tmp_path: Path) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/errors.db")
    async with db.write_session() as session:
        await session.execute(text(STATEMENTS[0]))
        await session.execute(text(STATEMENTS[1]))
        await session.commit()
    async with db.write_session() as session:
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO t (name, n) VALUES ('a', 9)"))
        await session.rollback()
        await session.execute(text("INSERT INTO t (name, n) VALUES ('z', 9)"))
        await session.commit()
    async with db.read_session() as session:
        names = (await session.execute(text("SELECT name FROM t ORDER BY name"))).scalars().all()
    assert names == ["a", "b", "c", "z"]
    await db.dispose()


async def test_writers_of_one_process_take_turns_in_order(tmp_path: Path) -> None:
    """Twenty writers at once, each reading the last number and writing the next: no "database is
    locked", no number twice, and the writer connection is the only one that writes."""
    db: Database = create_database(f"sqlite+aiosqlite:///{tmp_path}/turns.db")
    assert db.writer is not None
    assert db.writer is not db.engine
    async with db.write_session() as session:
        await session.execute(text("CREATE TABLE seqs (n INTEGER PRIMARY KEY)"))
        await session.execute(text("INSERT INTO seqs VALUES (0)"))
        await session.commit()

    async def next_number() -> None:
        async with db.write_session() as session:
            last = (await session.execute(text("SELECT max(n) FROM seqs"))).scalar_one()
            await asyncio.sleep(0)  # let the others run between the read and the write
            await session.execute(text("INSERT INTO seqs VALUES (:n)"), {"n": last + 1})
            await session.commit()

    await asyncio.gather(*(next_number() for _ in range(20)))
    async with db.read_session() as session:
        numbers = (await session.execute(text("SELECT n FROM seqs ORDER BY n"))).scalars().all()
    assert numbers == list(range(21))
    assert db.writer.pool.size() == 1  # type: ignore[attr-defined]
    await db.dispose()


async def test_writers_of_two_processes_still_exclude_each_other(tmp_path: Path) -> None:
    """Two engines on one file (a server and the command line): the write lock taken with the first
    statement's read keeps read-then-write whole."""
    url = f"sqlite+aiosqlite:///{tmp_path}/two.db"
    first, second = create_database(url), create_database(url)
    async with first.write_session() as session:
        await session.execute(text("CREATE TABLE seqs (n INTEGER PRIMARY KEY)"))
        await session.execute(text("INSERT INTO seqs VALUES (0)"))
        await session.commit()

    async def next_number(db: Database) -> None:
        async with db.write_session() as session:
            last = (await session.execute(text("SELECT max(n) FROM seqs"))).scalar_one()
            await asyncio.sleep(0.01)  # the other engine tries meanwhile
            await session.execute(text("INSERT INTO seqs VALUES (:n)"), {"n": last + 1})
            await session.commit()

    await asyncio.gather(*(next_number(db) for _ in range(5) for db in (first, second)))
    async with first.read_session() as session:
        numbers = (await session.execute(text("SELECT n FROM seqs ORDER BY n"))).scalars().all()
    assert numbers == list(range(11))
    await first.dispose()
    await second.dispose()


def test_the_engine_uses_it(tmp_path: Path) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/unused.db")
    assert db.engine.dialect.dbapi is not None
    assert db.engine.dialect.dbapi.connect.__qualname__.startswith("OneTripDbapi")
    assert OneTripConnection._cursor_cls.__name__ == "OneTripCursor"
