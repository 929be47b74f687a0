"""The reader's side: their notifications (through the case rule again), read marks, preferences."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.engine import upsert_insert
from integrity.db.models import Notification, NotificationPreference, User
from integrity.db.types import utcnow
from integrity.domain.cases.visibility import case_visible
from integrity.domain.notifications.outbox import emit
from integrity.domain.notifications.types import BY_CODE, CHOSEN, MODES
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import InvalidInput
from integrity.lib.i18n import N_

COUNT_CAP = 100  # the bell says 99+ beyond this
UNREAD_SHOWN = 200
READ_SHOWN = 50


def mine(access: AccessScope) -> ColumnElement[bool]:
    """The user's own entries whose case they may still see (a recusal or a declared relation since
    the entry was made hides it, as it hides the case)."""
    case = col(Notification.case_id)
    return and_(
        col(Notification.user_id) == access.principal.user_id,
        or_(case.is_(None), case_visible(access, case)),
    )


async def unread_count(session: AsyncSession, access: AccessScope) -> int:
    unread = (
        select(col(Notification.id)).where(mine(access), col(Notification.read_at).is_(None)).limit(COUNT_CAP)
    )
    return int((await session.execute(select(func.count()).select_from(unread.subquery()))).scalar_one())


async def listing(
    session: AsyncSession, access: AccessScope
) -> tuple[list[Notification], list[Notification]]:
    """Unread (newest first), then the latest read ones."""
    base = select(Notification).where(mine(access)).order_by(col(Notification.id).desc())
    unread = (
        await session.execute(base.where(col(Notification.read_at).is_(None)).limit(UNREAD_SHOWN))
    ).scalars()
    read = (
        await session.execute(base.where(col(Notification.read_at).is_not(None)).limit(READ_SHOWN))
    ).scalars()
    return list(unread), list(read)


async def mark_read(session: AsyncSession, access: AccessScope, actor: Actor, ids: list[int] | None) -> int:
    """Mark the user's own entries read (`None`: all of them); audited as one event."""
    where = [col(Notification.user_id) == access.principal.user_id, col(Notification.read_at).is_(None)]
    if ids is not None:
        where.append(col(Notification.id).in_(ids))
    changed = await session.execute(
        update(Notification)
        .where(*where)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = int(changed.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        await record(
            session,
            actor,
            AuditEntry(
                "notification.read",
                "user",
                access.principal.user_id,
                access.principal.unit_id,
                after={"count": count},
            ),
        )
    return count


async def preferences(session: AsyncSession, user_id: int) -> dict[str, str]:
    """Every type the user may choose for, with their choice or its default."""
    rows = await session.execute(
        select(col(NotificationPreference.type), col(NotificationPreference.mode)).where(
            col(NotificationPreference.user_id) == user_id
        )
    )
    chosen = dict(rows.all())
    return {t.code: chosen.get(t.code, t.default) for t in CHOSEN}


async def save_preferences(
    session: AsyncSession, access: AccessScope, actor: Actor, modes: dict[str, str], email: str
) -> None:
    """Store the user's choices and email address; audited with what changed."""
    user_id = access.principal.user_id
    for code, mode in modes.items():
        if code not in BY_CODE or not BY_CODE[code].chosen:
            raise InvalidInput(N_("No such kind of notification."))
        if mode not in MODES:
            raise InvalidInput(N_("Choose how you want to hear of it."))
    address = email.strip()
    if address and (len(address) > 254 or "@" not in address[1:-1] or any(c.isspace() for c in address)):
        raise InvalidInput(N_("This does not look like an email address."))
    user = await session.get(User, user_id)
    assert user is not None
    before = {"email": user.email, **await preferences(session, user_id)}
    insert = upsert_insert(session)
    for code, mode in modes.items():
        statement = insert(NotificationPreference).values(user_id=user_id, type=code, mode=mode)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "type"], set_={"mode": statement.excluded.mode}
            )
        )
    user.email = address
    session.add(user)
    await session.flush()
    after = {"email": address, **await preferences(session, user_id)}
    await record(
        session, actor, AuditEntry("notification.settings", "user", user_id, user.unit_id, before, after)
    )


async def send_test(session: AsyncSession, access: AccessScope, actor: Actor) -> None:
    """A test message to oneself, through the outbox like any other (so email is tried too)."""
    p = access.principal
    await emit(session, "system.test", "user", p.user_id, unit_id=p.unit_id, actor_id=p.user_id)
    await record(session, actor, AuditEntry("notification.test", "user", p.user_id, p.unit_id))
