"""A ledger's rows for a reader, a reach and a period, as the cells the workbook and the PDF both show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import CaseSubject, Person
from integrity.domain.cases.clocks import local_today
from integrity.domain.ledgers.definitions import BY_NAME, OVERDUE, Ledger
from integrity.domain.statistics import figures
from integrity.domain.statistics.figures import Reach
from integrity.domain.statistics.keys import KeyNames, key_names
from integrity.domain.statistics.periods import Period
from integrity.lib.authz import AccessScope
from integrity.lib.errors import one_of
from integrity.lib.i18n import gettext, local_name
from integrity.lib.labels import label
from integrity.lib.localtime import local_day

LABELLED = ("status", "rectification", "decision", "form", "education")  # label tables of lib/labels.py
LOOKED_UP = ("source", "category", "unit", "education_type")  # names from the catalogues and the unit tree
SUBJECTS_PER_QUERY = 500


@dataclass(frozen=True)
class LedgerTable:
    """What a ledger shows: headings, rows of cells (text, dates, numbers), the chart's counts, filters."""

    ledger: Ledger
    reach: Reach
    period: Period
    headings: list[str]
    widths: list[float]
    rows: list[list[Any]]
    chart: list[tuple[str, int]]  # the ledger's figure for the period: (key's name, count)
    filters: list[tuple[str, str]]  # (what, value): written above the table

    @property
    def title(self) -> str:
        return gettext(self.ledger.title)


def ledger_named(name: str) -> Ledger:
    if name not in BY_NAME:
        raise one_of("ledger", tuple(BY_NAME))
    return BY_NAME[name]


async def _subjects(session: AsyncSession, case_ids: list[int]) -> dict[int, str]:
    """The names of each case's subjects, joined as the office writes a list (、)."""
    names: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(case_ids), SUBJECTS_PER_QUERY):
        chunk = case_ids[start : start + SUBJECTS_PER_QUERY]
        rows = await session.execute(
            select(col(CaseSubject.case_id), col(Person.name))
            .join(Person, col(Person.id) == col(CaseSubject.person_id))
            .where(col(CaseSubject.case_id).in_(chunk))
            .order_by(col(CaseSubject.case_id), col(CaseSubject.id))
        )
        for case_id, name in rows.all():
            names[case_id].append(name)
    return {case_id: "、".join(people) for case_id, people in names.items()}


def _shown(kind: str, names: KeyNames) -> Callable[[Any], Any]:
    """How a column of this kind shows a value: chosen once per column, applied to every row."""
    if kind == "date":
        return lambda v: "" if v is None else (local_day(v) if isinstance(v, datetime) else v)
    if kind in LABELLED:
        return lambda v: "" if v is None else label(kind, str(v))
    if kind in LOOKED_UP:
        return lambda v: "" if v is None else names.name(kind, str(v))
    if kind == "yes_no":
        yes, no = gettext("Yes"), gettext("No")
        return lambda v: yes if v else no
    return lambda v: "" if v is None else v


def _extra(ledger: Ledger, row: Any, subjects: dict[int, str], today: date) -> dict[str, Any]:
    """Fields a row's columns show that its query does not select as such."""
    fields = row._mapping
    if ledger.name in ("leads", "filed_cases"):
        return {"subjects": subjects.get(row.id, "")}
    if ledger.name == "rectification":
        return {
            "origin": " · ".join(v for v in (fields["case_number"], fields["letter"]) if v),
            "overdue": fields["status"] in OVERDUE and fields["due_on"] < today,
        }
    if ledger.name == "decisions":
        return {"measure": local_name(fields["measure"], fields["measure_en"])}
    if ledger.name == "education":
        # As coverage counts it: attended (present, late or made up) of those marked so far.
        attended = fields["attended"] + fields["made_up"]
        marked = attended + fields["excused"] + fields["absent"]
        rate = f"{attended * 100 / marked:.0f}%" if marked else "—"
        return {"place": fields["place"] or fields["online_link"], "rate": rate}
    return {}


async def ledger_table(
    session: AsyncSession, access: AccessScope, ledger: Ledger, reach: Reach, period: Period
) -> LedgerTable:
    """The ledger's rows the reader may open, within the reach, for the period."""
    stmt = figures.within(ledger.rows(period), access, ledger.records, reach)
    found = list((await session.execute(stmt)).all())
    units = {str(r._mapping["unit_id"]) for r in found}
    names = await key_names(session, units | {str(reach.unit.id)})
    subjects = await _subjects(session, [r.id for r in found]) if ledger.records.name == "case" else {}
    today = local_today()
    shown = [(c.field, _shown(c.kind, names)) for c in ledger.columns]
    rows = []
    for row in found:
        fields = {**row._mapping, **_extra(ledger, row, subjects, today)}
        rows.append([show(fields[name]) for name, show in shown])
    counted = await figures.counts(session, access, ledger.chart, reach, period)
    chart = [
        (names.name(ledger.chart.keys, k), counted[k])
        for k in [
            *names.order(ledger.chart.keys),
            *sorted(set(counted) - set(names.order(ledger.chart.keys))),
        ]
        if k in counted
    ]
    category = names.name("category", reach.category) if reach.category else gettext("Any")
    source = names.name("source", reach.source) if reach.source else gettext("Any")
    unit = local_name(reach.unit.name, reach.unit.name_en)
    if reach.descendants:
        unit += " " + gettext("and the units below it")
    return LedgerTable(
        ledger,
        reach,
        period,
        [gettext(c.title) for c in ledger.columns],
        [c.width_mm for c in ledger.columns],
        rows,
        chart,
        [
            (gettext("Unit"), unit),
            (gettext("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}"),
            # A case's category and source say nothing of records that do not come from cases.
            *(
                [(gettext("Category"), category), (gettext("Source"), source)]
                if ledger.records.from_cases
                else []
            ),
        ],
    )
