"""Issuing a ledger: the PDF (sealed, in the export ledger, laid out in the PDF workers) and the workbook
(in a worker thread); each handed out is an audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import anyio

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import TrailExport
from integrity.db.types import utcnow
from integrity.domain.exports.document import ExportFacts
from integrity.domain.exports.sealing import ATTACHMENT_NAME, sealed_trail, sha256_hex, signing_key
from integrity.domain.ledgers import document
from integrity.domain.ledgers.definitions import Ledger
from integrity.domain.ledgers.tables import LedgerTable, ledger_table
from integrity.domain.statistics.figures import Reach
from integrity.domain.statistics.periods import Period
from integrity.lib import excel
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.audit.checkpoint import checkpoint_head
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import gettext
from integrity.lib.pdf.pool import PdfPool
from integrity.lib.pdf.render import EmbeddedFile, RenderJob
from integrity.lib.templating import local_time

KIND = "ledger"
ACTION = "statistics.ledger_export"


@dataclass(frozen=True)
class IssuedLedger:
    export: TrailExport | None  # the PDF's entry in the export ledger; None for a workbook
    data: bytes
    filename: str


def file_name(table: LedgerTable, suffix: str) -> str:
    p = table.period
    return f"{table.title}-{table.reach.unit.code}-{p.start.isoformat()}-{p.end.isoformat()}.{suffix}"


def _facts_json(table: LedgerTable, facts: ExportFacts, user_id: int) -> dict[str, Any]:
    """What the sealed attachment says the ledger is, with every row as printed."""
    return {
        "id": facts.id,
        "kind": KIND,
        "ledger": table.ledger.name,
        "title": table.title,
        "unit_id": table.reach.unit.id,
        "descendants": table.reach.descendants,
        "category": table.reach.category,
        "source": table.reach.source,
        "period": {"start": table.period.start.isoformat(), "end": table.period.end.isoformat()},
        "headings": table.headings,
        "rows": [[c.isoformat() if isinstance(c, date) else c for c in row] for row in table.rows],
        "generated_by": facts.generated_by,
        "generated_by_id": user_id,
        "generated_at": facts.generated_at.isoformat(),
    }


async def _audit(
    db: Database, actor: Actor, table: LedgerTable, form: str, export: TrailExport | None
) -> None:
    unit_id = table.reach.unit.id or 0
    extra = {
        "ledger": table.ledger.name,
        "file_format": form,
        "start": table.period.start.isoformat(),
        "end": table.period.end.isoformat(),
        "rows": len(table.rows),
    }
    if export is not None:
        extra |= {"export_id": export.id, "pdf_sha256": export.pdf_sha256, "pages": export.pages}
    async with db.write_session() as session:
        if export is not None:
            session.add(export)
        await record(session, actor, AuditEntry(ACTION, "unit", unit_id, unit_id, extra=extra))
        await session.commit()


async def ledger_pdf(
    db: Database,
    pool: PdfPool,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    ledger: Ledger,
    reach: Reach,
    period: Period,
    stored: bool = False,
) -> IssuedLedger:
    """The ledger as a sealed PDF/A-3 with the downloader's watermark, recorded in the export ledger."""
    async with db.read_session() as session:
        table = await ledger_table(session, access, ledger, reach, period)
    key = await anyio.to_thread.run_sync(signing_key, settings)
    async with db.write_session() as session:
        checkpoint = await checkpoint_head(session, key)
        await session.commit()
    facts = ExportFacts(str(uuid.uuid4()), access.principal.display_name, utcnow(), settings.timezone)
    sealed = sealed_trail(key, _facts_json(table, facts, access.principal.user_id), [], checkpoint)
    sealed_sha = sha256_hex(sealed)
    made = await anyio.to_thread.run_sync(document.ledger_document, table, facts, sealed_sha)
    attachment = EmbeddedFile(ATTACHMENT_NAME, sealed, "The ledger's rows, sealed (integrity-trail/1)")
    jobs = [RenderJob(made.parts[0], (attachment,), facts.generated_at)]
    jobs += [RenderJob(html, (), facts.generated_at) for html in made.parts[1:]]
    parts = await pool.render_parts(jobs)
    overlays = document.overlay_html(made, sum(p.pages for p in parts))
    layers = await pool.render_parts([RenderJob(html) for html in overlays])
    rendered = await pool.compose([p.pdf for p in parts], [layer.pdf for layer in layers])
    export = TrailExport(
        id=facts.id,
        kind=KIND,
        unit_id=reach.unit.id or 0,
        user_id=access.principal.user_id,
        generated_by=facts.generated_by,
        generated_at=facts.generated_at,
        pdf_sha256=sha256_hex(rendered.pdf),
        trail_sha256=sealed_sha,
        events=0,
        pages=rendered.pages,
        size=len(rendered.pdf),
        head_seq=checkpoint.seq,
        checkpoint_seq=checkpoint.seq,
        title=f"{table.title} · {table.filters[0][1]} · {table.filters[1][1]}"[:300],
        stored=stored,
    )
    await _audit(db, actor, table, "pdf", export)
    return IssuedLedger(export, rendered.pdf, file_name(table, "pdf"))


async def ledger_xlsx(
    db: Database, access: AccessScope, actor: Actor, ledger: Ledger, reach: Reach, period: Period
) -> IssuedLedger:
    """The ledger as a workbook: the filters on top, labelled columns, a frozen header, the total below."""
    async with db.read_session() as session:
        table = await ledger_table(session, access, ledger, reach, period)
    made_by = gettext("Made by %(name)s at %(time)s") % {
        "name": access.principal.display_name,
        "time": local_time(utcnow()),
    }
    sheet = excel.LedgerSheet(
        table.title,
        [f"{what}：{value}" for what, value in table.filters] + [made_by],
        [gettext("No."), *table.headings],
        [[n, *row] for n, row in enumerate(table.rows, start=1)],
        document.total_line(table),
        (gettext(table.ledger.chart.title), [gettext("What"), gettext("Count")], table.chart),
    )
    data = await excel.ledger_workbook(sheet)
    await _audit(db, actor, table, "xlsx", None)
    return IssuedLedger(None, data, file_name(table, "xlsx"))
