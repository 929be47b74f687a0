"""Excel workbooks an office can file: labelled columns of sensible width, a frozen header, text that
never runs as a formula; built in a worker thread (bounded), never on the event loop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

import anyio
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from integrity.lib.templating import local_time

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet treats a cell starting with one of these as a formula (CSV/Excel injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_ROWS = 50_000
# Building workbooks is CPU work: at most two at a time, each in a worker thread.
_builders = anyio.CapacityLimiter(2)
_HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would evaluate is stored with a leading apostrophe, as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def file_name(what: str, today: date) -> str:
    """A name that says what the file is and when it was made: 案件台账-2026-11-30.xlsx."""
    return f"{what}-{today.isoformat()}.xlsx"


def _width(values: Sequence[Any]) -> float:
    """Characters wide enough for the column's longest value (a Chinese character counts twice)."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values if v), default=4)
    return min(max(longest + 2, 6), 60)


Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # its name, header and rows


def _fill(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text looks like
                cell.alignment = Alignment(wrap_text=len(cell.value) > 60, vertical="top")
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd hh:mm" if hasattr(cell.value, "hour") else "yyyy-mm-dd"
    sample = list(rows[:500])  # widths from the header and the first rows: enough to read, cheap to find
    for index, name in enumerate(header, start=1):
        column = [name, *(r[index - 1] for r in sample if index - 1 < len(r))]
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _build(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, header, rows in sheets:
        _fill(book.create_sheet(title[:31]), header, rows)  # 31: Excel's limit on a sheet name
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def workbook_of(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of several sheets, built in a worker thread (at most two at once)."""
    return await anyio.to_thread.run_sync(_build, sheets, limiter=_builders)


async def workbook(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The .xlsx bytes, built in a worker thread (at most two at once)."""
    return await workbook_of([(title, header, rows)])


def local(value: Any) -> str:
    """A stored UTC time as the office reads it (the organisation's time zone), for a cell."""
    return local_time(value, "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class LedgerSheet:
    """A ledger to file: its title and the filters it was made with above the table, a total below."""

    title: str
    preamble: Sequence[str]  # lines above the table: the filters, who made it and when
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    total: str  # the last line, under the table
    summary: Sheet | None = None  # a second sheet: the ledger's figure


def _ledger_cells(sheet: Any, values: Sequence[Any], style: dict[str, Any]) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=safe_cell(value))
        for name, attribute in style.items():
            setattr(cell, name, attribute)
        cells.append(cell)
    return cells


def _build_ledger(ledger: LedgerSheet) -> bytes:
    """Write-only: rows stream out as they are appended, so 10,000 rows cost little memory. Styles sit on
    the title, filter, header and total cells and on long texts only (a style per cell costs more than
    the cell)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(ledger.title[:31])
    sample = list(ledger.rows[:500])
    for index, name in enumerate(ledger.header, start=1):
        column = [name, *(r[index - 1] for r in sample if index - 1 < len(r))]
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    header_row = len(ledger.preamble) + 2
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.append(_ledger_cells(sheet, [ledger.title], {"font": Font(bold=True, size=14)}))
    for line in ledger.preamble:
        sheet.append(_ledger_cells(sheet, [line], {"font": Font(color="555555")}))
    sheet.append(_ledger_cells(sheet, ledger.header, {"font": Font(bold=True), "fill": _HEADER_FILL}))
    wrap = {"alignment": Alignment(wrap_text=True, vertical="top")}
    for row in ledger.rows:  # a date gets its format from openpyxl; only long text gets a style
        sheet.append(
            [
                _ledger_cells(sheet, [v], wrap)[0] if isinstance(v, str) and len(v) > 60 else safe_cell(v)
                for v in row
            ]
        )
    last = header_row + len(ledger.rows)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(max(1, len(ledger.header)))}{last}"
    sheet.append([])
    sheet.append(_ledger_cells(sheet, [ledger.total], {"font": Font(bold=True)}))
    if ledger.summary is not None:
        title, header, rows = ledger.summary
        summary = book.create_sheet(title[:31])
        summary.column_dimensions["A"].width = _width([header[0], *(r[0] for r in rows)])
        summary.append(_ledger_cells(summary, header, {"font": Font(bold=True), "fill": _HEADER_FILL}))
        for r in rows:
            summary.append([safe_cell(v) for v in r])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def ledger_workbook(ledger: LedgerSheet) -> bytes:
    """A ledger's .xlsx, built in a worker thread (at most two at once)."""
    return await anyio.to_thread.run_sync(_build_ledger, ledger, limiter=_builders)
