"""The HR roster (花名册) from Excel: persons matched by employee number, created or corrected, every row
checked and reported, all rows or none (as the lead import)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Person, Unit
from integrity.domain.org.schemas import PersonIn, PersonPatch
from integrity.domain.org.services import PERSON_FIELDS, create_person, update_person
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import DomainError
from integrity.lib.i18n import N_
from integrity.lib.sheets import NO, YES, Column, RowError, Sheet, SheetReport, cell_text

# The aliases are the headers HR systems' exports use (姓名, 干部级别, 是否党员).
COLUMNS = (
    Column("employee_no", N_("Employee number")),
    Column("name", N_("Name"), aliases=(N_("Full name"),)),
    Column("unit", N_("Unit (code or name)"), aliases=(N_("Unit"),)),
    Column("position", N_("Position"), required=False),
    Column("cadre_level", N_("Cadre level"), required=False, aliases=(N_("Cadre grade"),)),
    Column("party_member", N_("Party member"), required=False, aliases=(N_("Party member (yes or no)"),)),
    Column("name_en", N_("English name"), required=False),
)
LIMITS = {"employee_no": 64, "name": 100, "position": 200, "cadre_level": 64, "name_en": 200}


@dataclass
class RosterReport(SheetReport):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


async def _units(session: AsyncSession, access: AccessScope) -> dict[str, int]:
    """Units the sheet may name (by code, name or English name): where the user may record persons."""
    found: dict[str, int] = {}
    rows = await session.execute(
        select(Unit).where(access.unit_filter("person", "create", col(Unit.path)), col(Unit.active).is_(True))
    )
    for u in rows.scalars():
        for name in (u.code, u.name, u.name_en):
            if name:
                found.setdefault(name.strip().casefold(), u.id or 0)
    return found


def _values(
    number: int, cells: dict[str, Any], units: dict[str, int]
) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    header = {c.key: c.header for c in COLUMNS}
    values: dict[str, Any] = {}
    for key, limit in LIMITS.items():
        text = cell_text(cells.get(key))
        if len(text) > limit:
            errors.append(RowError(number, header[key], N_("Too long.")))
        values[key] = text
    for key in ("employee_no", "name"):
        if not values[key]:
            errors.append(RowError(number, header[key], N_("Required.")))
    unit = cell_text(cells.get("unit")).casefold()
    if not unit:
        errors.append(RowError(number, header["unit"], N_("Required.")))
    elif unit not in units:
        errors.append(
            RowError(
                number, header["unit"], N_("No unit with this code or name where you may record persons.")
            )
        )
    else:
        values["unit_id"] = units[unit]
    flag = cell_text(cells.get("party_member")).casefold()
    if flag not in YES | NO:
        errors.append(RowError(number, header["party_member"], N_("Write 是 or 否 (yes or no).")))
    values["party_member"] = flag in YES
    return values, errors


async def import_roster(
    session: AsyncSession,
    access: AccessScope,
    actor: Actor,
    sheet: Sheet,
    *,
    filename: str = "",
    dry_run: bool = False,
) -> RosterReport:
    """Create or correct a person per row; the caller commits only when the report is ok and not a dry run."""
    report = RosterReport(rows=len(sheet.rows), dry_run=dry_run, errors=list(sheet.formulas))
    units = await _units(session, access)
    rows = [
        (n, {key: values[i] for i, key in sheet.keys.items() if i < len(values)}) for n, values in sheet.rows
    ]
    numbers = Counter(cell_text(cells.get("employee_no")) for _n, cells in rows)
    existing = {
        p.employee_no: p
        for p in (
            await session.execute(
                select(Person).where(col(Person.employee_no).in_([n for n in numbers if n]))
            )
        ).scalars()
    }
    bad_rows = {e.row for e in sheet.formulas}
    for number, cells in rows:
        values, errors = _values(number, cells, units)
        if values["employee_no"] and numbers[values["employee_no"]] > 1:
            errors.append(
                RowError(number, N_("Employee number"), N_("This employee number is on several rows."))
            )
        report.errors.extend(errors)
        if errors or number in bad_rows:
            continue
        try:
            async with session.begin_nested():
                person = existing.get(values["employee_no"])
                if person is None:
                    await create_person(session, actor, PersonIn(**values), access=access)
                    report.created += 1
                elif {f: getattr(person, f) for f in PERSON_FIELDS} == {f: values[f] for f in PERSON_FIELDS}:
                    report.unchanged += 1
                else:
                    changes = {f: values[f] for f in PERSON_FIELDS if f != "employee_no"}
                    await update_person(session, actor, person.id or 0, PersonPatch(**changes), access=access)
                    report.updated += 1
        except DomainError as exc:
            report.errors.append(RowError(number, "", exc.detail))
    report.errors.sort(key=lambda e: e.row)
    if report.ok and not dry_run:
        extra = {"file": filename, "rows": report.rows, "created": report.created, "updated": report.updated}
        await record(
            session,
            actor,
            AuditEntry("person.import", "person_list", "", access.principal.unit_id, extra=extra),
        )
    return report


async def code_sheet(
    session: AsyncSession, access: AccessScope, translate: Callable[[str], str]
) -> list[list[str]]:
    """The units a roster may name."""
    rows: list[list[str]] = [[translate(N_("Unit (code or name)")), "", ""]]
    units = await session.execute(
        select(Unit)
        .where(access.unit_filter("person", "create", col(Unit.path)), col(Unit.active).is_(True))
        .order_by(col(Unit.path))
    )
    rows += [[u.code, u.name, u.name_en] for u in units.scalars()]
    return rows
