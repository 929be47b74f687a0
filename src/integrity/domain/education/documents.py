"""An event's paper sign-in sheet (签到表): the fixed list by unit with a blank signature column,
rendered in the PDF workers (never on the event loop); each printing is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import Unit
from integrity.db.types import utcnow
from integrity.domain.education import listing, types
from integrity.domain.education.events import organised_event
from integrity.domain.education.workflow import DRAFT
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict
from integrity.lib.i18n import N_, current_locale, local_name
from integrity.lib.pdf.pool import PdfPool
from integrity.lib.pdf.render import RenderJob
from integrity.lib.templating import local_time, template_environment


@dataclass(frozen=True)
class Sheet:
    pdf: bytes
    filename: str


def roster_html(event: Any, unit: Unit, type_name: str, rows: list[dict[str, Any]], printed_by: str) -> str:
    """The sheet's HTML: invitees grouped by their unit, numbered straight through."""
    groups: list[dict[str, Any]] = []
    for n, row in enumerate(rows, 1):
        name = local_name(row["unit"].name, row["unit"].name_en)
        if not groups or groups[-1]["unit"] != name:
            groups.append({"unit": name, "people": []})
        groups[-1]["people"].append({"n": n, "name": row["name"]})
    return (
        template_environment()
        .get_template("pdf/roster.html")
        .render(
            event=event,
            unit=unit,
            type_name=type_name,
            groups=groups,
            total=len(rows),
            printed_by=printed_by,
            printed_at=local_time(utcnow()),
            locale=current_locale.get(),
        )
    )


async def roster_sheet(
    session: AsyncSession, pool: PdfPool, access: AccessScope, actor: Actor, event_id: int
) -> Sheet:
    """The printable sign-in sheet of a published event (404 outside the reader's scope)."""
    event = (await organised_event(session, access, event_id, "read")).event
    if event.status == DRAFT:
        raise Conflict(N_("The list is fixed when the event is published; print the sheet after that."))
    unit = await session.get(Unit, event.unit_id)
    assert unit is not None
    rows = await listing.roster_rows(session, event_id)
    names = await types.type_names(session)
    html = roster_html(
        event, unit, names.get(event.type_code, event.type_code), rows, access.principal.display_name
    )
    rendered = await pool.render(RenderJob(html, (), utcnow()))
    extra = {"people": len(rows), "pages": rendered.pages}
    await record(
        session,
        actor,
        AuditEntry("education.roster_print", "education", event_id, event.unit_id, extra=extra),
    )
    return Sheet(rendered.pdf, f"sign-in-sheet-{event_id}.pdf")
