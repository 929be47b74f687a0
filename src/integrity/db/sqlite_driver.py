"""SQLAlchemy's aiosqlite adaptation with one trip to the connection's thread per statement.

The stock adaptation makes four (open a cursor, execute, fetch, close), one more for the BEGIN the engine
sends first, and a rollback when a connection goes back to the pool even with no transaction open. Each
trip waits for the event loop's turn, so under a burst of requests a write transaction held SQLite's one
write lock across fifteen turns of a busy loop (a sign-in: begin, update, the audit chain's head and
insert, commit). Here a statement is one call on the thread that runs execute, fetchall and close
together, and a BEGIN travels with the statement after it; the rest is SQLAlchemy's and aiosqlite's.
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
BEGINS = frozenset({"BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"})


def _run(
    connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool
) -> tuple[Outcome, list[Any]]:
    """On the connection's thread: the transaction's BEGIN if still due, then the statement; its rows
    and what the cursor says, cursor closed."""
    if begin is not None:
        connection.execute(begin)
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
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        async with adapted._execute_mutex:
            begin, adapted._begin = adapted._begin, None
            # aiosqlite's own queue to its thread (SQLAlchemy's adaptation uses it the same way).
            run = connection._execute(_run, connection._conn, begin, operation, parameters, many)  # type: ignore[no-untyped-call]
            self._outcome, rows = await run
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        if not parameters and operation in BEGINS:
            # The transaction begins with its first statement, in the same call: nothing can run on this
            # connection between the two, and a transaction that runs no statement costs no call at all.
            self._adapt_connection._begin = operation  # type: ignore[attr-defined]
            self._outcome, self._rows = (None, -1, None), collections.deque()
            return
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
    """Statements through `OneTripCursor`; a BEGIN waits for the first statement; a commit or rollback
    with no transaction open stays on this side."""

    __slots__ = ("_begin",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any):
        super().__init__(dbapi, connection)
        self._begin: str | None = None  # a BEGIN not yet sent: it goes with the next statement

    def rollback(self) -> None:
        self._begin = None
        driver = self._connection
        if driver._connection and driver.in_transaction:
            super().rollback()

    def commit(self) -> None:
        if self._begin is not None:  # begun, but no statement ran: nothing to commit
            self._begin = None
            return
        super().commit()

    def close(self) -> None:
        self._begin = None
        super().close()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module the engine is given (`create_async_engine(..., module=...)`)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy does: a forgotten connection must not hang exit
        return OneTripConnection(self, await_(connection))


def one_trip_module() -> OneTripDbapi:
    return OneTripDbapi(aiosqlite, sqlite3)
