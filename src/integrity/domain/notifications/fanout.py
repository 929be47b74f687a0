"""From the outbox to each recipient: entries in the app, and the emails and webhook posts to send.

One transaction per batch: the events are locked (SKIP LOCKED on PostgreSQL, so several workers share
the queue; SQLite has one writer at a time), their recipients screened, their entries and deliveries
written and the events marked done together. A crash before the commit leaves the events to the next run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.models import (
    ApprovalRequest,
    Case,
    Delivery,
    Notification,
    NotificationEvent,
    NotificationPreference,
    Unit,
    User,
    Webhook,
)
from integrity.db.types import utcnow
from integrity.domain.approvals.registry import KINDS
from integrity.domain.notifications.audience import Batch, candidates
from integrity.domain.notifications.screen import Candidate, screen
from integrity.domain.notifications.text import what_of
from integrity.domain.notifications.types import ALWAYS_EMAIL, BY_CODE, IMMEDIATE, REMINDERS
from integrity.lib.authz import Authorizer
from integrity.lib.workdays import WorkCalendar

BATCH = 500  # events per transaction: short, so web writes wait little behind the worker (SQLite)


def _href(e: NotificationEvent, approvals: dict[int, str]) -> str:
    if e.object_type == "approval":
        return approvals.get(e.object_id, "/approvals")
    return {
        "case": f"/cases/{e.object_id}",
        "rectification": f"/rectification/items/{e.object_id}",
        "decision": f"/decisions/{e.object_id}",
        "education": f"/education/{e.object_id}",
        "unit": f"/org/{e.object_id}",  # a unit's education plan
        "user": "/account/notifications",  # a message about one's own account (a test message)
        "report": "/statistics/reports",  # a scheduled ledger: the subscriber's reports, newest first
    }.get(e.object_type, "/notifications")


async def _approval_hrefs(session: AsyncSession, requests: dict[int, ApprovalRequest]) -> dict[int, str]:
    """Where each request is decided (or its result read): the page its kind names."""
    hrefs: dict[int, str] = {}
    by_kind: dict[str, list[ApprovalRequest]] = defaultdict(list)
    for r in requests.values():
        if r.kind in KINDS:
            by_kind[r.kind].append(r)
    for kind, rows in by_kind.items():
        hrefs.update({rid: line.href for rid, line in (await KINDS[kind].describe(session, rows)).items()})
    return hrefs


async def _cases(session: AsyncSession, case_ids: set[int]) -> dict[int, tuple[str, str, bool]]:
    if not case_ids:
        return {}
    rows = await session.execute(
        select(col(Case.id), col(Case.number), col(Case.title), col(Case.confidential)).where(
            col(Case.id).in_(case_ids)
        )
    )
    return {cid or 0: (number, title, bool(secret)) for cid, number, title, secret in rows}


def _params(
    e: NotificationEvent,
    batch: Batch,
    cases: dict[int, tuple[str, str, bool]],
    days_left: dict[date, int],
) -> dict[str, Any]:
    """What every channel renders from, in any language: codes and facts, no words."""
    own: dict[str, Any] = json.loads(e.params)
    number, title, secret = cases.get(e.case_id or 0, ("", "", False))
    item = batch.items.get(e.object_id) if e.object_type == "rectification" else None
    if item is not None:
        title = item.requirement[:120]
    if e.object_type == "education":
        title = batch.titles.get(e.object_id, "")
    if e.object_type == "report":  # a scheduled ledger: which ledger, unit and period
        title = str(own.get("title", ""))
    if e.object_type == "unit":  # the unit's plan of a year
        title = f"{batch.unit_names.get(e.object_id, '')} {own.get('year', '')}".strip()
    params: dict[str, Any] = {
        "number": number,
        "title": title,
        "confidential": secret,
        "what": what_of(e.type, e.object_type, e.clock, own),
        "reason": own.get("reason", ""),
    }
    if e.due_on is not None:
        params["due_on"] = e.due_on.isoformat()
        params["days"] = abs(days_left[e.due_on])
    return params


async def _webhooks_for(session: AsyncSession, batch: Batch) -> list[dict[str, Any]]:
    """One webhook delivery per event and active webhook of its unit (or of a unit above, if it covers
    the units below) that carries its type."""
    hooks = (
        await session.execute(
            select(Webhook, Unit)
            .join(Unit, col(Unit.id) == col(Webhook.unit_id))
            .where(col(Webhook.active).is_(True))
        )
    ).all()
    if not hooks:
        return []
    made = []
    for e in batch.events:
        path = batch.paths.get(e.unit_id or 0)  # read once for the batch by the audiences
        if path is None or (e.object_type == "education" and e.type in REMINDERS):
            continue  # one member's reflection owed is not news for the unit's group chat
        for hook, unit in hooks:
            covers = path == unit.path or (hook.include_below and path.startswith(unit.path))
            if covers and e.type in hook.types.split(","):
                made.append(
                    {"channel": "webhook", "event_id": e.id, "webhook_id": hook.id, "target": hook.name}
                )
    return made


async def fan_out(
    session: AsyncSession,
    settings: Settings,
    authorizer: Authorizer,
    calendar: WorkCalendar,
    today: date,
    limit: int = BATCH,
) -> int:
    """Turn up to `limit` waiting events into entries and deliveries (the caller commits); how many."""
    events: list[Any] = list(
        (
            await session.execute(
                select(*NotificationEvent.__table__.columns)  # type: ignore[attr-defined]
                .where(col(NotificationEvent.fanned_out_at).is_(None))
                .order_by(col(NotificationEvent.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    if not events:
        return 0
    batch = Batch(session, authorizer, [e for e in events if e.type in BY_CODE])
    await batch.load()
    kept: list[Candidate] = await screen(session, authorizer, candidates(batch))
    cases = await _cases(session, {e.case_id for e in batch.events if e.case_id is not None})
    hrefs = await _approval_hrefs(session, batch.requests)
    by_id = {e.id: e for e in batch.events}
    links = {e.id: _href(e, hrefs) for e in batch.events}
    days_left = calendar.working_days_to(today, {e.due_on for e in batch.events if e.due_on is not None})
    params = {
        e.id: json.dumps(_params(e, batch, cases, days_left), ensure_ascii=False, sort_keys=True)
        for e in batch.events
    }
    users = {c.user_id for c in kept}
    chosen = await _preferences(session, users)
    emails = await _emails(session, users) if settings.email_enabled else {}
    now = utcnow()
    entries = []
    for c in kept:
        e = by_id[c.event_id]
        mode = chosen.get((c.user_id, e.type), BY_CODE[e.type].default)
        entries.append(
            {
                "event_id": e.id,
                "user_id": c.user_id,
                "type": e.type,
                "case_id": e.case_id,
                "href": links[e.id],
                "params": params[e.id],
                "mode": mode,
                "created_at": now,
            }
        )
    if entries:
        inserted = await session.execute(
            insert(Notification.__table__).returning(  # type: ignore[attr-defined]
                col(Notification.id),
                col(Notification.user_id),
                col(Notification.mode),
                col(Notification.type),
                col(Notification.event_id),
            ),
            entries,
        )
        mails = [
            {
                "channel": "email",
                "notification_id": nid,
                "event_id": eid,
                "user_id": uid,
                "target": emails[uid],
                "next_attempt_at": now,
                "created_at": now,
            }
            for nid, uid, mode, kind, eid in inserted
            if uid in emails and (mode == IMMEDIATE or kind in ALWAYS_EMAIL)
        ]
        if mails:
            await session.execute(insert(Delivery), mails)
    hooks = await _webhooks_for(session, batch)
    if hooks:
        await session.execute(
            insert(Delivery), [h | {"next_attempt_at": now, "created_at": now} for h in hooks]
        )
    await session.execute(
        update(NotificationEvent)
        .where(col(NotificationEvent.id).in_([e.id for e in events]))
        .values(fanned_out_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(events)


async def _preferences(session: AsyncSession, users: set[int]) -> dict[tuple[int, str], str]:
    if not users:
        return {}
    rows = await session.execute(
        select(
            col(NotificationPreference.user_id),
            col(NotificationPreference.type),
            col(NotificationPreference.mode),
        ).where(col(NotificationPreference.user_id).in_(users))
    )
    return {(u, t): m for u, t, m in rows}


async def _emails(session: AsyncSession, users: set[int]) -> dict[int, str]:
    if not users:
        return {}
    rows = await session.execute(
        select(col(User.id), col(User.email)).where(
            col(User.id).in_(users), col(User.email) != "", col(User.is_active).is_(True)
        )
    )
    return {u or 0: e for u, e in rows}
