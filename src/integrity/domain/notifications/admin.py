"""For administrators: the units' webhooks, and how deliveries went (status and reason, never content)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.config import Settings
from integrity.db.models import Delivery, NotificationEvent, Unit, User, Webhook
from integrity.domain.notifications.delivery import FAILED, RETRYING, STATUSES
from integrity.domain.notifications.types import BY_CODE
from integrity.domain.notifications.webhook import FLAVOURS, check_url
from integrity.domain.org.services import require_in_unit
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import InvalidInput, NotFound, one_of
from integrity.lib.i18n import N_

OBJ, ACT = "notification", "manage"
SHOWN = 100


def masked(url: str) -> str:
    """A webhook's address as shown: its host, not its key (WeCom and DingTalk put the key in the URL)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


@dataclass(frozen=True)
class WebhookIn:
    unit_id: int
    name: str
    url: str
    flavour: str
    types: tuple[str, ...]
    include_below: bool = True


async def webhooks(session: AsyncSession, access: AccessScope) -> list[tuple[Webhook, Unit]]:
    rows = await session.execute(
        select(Webhook, Unit)
        .join(Unit, col(Unit.id) == col(Webhook.unit_id))
        .where(access.unit_filter(OBJ, ACT, col(Unit.path)))
        .order_by(col(Unit.path), col(Webhook.id))
    )
    return [(w, u) for w, u in rows.all()]


async def add_webhook(
    session: AsyncSession, settings: Settings, access: AccessScope, actor: Actor, data: WebhookIn
) -> Webhook:
    unit = await require_in_unit(session, access, data.unit_id, OBJ, ACT)
    name = data.name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(N_("Give the webhook a name of at most 100 characters."))
    if data.flavour not in FLAVOURS:
        raise one_of("flavour", FLAVOURS)
    if len(data.url) > 500:
        raise InvalidInput(N_("A webhook address is at most 500 characters."))
    url = check_url(settings, data.url)
    unknown = [t for t in data.types if t not in BY_CODE or not BY_CODE[t].chosen]
    if unknown or not data.types:
        raise InvalidInput(N_("Choose at least one kind of notification for the webhook."))
    hook = Webhook(
        unit_id=unit.id or 0,
        name=name,
        url=url,
        flavour=data.flavour,
        types=",".join(data.types),
        include_below=data.include_below,
        created_by_id=actor.user_id,
    )
    session.add(hook)
    await session.flush()
    await record(
        session, actor, AuditEntry("webhook.create", "webhook", hook.id or "", unit.id, after=_snapshot(hook))
    )
    return hook


async def set_active(
    session: AsyncSession, access: AccessScope, actor: Actor, webhook_id: int, active: bool
) -> None:
    hook = await session.get(Webhook, webhook_id)
    unit = await session.get(Unit, hook.unit_id) if hook else None
    if hook is None or unit is None or not access.can(OBJ, ACT, unit.path):
        raise NotFound(N_("No such webhook."))
    before = _snapshot(hook)
    hook.active = active
    session.add(hook)
    await session.flush()
    await record(
        session, actor, AuditEntry("webhook.update", "webhook", webhook_id, unit.id, before, _snapshot(hook))
    )


def _snapshot(hook: Webhook) -> dict[str, Any]:
    return {
        "name": hook.name,
        "url": masked(hook.url),
        "flavour": hook.flavour,
        "types": hook.types,
        "include_below": hook.include_below,
        "active": hook.active,
    }


def _in_scope(access: AccessScope) -> Any:
    """Deliveries to users of the admin's units, or to webhooks of them."""
    user_unit, hook_unit = aliased(Unit), aliased(Unit)
    users = (
        select(col(User.id))
        .join(user_unit, col(user_unit.id) == col(User.unit_id))
        .where(access.unit_filter(OBJ, ACT, col(user_unit.path)))
    )
    hooks = (
        select(col(Webhook.id))
        .join(hook_unit, col(hook_unit.id) == col(Webhook.unit_id))
        .where(access.unit_filter(OBJ, ACT, col(hook_unit.path)))
    )
    return or_(col(Delivery.user_id).in_(users), col(Delivery.webhook_id).in_(hooks))


async def delivery_counts(session: AsyncSession, access: AccessScope) -> dict[str, int]:
    rows = await session.execute(
        select(col(Delivery.status), func.count()).where(_in_scope(access)).group_by(col(Delivery.status))
    )
    found = dict(rows.all())
    return {s: int(found.get(s, 0)) for s in STATUSES}


async def deliveries(
    session: AsyncSession, access: AccessScope, status: str | None
) -> list[tuple[Delivery, str]]:
    """The latest deliveries (failed and retrying first unless a status is chosen), with their type."""
    query = (
        select(Delivery, col(NotificationEvent.type))
        .outerjoin(NotificationEvent, col(NotificationEvent.id) == col(Delivery.event_id))
        .where(_in_scope(access))
    )
    if status:
        query = query.where(col(Delivery.status) == status).order_by(col(Delivery.id).desc())
    else:
        query = query.order_by(col(Delivery.status).in_((FAILED, RETRYING)).desc(), col(Delivery.id).desc())
    return [(d, t or "") for d, t in (await session.execute(query.limit(SHOWN))).all()]
