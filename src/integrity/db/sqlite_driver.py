"""SQLAlchemy's aiosqlite adaptation with one trip to the connection's thread per statement.

The stock adaptation makes four (open a cursor, execute, fetch, close), and a rollback when a connection
goes back to the pool even with no transaction open. Each trip waits for the event loop's turn, so under
a burst of requests a write transaction held SQLite's one write lock across fifteen turns of a busy loop
(a sign-in: begin, update, the audit chain's head and insert, commit). Here a statement is one call on
the thread that runs execute, fetchall and close together; the rest is SQLAlchemy's and aiosqlite's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, int, int | None]  # description, rowcount, lastrowid


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Outcome, list[Any]]:
    """On the connection's thread: the statement, its rows and what the cursor says, cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return (cursor.description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute is one call on the connection's thread."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):  # no driver cursor to open
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome: Outcome = (None, -1, None)

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> int:
        return self._outcome[2] or 0

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            # aiosqlite's own queue to its thread (SQLAlchemy's adaptation uses it the same way).
            run = connection._execute(_run, connection._conn, operation, parameters, many)  # type: ignore[no-untyped-call]
            self._outcome, rows = await run
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._call(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._call(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        return None  # closed on the thread already

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Statements through `OneTripCursor`; a rollback with no transaction open stays on this side."""

    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def rollback(self) -> None:
        driver = self._connection
        if driver._connection and driver.in_transaction:
            super().rollback()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module the engine is given (`create_async_engine(..., module=...)`)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy does: a forgotten connection must not hang exit
        return OneTripConnection(self, await_(connection))  # type: ignore[arg-type]


def one_trip_module() -> OneTripDbapi:
    return OneTripDbapi(aiosqlite, sqlite3)
