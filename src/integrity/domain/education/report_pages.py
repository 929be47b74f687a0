"""A unit's yearly education report, as PDF and as Excel, for those who read the unit's education."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response

from integrity.domain.education import report
from integrity.domain.education.plan_pages import unit_asked, year_asked
from integrity.lib import excel
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.i18n import gettext
from integrity.lib.uploads import content_disposition


class ReportPages(Controller):
    path = "/education"  # /education/report.pdf?unit=…&year=…
    opt = permission("education", "read")
    include_in_schema = False

    async def _report(self, request: Request[Any, Any, Any], db: Db, access: Access) -> report.YearlyReport:
        return await report.yearly_report(db, access, unit_asked(request, access), year_asked(request))

    def _name(self, made: report.YearlyReport, suffix: str) -> str:
        return f"{gettext('Education report %(year)s') % {'year': made.year}}-{made.unit.code}.{suffix}"

    @get("/report.pdf")
    async def pdf(
        self, request: Request[Any, Any, Any], db: Db, access: Access, actor: AuditActor
    ) -> Response[bytes]:
        made = await self._report(request, db, access)
        pdf, _pages = await report.report_pdf(request.app.state.pdf_pool, made, access.principal.display_name)
        await report.audit_issue(db, actor, made, "pdf")
        await db.commit()
        headers = {"Content-Disposition": content_disposition(self._name(made, "pdf"))}
        return Response(pdf, media_type="application/pdf", headers=headers)

    @get("/report.xlsx")
    async def workbook(
        self, request: Request[Any, Any, Any], db: Db, access: Access, actor: AuditActor
    ) -> Response[bytes]:
        made = await self._report(request, db, access)
        data = await report.report_workbook(made)
        await report.audit_issue(db, actor, made, "xlsx")
        await db.commit()
        headers = {"Content-Disposition": content_disposition(self._name(made, "xlsx"))}
        return Response(data, media_type=excel.XLSX, headers=headers)
