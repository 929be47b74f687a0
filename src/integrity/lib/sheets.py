"""Reading a workbook a user uploads, one row per record: headers in either language, formulas refused,
a size and row limit, parsing off the event loop; and the row-by-row report an import answers with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import anyio
from litestar.datastructures import UploadFile
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from integrity.lib.errors import InvalidInput
from integrity.lib.excel import safe_cell
from integrity.lib.i18n import LOCALES, N_, catalog
from integrity.lib.uploads import TooLarge

MAX_IMPORT_ROWS = 5_000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
_readers = anyio.CapacityLimiter(2)  # parsing a workbook is CPU work: off the loop, two at a time


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # msgid; a sheet may use it in any language the UI speaks
    required: bool = True
    aliases: tuple[str, ...] = ()  # other msgids accepted, such as the export's shorter headers


YES = {"是", "yes", "y", "true", "1", "保密"}
NO = {"", "否", "no", "n", "false", "0"}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number, as the user sees it
    column: str  # a header msgid, or "" for the whole row
    message: str  # a msgid or a domain error's text


@dataclass
class SheetReport:
    """What an import answers: how many rows, the problems by row and column, whether it only checked."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Sheet:
    keys: dict[int, str]  # column index -> column key
    rows: list[tuple[int, list[Any]]]
    formulas: list[RowError]


def _header_names(columns: Sequence[Column]) -> dict[str, str]:
    """Every accepted header text (each language, case-insensitive) -> column key."""
    names: dict[str, str] = {}
    for column in columns:
        for msgid in (column.header, *column.aliases):
            for locale in LOCALES:
                names[catalog(locale).gettext(msgid).strip().casefold()] = column.key
            names[msgid.casefold()] = column.key
        names[column.key] = column.key
    return names


def _read(content: bytes, columns: Sequence[Column]) -> Sheet:
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput(N_("This file is not an Excel (.xlsx) workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        cells = sheet.iter_rows()
        header = next(cells, ())
        names = _header_names(columns)
        keys = {
            i: names[str(c.value).strip().casefold()]
            for i, c in enumerate(header)
            if c.value is not None and str(c.value).strip().casefold() in names
        }
        missing = [c for c in columns if c.required and c.key not in keys.values()]
        if missing:
            raise InvalidInput(N_("The first row must name the columns; some required ones are missing."))
        rows: list[tuple[int, list[Any]]] = []
        formulas: list[RowError] = []
        for number, row in enumerate(cells, start=2):
            values = [c.value for c in row]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            for i, c in enumerate(row):
                if c.data_type == "f" and i in keys:  # never evaluated: a record is text, not a formula
                    header_of = next(col.header for col in columns if col.key == keys[i])
                    formulas.append(
                        RowError(number, header_of, N_("A formula is not accepted; type the value."))
                    )
            rows.append((number, values))
            if len(rows) > MAX_IMPORT_ROWS:
                raise InvalidInput(N_("One import takes at most 5,000 rows; split the file."))
        return Sheet(keys, rows, formulas)
    finally:
        book.close()


async def read_sheet(content: bytes, columns: Sequence[Column]) -> Sheet:
    return await anyio.to_thread.run_sync(_read, content, columns, limiter=_readers)


async def read_upload(upload: UploadFile) -> bytes:
    """The uploaded workbook, refused as soon as it passes the size limit."""
    parts, size = [], 0
    while chunk := await upload.read(64 * 1024):
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise TooLarge(N_("An import file may be at most 10 MB."))
        parts.append(chunk)
    return b"".join(parts)


def report_rows(errors: Sequence[RowError], translate: Callable[[str], str]) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "column": translate(e.column) if e.column else "", "message": translate(e.message)}
        for e in errors
    ]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _template(title: str, headers: Sequence[str], notes: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("codes")
    for row in notes:
        help_sheet.append([safe_cell(v) for v in row])
        for cell in help_sheet[help_sheet.max_row]:
            cell.data_type = "s"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def template_workbook(title: str, headers: Sequence[str], notes: Sequence[Sequence[str]]) -> bytes:
    """An empty sheet with the column headers, and a second sheet listing the codes it accepts."""
    return await anyio.to_thread.run_sync(_template, title, headers, notes, limiter=_readers)
