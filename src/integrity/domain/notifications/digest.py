"""The daily digest: once a day, after the configured hour, one email per user with what they chose to
hear that way. The delivery's key (user, day) is unique, so two workers never make two digests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.engine import upsert_insert
from integrity.db.models import Delivery, Notification, User
from integrity.db.types import utcnow
from integrity.domain.notifications.types import DIGEST


async def plan(session: AsyncSession, day: date) -> int:
    """Gather each user's waiting digest entries into one delivery for `day` (the caller commits)."""
    waiting = (
        await session.execute(
            select(col(User.id), col(User.email)).where(
                col(User.id).in_(
                    select(col(Notification.user_id)).where(
                        col(Notification.mode) == DIGEST, col(Notification.digest_id).is_(None)
                    )
                ),
                col(User.email) != "",
                col(User.is_active).is_(True),
            )
        )
    ).all()
    insert = upsert_insert(session)
    made = 0
    now = utcnow()
    for user_id, address in waiting:
        created = await session.execute(
            insert(Delivery)
            .values(
                channel="digest",
                user_id=user_id,
                target=address,
                dedupe_key=f"digest:{user_id}:{day.isoformat()}",
                next_attempt_at=now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(col(Delivery.id))
        )
        digest_id = created.scalar_one_or_none()
        if digest_id is None:
            continue  # today's digest was made already: these wait for tomorrow's
        await session.execute(
            update(Notification)
            .where(
                col(Notification.user_id) == user_id,
                col(Notification.mode) == DIGEST,
                col(Notification.digest_id).is_(None),
            )
            .values(digest_id=digest_id)
            .execution_options(synchronize_session=False)
        )
        made += 1
    return made
