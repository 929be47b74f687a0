"""What the command groups share: settings, a database for one command, lookups by code and name."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings, get_settings
from integrity.db.engine import Database, create_database
from integrity.db.models import Unit, User

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run async work against the configured database and close it afterwards."""
    settings = settings_or_exit()

    async def main() -> T:
        db = create_database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def in_write_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction, committed only if `work` succeeds; domain errors become clean messages."""
    from integrity.lib.errors import DomainError

    async def go(db: Database) -> T:
        async with db.write_session() as session:
            try:
                result = await work(session)
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            await session.commit()
            return result

    return run_with_db(go)


async def unit_by_code(session: AsyncSession, code: str) -> Unit:
    unit: Unit | None = (
        await session.execute(select(Unit).where(col(Unit.code) == code))
    ).scalar_one_or_none()
    if unit is None:
        raise click.ClickException(f"no unit with code {code!r}")
    return unit


async def user_by_name(session: AsyncSession, username: str) -> User:
    from integrity.domain.users.services import find_user

    user = await find_user(session, username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user
