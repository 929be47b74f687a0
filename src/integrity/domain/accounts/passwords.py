"""Changing one's own password, and an administrator's reset to a temporary one."""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import User, UserSession
from integrity.db.types import utcnow
from integrity.domain.accounts.second_factor import stage_after
from integrity.domain.accounts.sessions import end_all_sessions, end_sessions
from integrity.domain.accounts.throttle import note_failure, note_success, seconds_locked, throttle_keys
from integrity.domain.users.services import visible_user
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import DomainError, InvalidInput, NotFound, TooManyAttempts
from integrity.lib.i18n import N_
from integrity.lib.security.passwords import hash_password, temporary_password, verify_password, weakness


class WrongCurrentPassword(DomainError):
    status, slug, title = 403, "wrong-password", N_("Wrong password")
    denied = True


def own_words(user: User) -> list[str]:
    """What a password of this account must not be built from."""
    return [user.username, user.display_name, user.email, "integrity", "廉洁"]


@dataclass(frozen=True)
class PasswordChange:
    user_id: int
    session_id: str | None
    current: str
    new: str
    client: str


async def change_own_password(db: Database, settings: Settings, actor: Actor, change: PasswordChange) -> str:
    """Check the current password (throttled like sign-in), set the new one, end every other session;
    the stage this session goes on to (a password reset's sign-in may owe a second factor next)."""
    async with db.read_session() as session:
        user = await session.get(User, change.user_id)
        if user is None:
            raise NotFound(N_("No such user."))
        keys = throttle_keys(settings, user.username, change.client)
        wait = await seconds_locked(session, keys)
    if wait:
        raise TooManyAttempts(N_("Too many failed sign-ins; wait and try again."), retry_after=wait)
    problem = weakness(change.new, own_words(user))
    if problem:
        raise InvalidInput(problem)
    if change.new == change.current:
        raise InvalidInput(N_("The new password must differ from the current one."))
    # argon2 is deliberately slow: off the event loop, and outside the write transaction.
    if not await to_thread.run_sync(verify_password, user.password_hash, change.current):
        async with db.write_session() as session:
            await note_failure(session, settings, keys)
            await record(
                session,
                actor,
                AuditEntry("user.password", "user", change.user_id, user.unit_id, outcome="denied"),
            )
            await session.commit()
        error = WrongCurrentPassword(N_("The current password is wrong."))
        error.audited = True
        raise error
    new_hash = await to_thread.run_sync(hash_password, change.new)
    async with db.write_session() as session:
        await note_success(session, keys)
        stored = await session.get(User, change.user_id)
        assert stored is not None
        stored.password_hash = new_hash
        stored.must_change_password = False
        stored.password_changed_at = utcnow()
        session.add(stored)
        ended = await end_sessions(session, change.user_id, keep=change.session_id)
        stage = await stage_after(session, settings, stored, second_factor_done=True)
        if change.session_id:
            await session.execute(
                update(UserSession).where(col(UserSession.id) == change.session_id).values(stage=stage)
            )
        await record(
            session,
            actor,
            AuditEntry(
                "user.password", "user", change.user_id, stored.unit_id, extra={"sessions_ended": ended}
            ),
        )
        await session.commit()
    return stage


async def reset_password(
    session: AsyncSession, actor: Actor, user_id: int, *, access: AccessScope | None
) -> str:
    """A temporary password, shown once to the administrator; every session of the user ends, and the
    next sign-in must choose a new password."""
    user = await visible_user(session, access, user_id, "update")
    temporary = temporary_password()
    user.password_hash = await to_thread.run_sync(hash_password, temporary)
    user.must_change_password = True
    session.add(user)
    ended = await end_all_sessions(session, user_id)
    await record(
        session,
        actor,
        AuditEntry("user.password_reset", "user", user_id, user.unit_id, extra={"sessions_ended": ended}),
    )
    return temporary
