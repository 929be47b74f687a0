"""Password sign-in: throttled, uniform for unknown names, argon2 off the event loop."""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import User
from integrity.domain.accounts.second_factor import remembered, stage_after
from integrity.domain.accounts.sessions import NewSession, end_session, start_session
from integrity.domain.accounts.throttle import (
    note_failure,
    note_success,
    seconds_locked,
    throttle_keys,
)
from integrity.domain.users.services import find_user
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import DomainError, TooManyAttempts
from integrity.lib.i18n import N_
from integrity.lib.security.passwords import verify_password


class InvalidCredentials(DomainError):
    status, slug, title = 401, "invalid-credentials", "Wrong username or password"


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: NewSession


async def sign_in(
    db: Database,
    settings: Settings,
    *,
    username: str,
    password: str,
    client: str,
    user_agent: str,
    previous_cookie: str | None,
    request_id: str,
    device: str | None = None,
) -> SignedIn:
    """Check a password and open a new session; the same answer whether or not the name exists."""
    keys = throttle_keys(settings, username, client)
    async with db.read_session() as session:
        wait = await seconds_locked(session, keys)
        user = None if wait else await find_user(session, username)
    anonymous = Actor(label="anonymous", request_id=request_id, client_addr=client)
    if wait:
        async with db.write_session() as session:
            await record(
                session,
                anonymous,
                AuditEntry("auth.login", "user", outcome="throttled", extra={"username": username[:64]}),
            )
            await session.commit()
        raise TooManyAttempts(N_("Too many failed sign-ins; wait and try again."), retry_after=wait)
    # Unknown users are checked against a dummy hash: the same work, the same answer.
    matches = await to_thread.run_sync(verify_password, user.password_hash if user else None, password)
    async with db.write_session() as session:
        if not matches or user is None or not user.is_active:
            await note_failure(session, settings, keys)
            await record(
                session,
                anonymous,
                AuditEntry(
                    "auth.login",
                    "user",
                    (user.id or "") if user else "",
                    user.unit_id if user else None,
                    outcome="denied",
                    extra={"username": username[:64]},
                ),
            )
            await session.commit()
            raise InvalidCredentials()
        await note_success(session, keys)
        new = await open_session(
            session,
            settings,
            user,
            Visit(client, user_agent, previous_cookie, request_id, device),
            {"via": "password"},
        )
        await session.commit()
    return SignedIn(user, new)


@dataclass(frozen=True)
class Visit:
    """Where a sign-in comes from."""

    client: str
    user_agent: str
    previous_cookie: str | None
    request_id: str
    device: str | None = None  # the browser's note that it gave a second factor's code lately


async def open_session(
    session: AsyncSession, settings: Settings, user: User, visit: Visit, extra: dict[str, object]
) -> NewSession:
    """A new session for a user whose first step (password, or single sign-on) passed, at the stage of
    the steps still owed; the sign-in is an audit event."""
    known_device = remembered(settings, user, visit.device)
    if known_device:
        extra = {**extra, "second_factor": "remembered_device"}
    new = await start_session(
        session,
        settings,
        user,
        client_addr=visit.client,
        user_agent=visit.user_agent,
        previous_cookie=visit.previous_cookie,
        stage=await stage_after(session, settings, user, second_factor_done=known_device),
    )
    actor = Actor(user.username, user.id, visit.request_id, visit.client)
    await record(session, actor, AuditEntry("auth.login", "user", user.id or "", user.unit_id, extra=extra))
    return new


async def sign_out(db: Database, actor: Actor, session_id: str, unit_id: int) -> None:
    async with db.write_session() as session:
        await end_session(session, session_id)
        await record(session, actor, AuditEntry("auth.logout", "user", actor.user_id or "", unit_id))
        await session.commit()
