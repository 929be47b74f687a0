"""The statistics pages: figures for a period and a reach, compared, each cell opening what it counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from integrity.db.models import Unit
from integrity.domain.cases.clocks import local_today
from integrity.domain.org.services import require_in_unit, units_where
from integrity.domain.statistics import (
    accountability_figures,
    case_figures,
    charts,
    drill_down,
    education_figures,
    figures,
    rectification_figures,
    tallied_figures,
)
from integrity.domain.statistics.figures import Figure, Reach
from integrity.domain.statistics.keys import key_names
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

    @cached_property
    def _filters(self) -> dict[str, Any]:
        return {
            "period": self.period.kind,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "unit_id": self.reach.unit.id,
            "descendants": "1" if self.reach.descendants else "0",
            "category": self.reach.category,
            "source": self.reach.source,
        }

    @cached_property
    def _encoded(self) -> str:
        return urlencode(self._filters)

    def query(self, **more: Any) -> str:
        """The filters as a query string (for the drill-down links and the form); a page links every
        cell, so the filters are encoded once and each cell's figure and key added."""
        if not more:
            return self._encoded
        if more.keys() & self._filters.keys():
            return urlencode({**self._filters, **more})
        return f"{self._encoded}&{urlencode(more)}"


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


@dataclass(frozen=True)
class Section:
    """One statistics page: its figures (and, for cases, the durations)."""

    name: str
    title: str
    figures: tuple[Figure, ...]
    ledgers: tuple[str, ...] = ()  # the ledgers issued from it (domain/ledgers, lib/labels' LEDGER_LABELS)


SECTIONS = {
    s.name: s
    for s in (
        Section("cases", N_("Case statistics"), case_figures.FIGURES, ("leads", "filed_cases")),
        Section(
            "accountability", N_("Accountability statistics"), accountability_figures.FIGURES, ("decisions",)
        ),
        Section(
            "rectification", N_("Rectification statistics"), rectification_figures.FIGURES, ("rectification",)
        ),
        # Coverage and plans: education_figures.
        Section("education", N_("Education statistics"), (), ("education",)),
    )
}


def section_named(name: str) -> Section:
    if name not in SECTIONS:
        raise NotFound(N_("No such statistics page."))
    return SECTIONS[name]


AskedFilters = NamedDependency[Asked]


def _people_link(asked: Asked, unit_id: int) -> str:
    """The education pages' list of a unit's people for the period (who attended, who never did)."""
    p = asked.period
    return f"/education/coverage/people?{urlencode({'unit': unit_id, 'from': p.start, 'to': p.end})}"


def _cell_link(section: str, asked: Asked, figure: str, key: str) -> str:
    return f"/statistics/{section}/list?{asked.query(figure=figure, key=key)}"


class StatisticsPages(Controller):
    """Statistics for inspectors, reviewers and auditors, over the units they reach."""

    path = "/statistics"
    opt = permission("case", "read")
    include_in_schema = False
    dependencies = {"asked": Provide(provide_asked)}

    @get("/{section:str}")
    async def figures(self, db: Db, access: Access, asked: AskedFilters, section: FromPath[str]) -> Template:
        chosen = section_named(section)
        if section == "cases":  # kept per month (tallies): a page over every case reads few rows
            compared, durations = await tallied_figures.case_page(
                db, access, chosen.figures, asked.reach, asked.period
            )
        else:
            compared = await figures.compared(db, access, chosen.figures, asked.reach, asked.period)
            durations = []
        units = {k for c in compared if c.figure.keys == "unit" for k in (*c.now, *c.before, *c.year_before)}
        education = None
        if section == "education":
            education = await education_figures.compared(db, access, asked.reach, asked.period)
        names = await key_names(db, units)
        return Template(
            "statistics/page.html",
            context={
                "asked": asked,
                "section": chosen,
                "sections": SECTIONS,
                "kinds": KINDS,
                "period_labels": PERIOD_LABELS,
                "names": names,
                "figures": compared,
                "ledgers": chosen.ledgers,
                "charts": {
                    c.figure.name: charts.chart(c, names, partial(_cell_link, section, asked, c.figure.name))
                    for c in compared
                },
                "durations": durations,
                "education": education,
                "education_chart": education_figures.chart(education, partial(_people_link, asked))
                if education
                else None,
            },
        )

    @get("/{section:str}/list")
    async def drill_down(
        self,
        db: Db,
        access: Access,
        asked: AskedFilters,
        section: FromPath[str],
        figure: FromQuery[str],
        key: FromQuery[str],
    ) -> Template:
        """The records one cell counts: the same query, one key, each as its reader may open it."""
        chosen = section_named(section)
        counted = figures.named(chosen.figures, figure)
        ids = figures.ids_of(access, counted, key, asked.reach, asked.period)
        return Template(
            "statistics/list.html",
            context={
                "asked": asked,
                "section": chosen,
                "figure": counted,
                "key": key,
                "rows": await drill_down.rows(db, counted.records.name, ids),
                "names": await key_names(db, [key] if counted.keys == "unit" else []),
            },
        )
