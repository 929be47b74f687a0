"""An event's attendance record (出勤记录) after it closes: counts by status and every person's outcome,
with the event's own audit events sealed inside (as a case trail's are) and a QR code that the export
ledger verifies. Rendered in the PDF workers; each one issued is in the ledger and audited."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import exists, select
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import AuditEvent, AuditEventCase, TrailExport, Unit
from integrity.db.types import utcnow
from integrity.domain.education import listing, types
from integrity.domain.education.events import organised_event
from integrity.domain.education.workflow import ARCHIVED, CLOSED
from integrity.domain.exports.sealing import ATTACHMENT_NAME, sealed_trail, sha256_hex, signing_key
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.audit.checkpoint import checkpoint_head
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict
from integrity.lib.i18n import N_, current_locale, local_name
from integrity.lib.pdf.pool import PdfPool
from integrity.lib.pdf.render import EmbeddedFile, RenderJob
from integrity.lib.qr import qr_svg
from integrity.lib.templating import local_time, template_environment

KIND = "attendance"
ACTION = "education.record_export"
ORDER = ("present", "late", "made_up", "excused", "absent")


@dataclass(frozen=True)
class RecordPdf:
    export: TrailExport
    pdf: bytes
    filename: str


async def _people(session: Any, event_id: int) -> list[dict[str, Any]]:
    """Everyone on the list (the record has no cut-off), as the record prints and seals them."""
    return [
        {
            "name": r["name"],
            "unit": local_name(r["unit"].name, r["unit"].name_en),
            "status": r["row"].status,
            "signed_at": r["row"].signed_at,
            "method": r["row"].method,  # qr or code: signed in themselves; staff: marked by an organiser
            "walk_in": r["row"].walk_in,
            "note": r["row"].note,
        }
        for r in await listing.roster_rows(session, event_id, limit=None)
    ]


async def _events(session: Any, event_id: int) -> list[AuditEvent]:
    """The event's own audit trail; never an event that is also about a case (a teaching case's)."""
    about_a_case = exists().where(col(AuditEventCase.seq) == col(AuditEvent.seq))
    found = await session.execute(
        select(AuditEvent)
        .where(
            col(AuditEvent.object_type) == "education",
            col(AuditEvent.object_id) == str(event_id),
            ~about_a_case,
        )
        .order_by(col(AuditEvent.seq))
    )
    return list(found.scalars())


def record_html(context: dict[str, Any]) -> str:
    return template_environment().get_template("pdf/attendance.html").render(**context)


async def attendance_record(
    db: Database, pool: PdfPool, settings: Settings, access: AccessScope, actor: Actor, event_id: int
) -> RecordPdf:
    """The closed event's attendance record as a sealed PDF/A-3, in the export ledger (404 outside scope)."""
    async with db.read_session() as session:
        event = (await organised_event(session, access, event_id, "read")).event
        if event.status not in (CLOSED, ARCHIVED):
            raise Conflict(N_("The attendance record is issued once the event is closed."))
        unit = await session.get(Unit, event.unit_id)
        assert unit is not None
        people = await _people(session, event_id)
        trail = await _events(session, event_id)
        type_name = (await types.type_names(session)).get(event.type_code, event.type_code)
    key = await anyio.to_thread.run_sync(signing_key, settings)
    async with db.write_session() as session:
        checkpoint = await checkpoint_head(session, key)  # at or after every event read above
        await session.commit()
    export_id, now = str(uuid.uuid4()), utcnow()
    counts = Counter(p["status"] for p in people)
    facts = {
        "id": export_id,
        "kind": KIND,
        "event_id": event_id,
        "event_title": event.title,
        "counts": {s: counts.get(s, 0) for s in (*ORDER, "invited")},
        "people": [
            {**p, "signed_at": p["signed_at"].isoformat() if p["signed_at"] else None} for p in people
        ],
        "generated_by": access.principal.display_name,
        "generated_by_id": access.principal.user_id,
        "generated_at": now.isoformat(),
    }
    sealed = sealed_trail(key, facts, trail, checkpoint)
    sealed_sha = sha256_hex(sealed)
    html = record_html(
        {
            "event": event,
            "unit": unit,
            "type_name": type_name,
            "people": people,
            "counts": [(s, counts.get(s, 0)) for s in ORDER],
            "total": len(people),
            "attended": sum(counts.get(s, 0) for s in ("present", "late", "made_up")),
            "export_id": export_id,
            "sealed_sha": sealed_sha,
            "events": len(trail),
            "qr": qr_svg(f"integrity-export:{export_id}:{sealed_sha}"),
            "printed_by": access.principal.display_name,
            "printed_at": local_time(now),
            "locale": current_locale.get(),
        }
    )
    attachment = EmbeddedFile(ATTACHMENT_NAME, sealed, "Attendance record and the event's audit trail")
    rendered = await pool.render(RenderJob(html, (attachment,), now))
    export = TrailExport(
        id=export_id,
        kind=KIND,
        event_id=event_id,
        unit_id=event.unit_id,
        user_id=access.principal.user_id,
        generated_by=access.principal.display_name,
        generated_at=now,
        pdf_sha256=sha256_hex(rendered.pdf),
        trail_sha256=sealed_sha,
        events=len(trail),
        pages=rendered.pages,
        size=len(rendered.pdf),
        head_seq=checkpoint.seq,
        checkpoint_seq=checkpoint.seq,
    )
    async with db.write_session() as session:
        session.add(export)
        after = {"export_id": export_id, "pdf_sha256": export.pdf_sha256, "people": len(people)}
        await record(session, actor, AuditEntry(ACTION, "education", event_id, event.unit_id, after=after))
        await session.commit()
    return RecordPdf(export, rendered.pdf, f"attendance-record-{event_id}.pdf")
