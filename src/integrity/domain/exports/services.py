"""Exporting a case trail (checkpoint, seal, render off the loop, ledger) and verifying an export later."""

from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import Case, EducationEvent, TrailExport, Unit
from integrity.db.types import utcnow
from integrity.domain.cases.visibility import visible_case_ids
from integrity.domain.exports.document import ExportFacts, overlay_html, trail_document
from integrity.domain.exports.sealing import ATTACHMENT_NAME, sealed_trail, sha256_hex, signing_key
from integrity.domain.exports.trail import load_case_trail
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.audit.checkpoint import checkpoint_head, public_key_text
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Forbidden, InvalidInput
from integrity.lib.i18n import N_, gettext
from integrity.lib.pdf.pool import PdfPool
from integrity.lib.pdf.render import EmbeddedFile, RenderJob

log = logging.getLogger("integrity")
# Reading an uploaded PDF is CPU work: at most two at a time, in worker threads.
_readers = anyio.CapacityLimiter(2)
EXPORT_ACTION = "case.trail_export"


@dataclass(frozen=True)
class TrailPdf:
    export: TrailExport
    pdf: bytes
    filename: str


async def export_case_trail(
    db: Database, pool: PdfPool, settings: Settings, access: AccessScope, actor: Actor, case_id: int
) -> TrailPdf:
    """The case's trail as a sealed PDF/A-3, recorded in the export ledger with its SHA-256."""
    async with db.read_session() as session:
        trail = await load_case_trail(session, access, case_id)  # 404 unless the reader may see the case
    case = trail.file.case
    if not access.can("export", "create", trail.file.unit.path):
        raise Forbidden(gettext("Your roles do not allow exporting this case's trail."))
    key = await anyio.to_thread.run_sync(signing_key, settings)
    # A fresh checkpoint: every event read above is at or below the head it signs.
    async with db.write_session() as session:
        checkpoint = await checkpoint_head(session, key)
        await session.commit()
    facts = ExportFacts(str(uuid.uuid4()), access.principal.display_name, utcnow(), settings.timezone)
    export_json = {
        "id": facts.id,
        "case_id": case.id,
        "case_number": case.number,
        "generated_by": facts.generated_by,
        "generated_by_id": access.principal.user_id,
        "generated_at": facts.generated_at.isoformat(),
    }
    trail_bytes = sealed_trail(key, export_json, trail.events, checkpoint)
    trail_sha = sha256_hex(trail_bytes)
    public_key = public_key_text(key.public_key())
    document = await anyio.to_thread.run_sync(
        lambda: trail_document(trail, facts, checkpoint, public_key, trail_sha, pool.workers)
    )
    attachment = EmbeddedFile(
        ATTACHMENT_NAME, trail_bytes, "Machine-readable audit trail (integrity-trail/1)"
    )
    # The front part carries the attachment and the PDF/A catalogue that the merged document keeps.
    jobs = [RenderJob(document.parts[0], (attachment,), facts.generated_at)]
    jobs += [RenderJob(html, (), facts.generated_at) for html in document.parts[1:]]
    parts = await pool.render_parts(jobs)
    overlays = await anyio.to_thread.run_sync(
        lambda: overlay_html(document, [p.pages for p in parts], [p.anchors for p in parts])
    )
    layers = await pool.render_parts([RenderJob(html) for html in overlays])
    rendered = await pool.compose([p.pdf for p in parts], [layer.pdf for layer in layers])
    refused = [url for p in (*parts, *layers) for url in p.refused]
    if refused:  # our templates reference nothing outside the assets: someone tried
        log.warning(
            "case %s trail: the PDF fetcher refused %d URLs, e.g. %s", case_id, len(refused), refused[0]
        )
    export = TrailExport(
        id=facts.id,
        case_id=int(case.id or 0),
        unit_id=case.unit_id,
        user_id=access.principal.user_id,
        generated_by=facts.generated_by,
        generated_at=facts.generated_at,
        pdf_sha256=sha256_hex(rendered.pdf),
        trail_sha256=trail_sha,
        events=len(trail.events),
        pages=rendered.pages,
        size=len(rendered.pdf),
        head_seq=checkpoint.seq,
        checkpoint_seq=checkpoint.seq,
    )
    async with db.write_session() as session:
        session.add(export)
        await record(
            session,
            actor,
            AuditEntry(
                EXPORT_ACTION,
                "case",
                case_id,
                case.unit_id,
                after={
                    "export_id": export.id,
                    "pdf_sha256": export.pdf_sha256,
                    "trail_sha256": trail_sha,
                    "pages": export.pages,
                    "events": export.events,
                },
            ),
        )
        await session.commit()
    return TrailPdf(export, rendered.pdf, f"{case.number}-trail.pdf")


@dataclass(frozen=True)
class Verdict:
    authentic: bool
    reason: str
    export: TrailExport | None = None
    case_number: str = ""
    sha256: str = ""
    event_title: str = ""  # an attendance record's event
    ledger_title: str = ""  # a ledger's: which ledger, unit and period


async def _verdict(
    session: AsyncSession, access: AccessScope, authentic: bool, reason: str, export: TrailExport, sha256: str
) -> Verdict:
    """The verdict with the export's facts, which only a reader who may see its case (or organise its
    education event) is told."""
    if export.kind == "ledger":  # its title names a unit and period: told to who reads that unit's cases
        path = (await session.execute(select(col(Unit.path)).where(col(Unit.id) == export.unit_id))).scalar()
        if path is None or not access.can("case", "read", path):
            return Verdict(authentic, reason, sha256=sha256)
        return Verdict(authentic, reason, export, sha256=sha256, ledger_title=export.title)
    if export.kind == "attendance":
        found = (
            await session.execute(
                select(col(EducationEvent.title), col(Unit.path))
                .join(Unit, col(Unit.id) == col(EducationEvent.unit_id))
                .where(col(EducationEvent.id) == export.event_id)
            )
        ).first()
        if found is None or not access.can("education", "read", found[1]):
            return Verdict(authentic, reason, sha256=sha256)
        return Verdict(authentic, reason, export, sha256=sha256, event_title=str(found[0]))
    number = (
        await session.execute(
            select(col(Case.number)).where(
                col(Case.id) == export.case_id, col(Case.id).in_(visible_case_ids(access))
            )
        )
    ).scalar()
    if number is None:  # authentic or not, and nothing about a case this reader may not see
        return Verdict(authentic, reason, sha256=sha256)
    return Verdict(authentic, reason, export, str(number), sha256)


async def verify_hash(session: AsyncSession, access: AccessScope, value: str) -> Verdict:
    """A PDF's SHA-256 (or the trail's, or an export id from the QR code) looked up in the ledger."""
    value = value.strip().lower()
    if value.startswith("integrity-export:"):  # the QR code's text: integrity-export:<id>:<trail sha-256>
        value = value.split(":")[-1]
    if not value or len(value) > 64 or any(ch not in "0123456789abcdef-" for ch in value):
        raise InvalidInput(gettext("Give a SHA-256 (64 hexadecimal digits) or an export id."))
    export = (
        await session.execute(
            select(TrailExport).where(
                or_(
                    col(TrailExport.pdf_sha256) == value,
                    col(TrailExport.trail_sha256) == value,
                    col(TrailExport.id) == value,
                )
            )
        )
    ).scalar_one_or_none()
    if export is None:
        return Verdict(False, gettext(N_("No export of this service has this hash.")), sha256=value)
    if value == export.pdf_sha256:
        authentic, reason = True, gettext(N_("Authentic: this is the PDF exactly as the service issued it."))
    elif value == export.trail_sha256:
        authentic = True
        reason = gettext(
            N_("Authentic trail: the service issued a PDF carrying exactly this trail (its QR code).")
        )
    else:
        authentic = False
        reason = gettext(N_("This export exists; give the PDF or its SHA-256 to check that it is unaltered."))
    return await _verdict(session, access, authentic, reason, export, value)


def embedded_trail(pdf: bytes) -> dict[str, Any] | None:
    """The trail.json inside a PDF, or None when there is none or the file is not a readable PDF."""
    try:
        files = PdfReader(io.BytesIO(pdf)).attachments.get(ATTACHMENT_NAME) or []
        return json.loads(files[0]) if files else None
    except (PyPdfError, ValueError, KeyError, TypeError):
        return None


async def verify_pdf(session: AsyncSession, access: AccessScope, pdf: bytes) -> Verdict:
    """An uploaded PDF: authentic when its SHA-256 is in the ledger; otherwise say what it claims to be."""
    if not pdf.startswith(b"%PDF"):
        raise InvalidInput(gettext("The file is not a PDF."))
    digest = sha256_hex(pdf)
    found = (
        await session.execute(select(TrailExport).where(col(TrailExport.pdf_sha256) == digest))
    ).scalar_one_or_none()
    if found is not None:
        reason = gettext(N_("Authentic: this is the PDF exactly as the service issued it."))
        return await _verdict(session, access, True, reason, found, digest)
    async with _readers:
        claimed = await anyio.to_thread.run_sync(embedded_trail, pdf)
    export_id = str(((claimed or {}).get("export") or {}).get("id", ""))
    claimed_export = await session.get(TrailExport, export_id) if export_id else None
    if claimed_export is None:
        return Verdict(
            False, gettext(N_("Not an export of this service: no such PDF in the ledger.")), sha256=digest
        )
    reason = gettext(
        N_("Altered: it claims to be export %(id)s, but its bytes differ from the PDF that was issued.")
    ) % {"id": export_id}
    return await _verdict(session, access, False, reason, claimed_export, digest)
