"""A ledger's PDF: its rows cut into parts that the PDF workers lay out side by side, then the overlay
(running header, page X of Y, the downloader's watermark) stamped over the joined parts, as a trail's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Environment

from integrity.domain.exports.document import ExportFacts, page_css
from integrity.domain.ledgers.tables import LedgerTable
from integrity.lib.i18n import current_locale, gettext, ngettext
from integrity.lib.qr import qr_svg
from integrity.lib.templating import template_environment

TEMPLATE, OVERLAY = "pdf/ledger.html", "pdf/overlay.html"
ROWS_PER_PART = 800  # a part of this many rows lays out in well under the workers' memory ceiling
OVERLAY_PAGES_PER_RUN = 40


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return template_environment()


def _text(cell: Any) -> str:
    return cell.isoformat() if isinstance(cell, date) else str(cell)


def total_line(table: LedgerTable) -> str:
    n = len(table.rows)
    return ngettext("Total: %(num)s record", "Total: %(num)s records", n) % {"num": n}


@dataclass(frozen=True)
class LedgerDocument:
    parts: list[str]
    overlay: dict[str, Any]


def ledger_document(table: LedgerTable, facts: ExportFacts, sealed_sha: str) -> LedgerDocument:
    """The parts' HTML: the first with the title, filters and chart; the last with the total and QR code."""
    rows = [[_text(c) for c in row] for row in table.rows]
    runs = max(1, -(-len(rows) // ROWS_PER_PART))
    context = {
        "t": table,
        "locale": current_locale.get(),
        "chart_title": gettext(table.ledger.chart.title),
        "chart_top": max((n for _, n in table.chart), default=1) or 1,
        "total": total_line(table),
        "export_id": facts.id,
        "generated_by": facts.generated_by,
        "generated_at": facts.generated_at_local,
        "sealed_sha": sealed_sha,
        "qr": qr_svg(f"integrity-export:{facts.id}:{sealed_sha}"),
    }
    template = _environment().get_template(TEMPLATE)
    parts = [
        template.render(
            {
                **context,
                "rows": rows[index * ROWS_PER_PART : (index + 1) * ROWS_PER_PART],
                "offset": index * ROWS_PER_PART,
                "first": index == 0,
                "last": index == runs - 1,
            }
        )
        for index in range(runs)
    ]
    where = table.filters[0][1] + " · " + table.filters[1][1]
    overlay = {
        "locale": context["locale"],
        "generated_by": facts.generated_by,
        "generated_at_local": facts.generated_at_local,
        "header": table.title,
        "title": where,
        "downloaded": gettext("Downloaded by %(name)s at %(time)s")
        % {"name": facts.generated_by, "time": facts.generated_at_local},
        "page_of": gettext("Page %(page)s of %(pages)s"),
    }
    return LedgerDocument(parts, overlay)


def overlay_html(document: LedgerDocument, total_pages: int) -> list[str]:
    """The overlay for a document of `total_pages`, cut into runs to lay out side by side."""
    facts = document.overlay
    layers = []
    for first in range(1, total_pages + 1, OVERLAY_PAGES_PER_RUN):
        last = min(total_pages, first + OVERLAY_PAGES_PER_RUN - 1)
        css = page_css(
            facts["header"], facts["title"], facts["downloaded"], facts["page_of"], total_pages, first
        )
        context = {
            "locale": facts["locale"],
            "stylesheet": "ledger.css",
            "generated_by": facts["generated_by"],
            "generated_at_local": facts["generated_at_local"],
            "page_css": css,
            "first_page": first,
            "last_page": last,
            "contents_page": 0,  # a ledger has no contents page
            "contents": [],
        }
        layers.append(_environment().get_template(OVERLAY).render(context))
    return layers
