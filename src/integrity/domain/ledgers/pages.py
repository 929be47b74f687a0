"""Ledgers issued from the statistics pages, and scheduled reports: standing orders and the reports kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import File, Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.domain.cases.clocks import local_today
from integrity.domain.ledgers import issue, subscriptions
from integrity.domain.ledgers.definitions import BY_NAME, LEDGERS
from integrity.domain.ledgers.tables import ledger_named
from integrity.domain.org.services import units_where
from integrity.domain.statistics.pages import AskedFilters, provide_asked
from integrity.lib import excel
from integrity.lib.authz import AccessScope
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.forms import FORM, act_then_redirect, picked_unit
from integrity.lib.labels import CADENCE_LABELS
from integrity.lib.uploads import content_disposition


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


async def _release(db: AsyncSession) -> None:
    """The filters are read: end the request's transaction so that no connection waits on a ledger
    being made (the unit and its reach, already loaded, stay readable)."""
    db.expunge_all()
    await db.rollback()


class LedgerPages(Controller):
    """/statistics/ledgers/{name}/pdf|xlsx: a ledger for the statistics page's filters."""

    path = "/statistics"
    opt = permission("case", "read")
    include_in_schema = False
    dependencies = {"asked": Provide(provide_asked)}

    @get("/ledgers/{name:str}/pdf")
    async def ledger_pdf(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        settings: AppSettings,
        access: Access,
        actor: AuditActor,
        asked: AskedFilters,
        name: FromPath[str],
    ) -> Response[bytes]:
        """The ledger as a sealed PDF in the export ledger (laid out in the PDF workers)."""
        ledger = ledger_named(name)
        await _release(db)
        state = request.app.state
        made = await issue.ledger_pdf(
            state.db, state.pdf_pool, settings, access, actor, ledger, asked.reach, asked.period
        )
        headers = {"Content-Disposition": content_disposition(made.filename)}
        return Response(made.data, media_type="application/pdf", headers=headers)

    @get("/ledgers/{name:str}/xlsx")
    async def ledger_xlsx(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        access: Access,
        actor: AuditActor,
        asked: AskedFilters,
        name: FromPath[str],
    ) -> Response[bytes]:
        """The ledger as a workbook (built in a worker thread)."""
        ledger = ledger_named(name)
        await _release(db)
        made = await issue.ledger_xlsx(request.app.state.db, access, actor, ledger, asked.reach, asked.period)
        headers = {"Content-Disposition": content_disposition(made.filename)}
        return Response(made.data, media_type=excel.XLSX, headers=headers)
