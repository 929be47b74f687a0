"""Import leads from Excel: every row checked, a row-by-row report, and all rows registered or none.

All-or-nothing is deliberate: an office fixes the reported rows and uploads the same file again,
which must not register the good rows twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import CatalogueItem, Person, Unit
from integrity.domain.cases.schemas import CaseIn
from integrity.domain.cases.services import register_case
from integrity.lib import sheets
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import DomainError
from integrity.lib.i18n import N_
from integrity.lib.sheets import NO, YES, Column, RowError, Sheet, SheetReport, cell_text, read_upload

__all__ = ["read_upload"]  # the pages and the API read the upload through this module


COLUMNS = (
    Column("unit", N_("Unit (code or name)"), aliases=(N_("Unit"),)),
    Column("source", N_("Source")),
    Column("category", N_("Category")),
    Column("title", N_("Title")),
    Column("received_on", N_("Received on")),
    Column("summary", N_("Summary"), required=False),
    Column("subjects", N_("Subjects (employee numbers)"), required=False, aliases=(N_("Subjects"),)),
    Column("confidential", N_("Confidential"), required=False),
)
SEPARATORS = re.compile(r"[\s,，;；、]+")


@dataclass
class ImportReport(SheetReport):
    registered: list[str] = field(default_factory=list)  # case numbers, in row order


async def read_sheet(content: bytes) -> Sheet:
    return await sheets.read_sheet(content, COLUMNS)


def report_rows(report: ImportReport, translate: Callable[[str], str]) -> list[dict[str, Any]]:
    return sheets.report_rows(report.errors, translate)


async def template_workbook(headers: Sequence[str], notes: Sequence[Sequence[str]]) -> bytes:
    return await sheets.template_workbook("leads", headers, notes)


@dataclass
class _Lookups:
    units: dict[str, int]  # only units where this user may register
    sources: dict[str, str]
    categories: dict[str, str]
    persons: dict[str, int]


async def _lookups(session: AsyncSession, access: AccessScope, sheet: Sheet) -> _Lookups:
    """Codes and names the sheet may use, loaded once (not a query per row)."""
    units: dict[str, int] = {}
    allowed = await session.execute(select(Unit).where(access.unit_filter("case", "create", Unit.path)))
    for u in allowed.scalars():
        assert u.id is not None
        for name in (u.code, u.name, u.name_en):
            if name:
                units.setdefault(name.strip().casefold(), u.id)
    items = (await session.execute(select(CatalogueItem).where(col(CatalogueItem.active)))).scalars().all()
    by_catalogue: dict[str, dict[str, str]] = {"case_source": {}, "case_category": {}}
    for item in items:
        if item.catalogue in by_catalogue:
            for name in (item.code, item.name, item.name_en):
                by_catalogue[item.catalogue].setdefault(name.strip().casefold(), item.code)
    wanted = {
        n
        for _number, values in sheet.rows
        for i, key in sheet.keys.items()
        if key == "subjects" and i < len(values) and values[i] is not None
        for n in SEPARATORS.split(str(values[i]).strip())
        if n
    }
    persons: dict[str, int] = {}
    if wanted:
        found = await session.execute(
            select(col(Person.employee_no), col(Person.id)).where(col(Person.employee_no).in_(wanted))
        )
        persons = {str(no): pid for no, pid in found.all() if pid is not None}
    return _Lookups(units, by_catalogue["case_source"], by_catalogue["case_category"], persons)


def _parse_row(number: int, cells: dict[str, Any], found: _Lookups) -> tuple[CaseIn | None, list[RowError]]:
    """A row's fields checked against the catalogues and the organisation; errors name their column."""
    errors: list[RowError] = []
    header = {c.key: c.header for c in COLUMNS}

    def fail(key: str, message: str) -> None:
        errors.append(RowError(number, header[key], message))

    def lookup(key: str, table: dict[str, Any], message: str) -> Any:
        text = cell_text(cells.get(key))
        if not text:
            fail(key, N_("Required."))
            return None
        if text.casefold() not in table:
            fail(key, message)
            return None
        return table[text.casefold()]

    unit_id = lookup("unit", found.units, N_("No unit with this code or name where you may register leads."))
    source = lookup("source", found.sources, N_("Not a source in the catalogue."))
    category = lookup("category", found.categories, N_("Not a category in the catalogue."))
    title = cell_text(cells.get("title"))
    if not title:
        fail("title", N_("Required."))
    elif len(title) > 300:
        fail("title", N_("At most 300 characters."))
    summary = cell_text(cells.get("summary"))
    if len(summary) > 20_000:
        fail("summary", N_("At most 20,000 characters."))
    received = cells.get("received_on")
    received_on: date | None = None
    if isinstance(received, datetime):
        received_on = received.date()
    elif isinstance(received, date):
        received_on = received
    elif cell_text(received):
        try:
            received_on = date.fromisoformat(cell_text(received).replace("/", "-").replace(".", "-"))
        except ValueError:
            fail("received_on", N_("Not a date; write it as 2026-10-08."))
    else:
        fail("received_on", N_("Required."))
    flag = cell_text(cells.get("confidential")).casefold()
    if flag not in YES | NO:
        fail("confidential", N_("Write 是 or 否 (yes or no)."))
    subject_ids: list[int] = []
    for employee_no in SEPARATORS.split(cell_text(cells.get("subjects"))):
        if not employee_no:
            continue
        if employee_no not in found.persons:
            fail("subjects", N_("No person with this employee number."))
        else:
            subject_ids.append(found.persons[employee_no])
    if errors or unit_id is None or received_on is None:
        return None, errors
    return CaseIn(
        unit_id, source, category, title, received_on, summary, flag in YES, sorted(set(subject_ids))
    ), errors


async def import_leads(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    sheet: Sheet,
    *,
    filename: str = "",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Register every row in one transaction; the caller commits only when the report is ok and not a dry run.

    Each row runs in a savepoint, so a row the services refuse (no permission in that unit, a subject
    of one's own) is reported and the others still get checked all the way through.
    """
    report = ImportReport(rows=len(sheet.rows), dry_run=dry_run, errors=list(sheet.formulas))
    found = await _lookups(session, access, sheet)
    bad_rows = {e.row for e in sheet.formulas}
    for number, values in sheet.rows:
        cells = {key: values[i] for i, key in sheet.keys.items() if i < len(values)}
        data, errors = _parse_row(number, cells, found)
        report.errors.extend(errors)
        if data is not None and number not in bad_rows:
            try:
                async with session.begin_nested():
                    case = await register_case(session, settings, access, actor, data)
                report.registered.append(case.number)
            except DomainError as exc:
                report.errors.append(RowError(number, "", exc.detail))
        if progress is not None:
            progress(1)
    report.errors.sort(key=lambda e: e.row)
    if report.ok and not dry_run:
        await record(
            session,
            actor,
            AuditEntry(
                "case.import",
                "case_list",
                "",
                access.principal.unit_id,
                extra={"file": filename, "rows": report.rows, "registered": report.registered},
            ),
        )
    return report


async def code_sheet(
    session: AsyncSession, access: AccessScope, translate: Callable[[str], str]
) -> list[list[str]]:
    """The codes a sheet may use: units where the user may register, sources and categories."""
    rows: list[list[str]] = [[translate(N_("Unit (code or name)")), "", ""]]
    units = await session.execute(
        select(Unit).where(access.unit_filter("case", "create", Unit.path)).order_by(col(Unit.path))
    )
    rows += [[u.code, u.name, u.name_en] for u in units.scalars()]
    for catalogue, title in (("case_source", N_("Source")), ("case_category", N_("Category"))):
        rows.append(["", "", ""])
        rows.append([translate(title), "", ""])
        items = await session.execute(
            select(CatalogueItem)
            .where(col(CatalogueItem.catalogue) == catalogue, col(CatalogueItem.active))
            .order_by(col(CatalogueItem.sort))
        )
        rows += [[i.code, i.name, i.name_en] for i in items.scalars()]
    return rows
