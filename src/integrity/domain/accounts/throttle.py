"""Slowing down repeated failed logins, per username and per client address, across workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import LoginThrottle
from integrity.db.types import utcnow
from integrity.lib.security.tokens import keyed_hash

# Failures older than this are forgotten rather than counted forever.
_FORGET_AFTER = timedelta(hours=1)


def throttle_keys(settings: Settings, username: str, client: str) -> list[str]:
    """Hashed keys, so the table never lists which usernames were tried."""
    return [
        "u:" + keyed_hash(settings.secret_key, username.strip().lower())[:60],
        "a:" + keyed_hash(settings.secret_key, client)[:60],
    ]


async def seconds_locked(session: AsyncSession, keys: list[str]) -> int:
    """How long the caller must still wait (0 when free to try)."""
    now = utcnow()
    rows = (
        await session.execute(select(col(LoginThrottle.locked_until)).where(col(LoginThrottle.key).in_(keys)))
    ).scalars()
    waits = [int((until - now).total_seconds()) + 1 for until in rows if until and until > now]
    return max(waits, default=0)


# An office behind one NAT address shares the address key: it tolerates more failures.
ADDRESS_FACTOR = 4


def _lockout(settings: Settings, key: str, failures: int, now: datetime) -> datetime | None:
    free = settings.login_free_failures * (ADDRESS_FACTOR if key.startswith("a:") else 1)
    over = failures - free
    if over < 0:
        return None
    return now + timedelta(seconds=min(2**over, settings.login_max_lockout_seconds))


async def note_failure(session: AsyncSession, settings: Settings, keys: list[str]) -> None:
    now = utcnow()
    for key in keys:
        row = await session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
        elif now - row.updated_at > _FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.updated_at = now
        row.locked_until = _lockout(settings, key, row.failures, now)
        session.add(row)


async def note_success(session: AsyncSession, keys: list[str]) -> None:
    await session.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == keys[0]))
