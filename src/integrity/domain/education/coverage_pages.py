"""Coverage pages for those who read a unit's education: per unit (rolled up the tree) for a period,
a unit's people (those who never attended first), and the people as an Excel workbook."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response, Template

from integrity.domain.cases.clocks import local_today
from integrity.domain.education import coverage
from integrity.domain.education.plan_pages import unit_asked
from integrity.domain.org import choices
from integrity.lib import excel
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, Db
from integrity.lib.errors import InvalidInput
from integrity.lib.i18n import N_, gettext, local_name
from integrity.lib.labels import label
from integrity.lib.uploads import content_disposition


def _period(request: Request[Any, Any, Any]) -> tuple[date, date]:
    """The period asked for (default: this year so far), as local dates."""
    today = local_today()
    try:
        start = date.fromisoformat(request.query_params.get("from") or f"{today.year}-01-01")
        end = date.fromisoformat(request.query_params.get("to") or today.isoformat())
    except ValueError:
        raise InvalidInput(N_("Give the period's dates as on the calendar.")) from None
    if end < start or (end - start).days > 3 * 366:
        raise InvalidInput(N_("A period ends after it starts and lasts at most three years."))
    return start, end


class CoveragePages(Controller):
    path = "/education/coverage"
    opt = permission("education", "read")
    include_in_schema = False

    @get("/")
    async def units(self, request: Request[Any, Any, Any], db: Db, access: Access) -> Template:
        start, end = _period(request)
        unit_id = unit_asked(request, access)
        units = await choices.unit_choices(db, access, "education", "read")
        if not any(c.id == unit_id for c in units) and units:
            unit_id = units[0].id or 0
        rows = await coverage.by_unit(db, access, unit_id, start, end)
        context = {"rows": rows, "start": start, "end": end, "unit_id": unit_id, "units": units}
        return Template("education/coverage.html", context=context)

    @get("/people")
    async def people(self, request: Request[Any, Any, Any], db: Db, access: Access) -> Template:
        start, end = _period(request)
        unit_id = unit_asked(request, access)
        top, rows = await coverage.people_of(db, access, unit_id, start, end)
        never = sum(r.tally.never for r in rows)
        context = {"rows": rows, "start": start, "end": end, "top": top, "never": never}
        return Template("education/coverage_people.html", context=context)

    @get("/people.xlsx")
    async def workbook(self, request: Request[Any, Any, Any], db: Db, access: Access) -> Response[bytes]:
        start, end = _period(request)
        _top, rows = await coverage.people_of(db, access, unit_asked(request, access), start, end)
        header = [
            gettext("Full name"),
            gettext("Username"),
            gettext("Unit"),
            *(label("attendance", s) for s in coverage.STATUSES),
            gettext("Never attended"),
        ]
        body = [
            [
                r.user.display_name,
                r.user.username,
                local_name(r.unit.name, r.unit.name_en),
                *(r.tally.counts[s] for s in coverage.STATUSES),
                gettext("Yes") if r.tally.never else "",
            ]
            for r in rows
        ]
        what = gettext("Education coverage")
        data = await excel.workbook(what, header, body)
        name = f"{what}-{start.isoformat()}-{end.isoformat()}.xlsx"
        return Response(
            data, media_type=excel.XLSX, headers={"Content-Disposition": content_disposition(name)}
        )
