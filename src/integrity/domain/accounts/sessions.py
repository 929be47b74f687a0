"""Server-side browser sessions: a fresh id at every login, idle and absolute timeouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from litestar import Response
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from ua_parser import parse

from integrity.config import Settings
from integrity.db.models import User, UserSession
from integrity.db.types import utcnow
from integrity.lib.security.tokens import keyed_hash, new_secret

# last_seen_at is written at most this often, so reads do not turn into writes.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class NewSession:
    cookie_value: str
    row: UserSession


def session_id_for(settings: Settings, cookie_value: str) -> str:
    return keyed_hash(settings.secret_key, cookie_value)


async def start_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    client_addr: str,
    user_agent: str,
    previous_cookie: str | None,
    stage: str = "full",
) -> NewSession:
    """Create a new session (and drop the one the browser came with: no fixation)."""
    if previous_cookie:
        await session.execute(
            delete(UserSession).where(UserSession.id == session_id_for(settings, previous_cookie))  # type: ignore[arg-type]
        )
    cookie_value = new_secret(32)
    now = utcnow()
    assert user.id is not None
    row = UserSession(
        id=session_id_for(settings, cookie_value),
        user_id=user.id,
        csrf_token=new_secret(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        client_addr=client_addr[:64],
        user_agent=user_agent[:300],
        stage=stage,
    )
    session.add(row)
    return NewSession(cookie_value, row)


def is_expired(settings: Settings, expires_at: datetime, last_seen_at: datetime) -> bool:
    """Past its absolute end, or idle for longer than the idle limit."""
    now = utcnow()
    return now >= expires_at or now >= last_seen_at + timedelta(minutes=settings.session_idle_minutes)


async def end_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == session_id))  # type: ignore[arg-type]


async def end_all_sessions(session: AsyncSession, user_id: int) -> int:
    """End every session of a user (on disabling); returns how many there were."""
    return await end_sessions(session, user_id)


@dataclass(frozen=True)
class SessionShown:
    """A session as its owner (or an administrator) sees it: never its id, a short handle instead."""

    handle: str
    device: str
    client_addr: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


HANDLE_LENGTH = 12


@lru_cache(maxsize=512)
def device_of(user_agent: str) -> str:
    """'Chrome · Windows' from a User-Agent header (ua-parser's regexes; empty when unknown)."""
    found = parse(user_agent)
    parts = [
        found.user_agent.family if found.user_agent else "",
        found.os.family if found.os else "",
    ]
    return " · ".join(p for p in parts if p and p != "Other")


async def sessions_of(session: AsyncSession, user_id: int, current_id: str | None) -> list[SessionShown]:
    """The user's live sessions, the one asking first, then the most recently seen."""
    rows = (
        (await session.execute(select(UserSession).where(col(UserSession.user_id) == user_id)))
        .scalars()
        .all()
    )
    shown = [
        SessionShown(
            r.id[:HANDLE_LENGTH],
            device_of(r.user_agent),
            r.client_addr,
            r.created_at,
            r.last_seen_at,
            r.id == current_id,
        )
        for r in rows
        if r.stage == "full"
    ]
    return sorted(shown, key=lambda s: (not s.current, -s.last_seen_at.timestamp()))


async def end_sessions(
    session: AsyncSession, user_id: int, *, handle: str | None = None, keep: str | None = None
) -> int:
    """End one session of the user (by handle) or all but `keep`; how many ended."""
    stmt = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if handle is not None:
        if len(handle) != HANDLE_LENGTH:
            return 0
        stmt = stmt.where(col(UserSession.id).startswith(handle, autoescape=True))
    if keep is not None:
        stmt = stmt.where(col(UserSession.id) != keep)
    return int((await session.execute(stmt)).rowcount or 0)  # type: ignore[attr-defined]


def set_session_cookie(response: Response[Any], settings: Settings, cookie_value: str) -> None:
    """The browser's session cookie, however the sign-in went (password or single sign-on)."""
    response.set_cookie(
        key=settings.session_cookie,
        value=cookie_value,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )
