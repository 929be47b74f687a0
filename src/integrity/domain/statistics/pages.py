"""The statistics pages: case figures for a period and a reach, compared, each cell opening its cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import Unit
from integrity.domain.cases import services, workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.org.services import require_in_unit, units_where
from integrity.domain.statistics import case_durations, case_figures
from integrity.domain.statistics.case_figures import Reach
from integrity.domain.statistics.periods import KINDS, Period
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, Db
from integrity.lib.errors import NotFound
from integrity.lib.i18n import N_
from integrity.lib.pagination import QueryId

PERIOD_LABELS = {
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
    "custom": N_("From … to …"),
}


@dataclass(frozen=True)
class Asked:
    """The page's filters as asked, and what they resolve to."""

    period: Period
    reach: Reach
    units: list[Unit]

    def query(self, **more: Any) -> str:
        """The filters as a query string (for the drill-down links and the form)."""
        params = {
            "period": self.period.kind,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "unit_id": self.reach.unit.id,
            "descendants": "1" if self.reach.descendants else "0",
            "category": self.reach.category,
            "source": self.reach.source,
            **more,
        }
        return urlencode(params)


async def provide_asked(
    db: Db,
    access: Access,
    period: FromQuery[str] = "quarter",
    start: FromQuery[date | None] = None,
    end: FromQuery[date | None] = None,
    unit_id: QueryId = None,
    descendants: FromQuery[str] = "1",
    category: FromQuery[str] = "",
    source: FromQuery[str] = "",
) -> Asked:
    """The filters every statistics page takes (a dependency): 404 for a unit out of reach."""
    units = await units_where(db, access, "case", "read")
    chosen = unit_id if unit_id is not None else (units[0].id if units else None)
    if chosen is None:
        raise NotFound(N_("No unit's cases are within your reach."))
    unit = await require_in_unit(db, access, chosen, "case", "read")
    asked_period = Period.asked(period, start, end, local_today())
    return Asked(asked_period, Reach(unit, descendants != "0", category, source), units)


async def _labels(db: AsyncSession) -> dict[str, dict[str, Any]]:
    """How a key reads, per kind of key: catalogue entries for sources and categories."""
    return {
        "source": {i.code: i for i in await services.catalogue_entries(db, "case_source")},
        "category": {i.code: i for i in await services.catalogue_entries(db, "case_category")},
    }


AskedFilters = NamedDependency[Asked]


class StatisticsPages(Controller):
    """Case statistics for inspectors, reviewers and auditors, over the units they reach."""

    path = "/statistics"
    opt = permission("case", "read")
    include_in_schema = False
    dependencies = {"asked": Provide(provide_asked)}

    @get("/cases")
    async def cases(self, db: Db, access: Access, asked: AskedFilters) -> Template:
        return Template(
            "statistics/cases.html",
            context={
                "asked": asked,
                "kinds": KINDS,
                "period_labels": PERIOD_LABELS,
                "labels": await _labels(db),
                "outcomes": case_figures.OUTCOME_LABELS,
                "statuses": workflow.DISPOSALS,
                "figures": await case_figures.compared(db, access, asked.reach, asked.period),
                "durations": await case_durations.compared(db, access, asked.reach, asked.period),
            },
        )

    @get("/cases/list")
    async def drill_down(
        self, db: Db, access: Access, asked: AskedFilters, figure: FromQuery[str], key: FromQuery[str]
    ) -> Template:
        """The cases one cell counts: the same query, one key, each case as its reader may open it."""
        chosen = case_figures.figure_named(figure)
        return Template(
            "statistics/list.html",
            context={
                "asked": asked,
                "figure": chosen,
                "key": key,
                "cases": await case_figures.cases_of(db, access, chosen, key, asked.reach, asked.period),
                "labels": await _labels(db),
                "outcomes": case_figures.OUTCOME_LABELS,
            },
        )
