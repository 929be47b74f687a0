"""The sanction register's pages: a person's decisions and restrictions, a unit's four-forms figures."""

from __future__ import annotations

from datetime import date

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel import col, select

from integrity.db.models import Case
from integrity.domain.cases.clocks import local_today
from integrity.domain.decisions import measures, register
from integrity.domain.org.services import units_where
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, Db
from integrity.lib.errors import DomainError
from integrity.lib.pagination import QueryId


class RegisterPages(Controller):
    path = "/register"
    opt = permission("decision", "read")
    include_in_schema = False

    @get("/persons/{person_id:int}")
    async def person(self, db: Db, access: Access, person_id: FromPath[int]) -> Template:
        today = local_today()
        found = await register.person_register(db, access, person_id, today)
        cases = dict(
            (
                await db.execute(
                    select(col(Case.id), col(Case.number)).where(
                        col(Case.id).in_({d.case_id for d in found.decisions})
                    )
                )
            ).all()
        )
        return Template(
            "decisions/person.html",
            context={
                "r": found,
                "today": today,
                "cases": cases,
                "measures": await measures.by_code(db),
            },
        )

    @get("/units")
    async def units(
        self,
        db: Db,
        access: Access,
        unit_id: QueryId = None,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        today = local_today()
        start, end = start or date(today.year, 1, 1), end or today
        units = await units_where(db, access, "decision", "read")
        chosen = unit_id or (units[0].id if units else None)
        stats, error = None, ""
        if chosen is not None:
            try:
                stats = await register.unit_statistics(
                    db, access, chosen, start, min(max(end, start), date.max)
                )
            except DomainError as exc:
                await refused(exc)
                error = exc.translated()
        return Template(
            "decisions/units.html",
            context={
                "units": units,
                "chosen": chosen,
                "start": start,
                "end": end,
                "stats": stats,
                "error": error,
                "measures": await measures.by_code(db),
            },
        )
