"""Excel export of a case list: built off the event loop, cells that could run as formulas neutralised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

import anyio
from openpyxl import Workbook
from openpyxl.styles import Font

from integrity.db.models import Case

# A spreadsheet treats a cell starting with one of these as a formula (CSV/Excel injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_ROWS = 50_000
# Building workbooks is CPU work: at most two at a time, each in a worker thread.
_builders = anyio.CapacityLimiter(2)

COLUMNS = ("number", "title", "unit", "status", "category", "source", "received_on", "confidential")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would evaluate is stored with a leading apostrophe, as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _build(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text looks like
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def case_rows(cases: Sequence[Case], units: Mapping[Any, str], label: Any) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for c in cases:
        received: date | datetime = c.received_on
        rows.append(
            [
                c.number,
                c.title,
                units.get(c.unit_id, ""),
                label("status", c.status),
                c.category,
                c.source,
                received,
                "yes" if c.confidential else "",
            ]
        )
    return rows


async def workbook(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The .xlsx bytes, built in a worker thread (bounded), never on the event loop."""
    return await anyio.to_thread.run_sync(_build, header, rows, limiter=_builders)
