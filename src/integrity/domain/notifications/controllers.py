"""The API of a user's own notifications: list them (in their language) and mark them read."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody

from integrity.domain.notifications import services
from integrity.domain.notifications.text import INSIDE, params_of, words
from integrity.lib.authz.declarations import authenticated
from integrity.lib.deps import Access, AuditActor, Db


class NotificationOut(msgspec.Struct):
    id: int
    type: str
    headline: str
    about: str
    detail: str
    due_on: str
    href: str
    created_at: datetime
    read: bool


class NotificationsOut(msgspec.Struct):
    unread: int
    items: list[NotificationOut]


class MarkReadIn(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[int] | None = None  # none: every unread notification


class MarkedOut(msgspec.Struct):
    marked: int


class NotificationController(Controller):
    """The caller's own notifications; any signed-in user."""

    path = "/api/v1/notifications"
    opt = authenticated()
    tags = ["notifications"]

    @get("/")
    async def list_notifications(self, db: Db, access: Access) -> NotificationsOut:
        unread, read = await services.listing(db, access)
        items = []
        for n in [*unread, *read]:
            w = words(n.type, params_of(n.params), INSIDE)
            items.append(
                NotificationOut(
                    n.id or 0,
                    n.type,
                    w.headline,
                    w.about,
                    w.detail,
                    w.due_on,
                    n.href,
                    n.created_at,
                    n.read_at is not None,
                )
            )
        return NotificationsOut(await services.unread_count(db, access), items)

    @post("/read", status_code=200)
    async def mark_read(
        self, db: Db, access: Access, actor: AuditActor, data: JSONBody[MarkReadIn]
    ) -> MarkedOut:
        if data.ids is not None and len(data.ids) > 1000:
            data.ids = data.ids[:1000]
        marked = await services.mark_read(db, access, actor, data.ids)
        await db.commit()
        return MarkedOut(marked)
