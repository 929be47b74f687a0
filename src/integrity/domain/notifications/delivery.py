"""Sending what the fan-out queued: claim, send outside any transaction, record how it went.

A claim marks a batch `sending` with a lease in one short transaction (SKIP LOCKED on PostgreSQL, so
racing workers take different rows; SQLite has one writer). A worker that dies mid-batch leaves its rows
to be claimed again once the lease has passed. Failures are retried with growing pauses, then marked
failed with the reason, which administrators see.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import Case, Delivery, Notification, NotificationEvent, User, Webhook
from integrity.db.types import utcnow
from integrity.domain.cases.clocks import local_today, work_calendar
from integrity.domain.notifications import email, webhook
from integrity.domain.notifications.text import CHAT, EMAIL, params_of, what_of, words
from integrity.lib.i18n import current_locale, gettext

PENDING, SENDING, SENT, RETRYING, FAILED = "pending", "sending", "sent", "retrying", "failed"
STATUSES = (PENDING, SENDING, SENT, RETRYING, FAILED)
# Pauses before each retry; after the last, the delivery is marked failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
LEASE = timedelta(minutes=5)
AT_ONCE = 8  # sends in flight per worker


@dataclass
class Outcome:
    delivery_id: int
    error: str = ""


async def claim(db: Database, limit: int, now: datetime) -> list[int]:
    """Take up to `limit` deliveries that are due: mark them sending, with a lease."""
    claimable = or_(
        col(Delivery.status).in_((PENDING, RETRYING)),
        and_(col(Delivery.status) == SENDING, col(Delivery.claimed_until) < now),  # an abandoned claim
    )
    async with db.write_session() as session:
        ids: list[int] = [
            i
            for i in (
                await session.execute(
                    select(col(Delivery.id))
                    .where(claimable, col(Delivery.next_attempt_at) <= now)
                    .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
            if i is not None
        ]
        if ids:
            await session.execute(
                update(Delivery)
                .where(col(Delivery.id).in_(ids))
                .values(status=SENDING, claimed_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
        await session.commit()
    return ids


async def _send_one(db: Database, settings: Settings, delivery_id: int) -> Outcome:
    try:
        async with db.read_session() as session:
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            if delivery.channel == "webhook":
                url, flavour, payload = await _webhook_message(session, settings, delivery)
                message = None
            else:
                message = await _email_message(session, settings, delivery)
        if message is not None:
            if not settings.email_enabled:
                return Outcome(delivery_id, "email is not configured (INTEGRITY_SMTP_HOST)")
            await email.send(settings, message)
        else:
            await webhook.post(settings, url, webhook.body(flavour, *payload))
    except webhook.Refused as exc:
        return Outcome(delivery_id, str(exc))
    except Exception as exc:
        return Outcome(delivery_id, f"{type(exc).__name__}: {exc}"[:300])
    return Outcome(delivery_id)


async def _email_message(session: Any, settings: Settings, delivery: Delivery) -> Any:
    user = await session.get(User, delivery.user_id)
    assert user is not None
    if delivery.channel == "digest":
        rows = (
            (
                await session.execute(
                    select(Notification)
                    .where(col(Notification.digest_id) == delivery.id)
                    .order_by(col(Notification.id))
                )
            )
            .scalars()
            .all()
        )
    else:
        rows = [await session.get(Notification, delivery.notification_id)]
    token = current_locale.set(user.locale)
    try:
        lines = []
        for n in rows:
            w = words(n.type, params_of(n.params), EMAIL)
            lines.append(email.Line(w.headline, w.about, w.detail, w.due_on, f"{settings.base_url}{n.href}"))
        if delivery.channel == "digest":
            subject = gettext("Integrity: your daily digest (%(count)d)") % {"count": len(lines)}
        else:
            subject = gettext("Integrity: %(what)s") % {"what": lines[0].headline}
    finally:
        current_locale.reset(token)
    return email.compose(settings, delivery.target, user.locale, subject, lines, f"delivery-{delivery.id}")


async def _webhook_message(
    session: Any, settings: Settings, delivery: Delivery
) -> tuple[str, str, tuple[str, str, dict[str, Any]]]:
    hook = await session.get(Webhook, delivery.webhook_id)
    event = await session.get(NotificationEvent, delivery.event_id)
    if hook is None or not hook.active or event is None:
        raise webhook.Refused("the webhook was switched off")
    number = ""
    if event.case_id is not None:
        number = (
            await session.execute(select(col(Case.number)).where(col(Case.id) == event.case_id))
        ).scalar_one_or_none() or ""
    what = what_of(event.type, event.object_type, event.clock, params_of(event.params))
    params: dict[str, Any] = {"number": number, "what": what, "due_on": ""}
    if event.due_on is not None:  # days counted when it is sent, as the fan-out counts them for the bell
        calendar = await work_calendar(session)
        params |= {
            "due_on": event.due_on.isoformat(),
            "days": abs(calendar.working_days_between(local_today(), event.due_on)),
        }
    token = current_locale.set(settings.default_locale)
    try:
        w = words(event.type, params, CHAT)
    finally:
        current_locale.reset(token)
    text = " · ".join(p for p in (w.headline, w.about, w.due_on and f"{gettext('Due on')} {w.due_on}") if p)
    facts = {"event": event.type, "case_number": number, "due_on": params["due_on"]}
    return hook.url, hook.flavour, (text, f"{settings.base_url}/", facts)


async def _record(db: Database, outcomes: list[Outcome], now: datetime) -> None:
    async with db.write_session() as session:
        sent = [o.delivery_id for o in outcomes if not o.error]
        if sent:
            await session.execute(
                update(Delivery)
                .where(col(Delivery.id).in_(sent))
                .values(status=SENT, sent_at=now, claimed_until=None, last_error="")
                .execution_options(synchronize_session=False)
            )
        failed = [o for o in outcomes if o.error]
        if failed:
            attempts = dict(
                (
                    await session.execute(
                        select(col(Delivery.id), col(Delivery.attempts)).where(
                            col(Delivery.id).in_([o.delivery_id for o in failed])
                        )
                    )
                ).all()
            )
            rows = []
            for o in failed:
                tried = attempts[o.delivery_id] + 1
                last = tried > len(BACKOFF)
                rows.append(
                    {
                        "id": o.delivery_id,
                        "status": FAILED if last else RETRYING,
                        "attempts": tried,
                        "last_error": o.error[:500],
                        "next_attempt_at": now if last else now + BACKOFF[tried - 1],
                        "claimed_until": None,
                    }
                )
            await session.execute(update(Delivery), rows)  # by primary key, one statement for the batch
        await session.commit()


async def deliver(db: Database, settings: Settings, limit: int = 100, now: datetime | None = None) -> int:
    """Send one batch of what is due; how many were tried."""
    now = now or utcnow()
    ids = await claim(db, limit, now)
    if not ids:
        return 0
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(delivery_id: int) -> Outcome:
        async with gate:
            return await _send_one(db, settings, delivery_id)

    outcomes = await asyncio.gather(*(one(i) for i in ids))
    await _record(db, list(outcomes), utcnow())
    return len(ids)
