"""One kind of work on a to-do list: who has it, its query in due order, and how its rows read;
the statements built once per user shape (building the visibility rule costs more than running it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import Unit
from integrity.domain.cases import clocks
from integrity.domain.work.rows import COUNT_CAP, WorkRow
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import local_name

Found = Sequence[Any]  # the rows of a source's query
Params = dict[str, Any]  # the values a source's cached statement is run with (the user's team)
# The cases the user works on, as a list of ids read first: given as a list, both engines look each up
# by index, where `IN (subquery)` let PostgreSQL merge-join every running clock against it.
TEAM: Any = bindparam("team", expanding=True)
Query = Any  # a select of rows in due order (its column types differ per source)
# The unit a row concerns, for its name; an alias, so that the visibility rule's own `units`
# subqueries never correlate to it.
Place = aliased(Unit)


def place_name(unit: Any) -> str:
    """A unit's name in the reader's language (a Unit, or a row with `name` and `name_en`)."""
    return local_name(unit.name, unit.name_en)


# A row's unit, as plain columns (lists read columns, not ORM objects: no identity-map cost per row).
PLACE: tuple[Any, ...] = (col(Place.name).label("name"), col(Place.name_en).label("name_en"))


@dataclass(frozen=True)
class Source:
    """One kind of work: who has it, the query of its rows in due order, and how a row reads."""

    kind: str
    applies: Callable[[AccessScope], bool]
    query: Callable[[AccessScope], Query]
    present: Callable[[AsyncSession, AccessScope, Sequence[Any]], Awaitable[list[WorkRow]]]
    # How the first rows are read when the query's own ORDER BY will not do (approvals walk two indexes).
    fetch: Callable[[AsyncSession, Query, int], Awaitable[Sequence[Any]]] | None = None
    # Whether the user has any row of their own of this kind at all, before any visibility rule: one
    # cheap index probe that spares the full query when there is nothing (None: always ask).
    mine: Callable[[AccessScope], ColumnElement[bool]] | None = None
    # The query starts from the user's own rows (their team, their items): it counts them all in the
    # same statement (a window count) instead of a second one; only approvals count apart, capped.
    counts_inline: bool = True
    # Its rows are the user's team's (read with the probe): no team, nothing to ask.
    team_only: bool = False

    def statements(self, access: AccessScope) -> tuple[Query, Query]:
        """The rows query and its capped count, built once per user shape and day (building the
        visibility rule costs more than running it; the SQL reads relations and recusals itself)."""

        def build() -> tuple[Query, Query]:
            query = self.query(access)
            if self.counts_inline:
                query = query.add_columns(func.count().over().label("total"))
            capped = query.order_by(None).limit(COUNT_CAP).subquery()
            return query, select(func.count()).select_from(capped)

        built: tuple[Query, Query] = remembered((self.kind, access.shape(), clocks.local_today()), build)
        return built

    async def rows(
        self, session: AsyncSession, access: AccessScope, limit: int, params: Params
    ) -> tuple[list[WorkRow], int]:
        """The first `limit` rows, and how many there are (exact below COUNT_CAP)."""
        query, _count = self.statements(access)
        if self.fetch is not None:
            found = await self.fetch(session, query, limit)
        else:
            found = (await session.execute(query.limit(limit), params)).all()
        if not found:
            return [], 0
        if self.counts_inline:
            total = int(found[0].total)
        else:
            total = len(found) if len(found) < limit else await self.count(session, access, params)
        return await self.present(session, access, found), min(total, COUNT_CAP)

    async def count(self, session: AsyncSession, access: AccessScope, params: Params) -> int:
        _query, count = self.statements(access)
        return int((await session.execute(count, params)).scalar_one())


_BUILT: dict[tuple[object, ...], Any] = {}
_BUILT_MAX = 4096


def remembered(key: tuple[object, ...], build: Callable[[], Any]) -> Any:
    """A statement built once per key (a user's shape, and the day where it matters), kept while fewer
    than _BUILT_MAX are: building the visibility rule costs more than running it."""
    if key not in _BUILT:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        _BUILT[key] = build()
    return _BUILT[key]


def me(access: AccessScope) -> int:
    return access.principal.user_id
