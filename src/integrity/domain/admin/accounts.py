"""What an administrator does to an account's sign-in beyond its fields: reset its second factor."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.domain.accounts.second_factor import forget
from integrity.domain.accounts.sessions import end_all_sessions
from integrity.domain.notifications.outbox import emit
from integrity.domain.users.services import visible_user
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict
from integrity.lib.i18n import N_


async def reset_second_factor(
    session: AsyncSession, actor: Actor, user_id: int, *, access: AccessScope | None
) -> None:
    """Turn a user's second factor off (a lost phone, no recovery code left): their sessions end, they
    set it up again at the next sign-in if their role requires it, and they are told."""
    user = await visible_user(session, access, user_id, "update")
    if user.totp_enabled_at is None:
        raise Conflict(N_("This user has no second factor to reset."))
    await forget(session, user)
    ended = await end_all_sessions(session, user_id)
    await emit(
        session, "account.second_factor_reset", "user", user_id, unit_id=user.unit_id, actor_id=actor.user_id
    )
    entry = AuditEntry(
        "user.second_factor_reset", "user", user_id, user.unit_id, extra={"sessions_ended": ended}
    )
    await record(session, actor, entry)
