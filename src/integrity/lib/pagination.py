"""Keyset pagination: an opaque cursor holding the last id seen, stable under inserts."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import Parameter
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.lib.errors import InvalidInput
from integrity.lib.i18n import N_

T = TypeVar("T")
MAX_LIMIT = 200
# The largest id a record can have on both engines (PostgreSQL's integer columns are 32-bit).
MAX_ID = 2**31 - 1
# An id given as a list filter: a larger number names nothing on either engine, and is refused alike.
QueryId = Annotated[int | None, Parameter(ge=-MAX_ID, le=MAX_ID)]
# A list's page size in the API: documented with its bounds; check_limit says it in words (422).
PageLimit = Annotated[int, Parameter(schema_extra={"minimum": 1, "maximum": MAX_LIMIT})]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next one."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(N_("The cursor is not one this server issued.")) from exc
    if not isinstance(value, int):
        raise InvalidInput(N_("The cursor is not one this server issued."))
    return value


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(N_("limit must be between 1 and %(max)s."), params={"max": MAX_LIMIT})
    return limit


def keyset(
    statement: Select[Any], id_column: Any, cursor: str | None, limit: int, newest_first: bool = False
) -> Select[Any]:
    """Order by id (or by id descending) and start after the cursor; one extra row tells if there is more."""
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(id_column < after if newest_first else id_column > after)
    order = id_column.desc() if newest_first else id_column
    return statement.order_by(order).limit(check_limit(limit) + 1)


def page_of(rows: Sequence[T], limit: int, last_id: Any) -> Page[T]:
    """Cut the extra row off and make the next cursor from the last kept one."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(last_id(items[-1])) if more and items else None)


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    id_column: Any,
    cursor: str | None,
    limit: int,
    newest_first: bool = False,
) -> Page[Any]:
    """Run a list query one keyset page at a time (one query, whatever the page size)."""
    rows = (await session.execute(keyset(statement, id_column, cursor, limit, newest_first))).scalars().all()
    key = id_column.key
    return page_of(rows, limit, lambda row: getattr(row, key))


async def fetch_row_page(
    session: AsyncSession, statement: Select[Any], id_column: Any, cursor: str | None, limit: int
) -> Page[Any]:
    """As `fetch_page`, for a statement of plain columns: rows, not ORM objects (no identity-map cost)."""
    rows = (await session.execute(keyset(statement, id_column, cursor, limit))).all()
    key = id_column.key
    return page_of(rows, limit, lambda row: getattr(row, key))


def encode_sorted_cursor(key: Any, last_id: int) -> str:
    """A cursor for a list sorted by some key: the last row's key (as text) and its id."""
    value = key.isoformat() if hasattr(key, "isoformat") else key
    return (
        base64.urlsafe_b64encode(json.dumps({"key": value, "after": last_id}).encode()).decode().rstrip("=")
    )


def decode_sorted_cursor(cursor: str | None, parse: Any = str) -> tuple[Any, int] | None:
    """The (key, id) a sorted list's cursor holds; `parse` turns the key's text back (date.fromisoformat)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded))
        key, after = parse(body["key"]), body["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(N_("The cursor is not one this server issued.")) from exc
    if not isinstance(after, int) or isinstance(after, bool):
        raise InvalidInput(N_("The cursor is not one this server issued."))
    return key, after


async def fetch_sorted_page(
    session: AsyncSession,
    statement: Select[Any],
    sort: Any,
    id_column: Any,
    cursor: str | None,
    limit: int,
    *,
    descending: bool = False,
    parse: Any = str,
) -> Page[Any]:
    """Keyset pages of rows ordered by (sort, id), both the same direction; the statement selects the
    sort key labelled `sort_key`. Rows whose key is NULL are the caller's to leave out."""
    start = decode_sorted_cursor(cursor, parse)
    if start is not None:
        key, after = start
        if descending:
            statement = statement.where(or_(sort < key, and_(sort == key, id_column < after)))
        else:
            statement = statement.where(or_(sort > key, and_(sort == key, id_column > after)))
    order = (sort.desc(), id_column.desc()) if descending else (sort, id_column)
    rows = (await session.execute(statement.order_by(*order).limit(check_limit(limit) + 1))).all()
    items = list(rows[:limit])
    more = len(rows) > limit and bool(items)
    id_key = id_column.key
    next_cursor = encode_sorted_cursor(items[-1].sort_key, getattr(items[-1], id_key)) if more else None
    return Page(items=items, next_cursor=next_cursor)
