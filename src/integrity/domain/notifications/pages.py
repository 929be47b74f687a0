"""The bell, the notifications page and each user's settings of how they hear of things."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import Notification, User
from integrity.domain.notifications import services
from integrity.domain.notifications.text import INSIDE, params_of, words
from integrity.domain.notifications.types import CHOSEN, MODE_LABELS, MODES
from integrity.lib.authz.declarations import authenticated
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import NotFound
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_


def shown(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "words": words(n.type, params_of(n.params), INSIDE),
        "at": n.created_at,
        "read": n.read_at is not None,
        "type": n.type,
    }


def bell_count(n: int) -> str:
    return "99+" if n >= services.COUNT_CAP else str(n)


class NotificationPages(Controller):
    include_in_schema = False
    opt = authenticated()

    @get("/notifications")
    async def page(self, db: Db, access: Access) -> Template:
        unread, read = await services.listing(db, access)
        return Template(
            "notifications/list.html",
            context={"unread": [shown(n) for n in unread], "read": [shown(n) for n in read]},
        )

    @get("/notifications/count")
    async def count(self, db: Db, access: Access) -> Template:
        """The bell's number, fetched after the page (and again each minute) so no page waits for it."""
        return Template(
            "notifications/_bell.html",
            context={"unread": bell_count(await services.unread_count(db, access))},
        )

    @post("/notifications/read", status_code=303)
    async def read_all(self, db: Db, access: Access, actor: AuditActor) -> Redirect:
        await services.mark_read(db, access, actor, None)
        await db.commit()
        return Redirect(with_done("/notifications", "read"), status_code=303)

    @post("/notifications/{notification_id:int}/open", status_code=303)
    async def open(
        self, db: Db, access: Access, actor: AuditActor, notification_id: FromPath[int]
    ) -> Redirect:
        """Mark one entry read and go where it points."""
        found = (
            await db.execute(
                select(Notification).where(col(Notification.id) == notification_id, services.mine(access))
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(N_("No such notification."))
        href = found.href
        await services.mark_read(db, access, actor, [notification_id])
        await db.commit()
        return Redirect(href, status_code=303)


def _settings_context(modes: dict[str, str], address: str, email_on: bool, error: str = "") -> dict[str, Any]:
    return {
        "types": CHOSEN,
        "modes": modes,
        "mode_labels": MODE_LABELS,
        "choices": MODES,
        "email": address,
        "email_on": email_on,
        "error": error,
    }


class NotificationSettingsPages(Controller):
    path = "/account/notifications"
    include_in_schema = False
    opt = authenticated()

    @get("/")
    async def settings_page(self, db: Db, access: Access, settings: AppSettings) -> Template:
        user = await db.get(User, access.principal.user_id)
        assert user is not None
        modes = await services.preferences(db, user.id or 0)
        return Template(
            "notifications/settings.html",
            context=_settings_context(modes, user.email, settings.email_enabled),
        )

    @post("/", status_code=200)
    async def save(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[dict[str, str], FORM],
    ) -> Template | Redirect:
        modes = {t.code: data.get(f"mode_{t.code}", t.default) for t in CHOSEN}
        address = data.get("email", "")

        async def show_again(error: str, status: int) -> Template:
            context = _settings_context(modes, address, settings.email_enabled, error)
            return Template("notifications/settings.html", status_code=status, context=context)

        saving = services.save_preferences(db, access, actor, modes, address)
        return await act_then_redirect(db, saving, "/account/notifications", show_again)

    @post("/test", status_code=303)
    async def test(self, db: Db, access: Access, actor: AuditActor) -> Redirect:
        await services.send_test(db, access, actor)
        await db.commit()
        return Redirect(with_done("/account/notifications", "test_sent"), status_code=303)
