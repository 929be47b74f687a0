"""The administrators' page of notifications: the units' webhooks and the state of every delivery."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import Unit
from integrity.domain.notifications import admin
from integrity.domain.notifications.delivery import STATUSES
from integrity.domain.notifications.types import BY_CODE, CHOSEN, WEBHOOK_DEFAULT
from integrity.domain.notifications.webhook import FLAVOUR_LABELS, FLAVOURS
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import InvalidInput
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_

PAGE = "/admin/notifications"


async def _context(
    db: Db, access: Access, status: str, form: dict[str, Any], error: str = ""
) -> dict[str, Any]:
    units = (
        (
            await db.execute(
                select(Unit)
                .where(access.unit_filter(admin.OBJ, admin.ACT, col(Unit.path)))
                .order_by(col(Unit.path))
            )
        )
        .scalars()
        .all()
    )
    return {
        "hooks": [(w, u, admin.masked(w.url)) for w, u in await admin.webhooks(db, access)],
        "units": units,
        "counts": await admin.delivery_counts(db, access),
        "rows": await admin.deliveries(db, access, status or None),
        "status": status,
        "statuses": STATUSES,
        "types": CHOSEN,
        "by_code": BY_CODE,
        "flavours": FLAVOURS,
        "flavour_labels": FLAVOUR_LABELS,
        "form": form,
        "error": error,
        "url_example": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    }


class NotificationAdminPages(Controller):
    path = PAGE
    include_in_schema = False
    opt = permission(admin.OBJ, admin.ACT)

    @get("/")
    async def page(self, db: Db, access: Access, status: FromQuery[str] = "") -> Template:
        chosen = status if status in STATUSES else ""
        form = {
            "unit_id": "",
            "name": "",
            "url": "",
            "types": list(WEBHOOK_DEFAULT),
            "flavour": "wecom",
            "include_below": True,
        }
        return Template("notifications/admin.html", context=await _context(db, access, chosen, form))

    @post("/webhooks", status_code=200)
    async def add(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
    ) -> Template | Redirect:
        raw = await request.form()
        unit_id, types = str(raw.get("unit_id", "")), [str(t) for t in raw.getall("types", [])]
        form: dict[str, Any] = {
            "unit_id": unit_id,
            "name": str(raw.get("name", "")),
            "url": str(raw.get("url", "")),
            "flavour": str(raw.get("flavour", "")),
            "types": types,
            "include_below": raw.get("include_below") == "on",
        }

        async def adding() -> None:
            if not unit_id.isdigit():
                raise InvalidInput(N_("Choose the unit whose events go to the webhook."))
            data = admin.WebhookIn(
                int(unit_id), form["name"], form["url"], form["flavour"], tuple(types), form["include_below"]
            )
            await admin.add_webhook(db, settings, access, actor, data)

        async def show_again(error: str, status: int) -> Template:
            context = await _context(db, access, "", form, error)
            return Template("notifications/admin.html", status_code=status, context=context)

        return await act_then_redirect(db, adding(), PAGE, show_again, done="webhook")

    @post("/webhooks/{webhook_id:int}/active", status_code=303)
    async def toggle(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        webhook_id: FromPath[int],
        data: Annotated[dict[str, str], FORM],
    ) -> Redirect:
        await admin.set_active(db, access, actor, webhook_id, data.get("active") == "1")
        await db.commit()
        return Redirect(with_done(PAGE, "saved"), status_code=303)
