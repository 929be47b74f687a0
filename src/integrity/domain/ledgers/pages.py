"""Scheduled reports: a reviewer's or auditor's standing orders for ledgers, and the reports kept for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.domain.cases.clocks import local_today
from integrity.domain.ledgers import subscriptions
from integrity.domain.ledgers.definitions import BY_NAME, LEDGERS
from integrity.domain.org.services import units_where
from integrity.lib.authz import AccessScope
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.forms import FORM, act_then_redirect, picked_unit
from integrity.lib.labels import CADENCE_LABELS


@dataclass
class OrderForm:
    ledger: str = ""
    unit_id: str = ""
    cadence: str = "month"
    descendants: str = "1"


class ScheduledReportPages(Controller):
    """/statistics/reports: order a ledger monthly or quarterly, stop an order, fetch the reports made."""

    path = "/statistics/reports"
    opt = permission("case", "read")
    include_in_schema = False

    async def _page(
        self, db: AsyncSession, access: AccessScope, error: str = "", status: int = 200
    ) -> Template:
        units = [
            u
            for u in await units_where(db, access, "case", "read")
            if any(u.path.startswith(p) for p in access.role_paths(subscriptions.SUBSCRIBERS))
        ]
        me = access.principal.user_id
        context = {
            "ledgers": LEDGERS,
            "ledgers_by_name": BY_NAME,
            "units": units,
            "cadences": CADENCE_LABELS,
            "orders": await subscriptions.subscriptions_of(db, me),
            "reports": await subscriptions.reports_of(db, me),
            "error": error,
        }
        return Template("statistics/reports.html", context=context, status_code=status)

    @get("/")
    async def page(self, db: Db, access: Access) -> Template:
        return await self._page(db, access)

    @post("/", status_code=200)
    async def order(
        self, db: Db, access: Access, actor: AuditActor, data: Annotated[OrderForm, FORM]
    ) -> Template | Redirect:
        async def ordering() -> None:
            await subscriptions.subscribe(
                db, access, actor, data.ledger, picked_unit(data.unit_id), data.cadence,
                data.descendants != "0", local_today(),
            )  # fmt: skip

        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, error, status)

        return await act_then_redirect(db, ordering(), "/statistics/reports", show_again, "saved")

    @post("/{subscription_id:int}/cancel", status_code=200)
    async def cancel(
        self, db: Db, access: Access, actor: AuditActor, subscription_id: FromPath[int]
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, error, status)

        stopping = subscriptions.unsubscribe(db, access, actor, subscription_id)
        return await act_then_redirect(db, stopping, "/statistics/reports", show_again, "saved")

    @get("/{export_id:str}/pdf")
    async def report(self, db: Db, settings: AppSettings, access: Access, export_id: FromPath[str]) -> File:
        """A kept report for its subscriber: 404 for anyone else, or once they no longer read the unit."""
        export, path = await subscriptions.kept_report(db, settings, access, export_id)
        name = f"{export.title.split(' · ')[0]}-{export.generated_at:%Y%m%d}.pdf"
        return File(path=path, filename=name, media_type="application/pdf")
