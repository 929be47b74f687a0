"""API for cases: register, list, read, move through the lifecycle, staff, recuse."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream
from sqlmodel import col, select

from integrity.db.models import CaseNote
from integrity.domain.approvals.schemas import ApprovalOut
from integrity.domain.cases import (
    clocks,
    evidence,
    export,
    extensions,
    importing,
    listing,
    record,
    services,
    team,
    transitions,
)
from integrity.domain.cases.case_file import load_case_file
from integrity.domain.cases.extensions import ExtensionIn
from integrity.domain.cases.record import CasePatch, LinkIn, NoteIn
from integrity.domain.cases.schemas import (
    AssignmentIn,
    CaseClockOut,
    CaseDetail,
    CaseEvidenceOut,
    CaseIn,
    CaseOut,
    ImportOut,
    LinkOut,
    NoteOut,
    RecusalIn,
    TeamMemberOut,
    TransitionIn,
    TransitionOut,
)
from integrity.domain.org.schemas import PersonOut
from integrity.lib import excel
from integrity.lib.audit import AuditEntry
from integrity.lib.audit import record as audit_record
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import InvalidInput
from integrity.lib.excel import XLSX
from integrity.lib.i18n import N_, gettext
from integrity.lib.pagination import Page, PageLimit, QueryId
from integrity.lib.uploads import UploadForm, content_disposition, download, file_part


def provide_case_filters(
    status: FromQuery[str | None] = None,
    clock: Annotated[str | None, Parameter(schema_extra={"enum": ["", *listing.CLOCK_FILTERS]})] = None,
    q: FromQuery[str | None] = None,
    unit_id: QueryId = None,
    descendants: FromQuery[bool] = True,
    category: FromQuery[str | None] = None,
    source: FromQuery[str | None] = None,
    assignee_id: QueryId = None,
    received_from: FromQuery[date | None] = None,
    received_to: FromQuery[date | None] = None,
    confidential: FromQuery[bool | None] = None,
    sort: Annotated[str, Parameter(schema_extra={"enum": list(listing.SORTS)})] = "id",
) -> listing.CaseFilters:
    """The list filters from the query string, shared by the list and its Excel export."""
    return listing.CaseFilters(
        status,
        clock,
        q,
        unit_id,
        descendants,
        category,
        source,
        assignee_id,
        received_from,
        received_to,
        confidential,
        sort,
    )


class CasePage(Page[CaseOut]):
    """One page of the list; pass `next_cursor` back as `cursor` for the next one."""


class CaseController(Controller):
    path = "/api/v1/cases"
    dependencies = {"filters": Provide(provide_case_filters, sync_to_thread=False)}
    opt = permission("case", "read")
    tags = ["cases"]

    @get("/")
    async def list_cases(
        self,
        db: Db,
        access: Access,
        filters: NamedDependency[listing.CaseFilters],
        cursor: FromQuery[str | None] = None,
        limit: PageLimit = 50,
    ) -> CasePage:
        """Visible cases, filtered, 50 a page by default; `q` searches title, summary, number and notes.

        `sort`: by id (default), `received` (newest first), `number`, or `due` (most urgent running
        deadline first, cases with one only); the cursor carries on in the same order."""
        page = await listing.list_cases(db, access, cursor, limit, filters)
        return CasePage([CaseOut.of(c) for c in page.items], page.next_cursor)

    @get("/export.xlsx", media_type=XLSX)
    async def export(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        access: Access,
        actor: AuditActor,
        filters: NamedDependency[listing.CaseFilters],
    ) -> Response[bytes]:
        """The filtered list as an Excel workbook (at most 50,000 rows); every export is audited."""
        found = await listing.filtered_cases(db, access, filters, export.MAX_ROWS)
        title = gettext(N_("Case ledger"))
        header = [gettext(h) for h in export.HEADER]
        body = await excel.workbook(title, header, await export.ledger_rows(db, found))
        async with request.app.state.db.write_session() as session:
            await audit_record(
                session,
                actor,
                AuditEntry(
                    "case.export",
                    "case_list",
                    "",
                    access.principal.unit_id,
                    extra={"rows": len(found), "filters": msgspec.to_builtins(filters)},
                ),
            )
            await session.commit()
        name = excel.file_name(title, clocks.local_today())
        return Response(body, media_type=XLSX, headers={"content-disposition": content_disposition(name)})

    @post("/import", opt=permission("case", "create"), status_code=200)
    async def import_leads(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        data: UploadForm,
        dry_run: FromQuery[bool] = False,
    ) -> ImportOut:
        """Register leads from an .xlsx sheet: all rows or none; 422 lists every bad row and column."""
        upload = file_part(data)
        sheet = await importing.read_sheet(await importing.read_upload(upload))
        report = await importing.import_leads(
            db, settings, access, actor, sheet, filename=upload.filename, dry_run=dry_run
        )
        rows = importing.report_rows(report, str)  # the API speaks the msgids, like its problem details
        if not report.ok:
            await db.rollback()
            raise InvalidInput(
                N_("Some rows cannot be imported; nothing was registered."), errors=rows, rows=report.rows
            )
        if dry_run:
            await db.rollback()
        else:
            await db.commit()
        return ImportOut(report.rows, [] if dry_run else report.registered, rows, dry_run)

    @get("/import-template.xlsx", opt=permission("case", "create"), media_type=XLSX)
    async def import_template(self, db: Db, access: Access) -> Response[bytes]:
        """An empty sheet with the column headers in the reader's language, and the codes it accepts."""
        body = await importing.template_workbook(
            [gettext(c.header) for c in importing.COLUMNS], await importing.code_sheet(db, access, gettext)
        )
        return Response(
            body,
            media_type=XLSX,
            headers={"content-disposition": content_disposition("leads-template.xlsx")},
        )

    @get("/count")
    async def count_cases(
        self, db: Db, access: Access, filters: NamedDependency[listing.CaseFilters]
    ) -> dict[str, int]:
        """How many visible cases the list would give for the same filters (`q` included)."""
        return {"count": await listing.count_cases(db, access, filters)}

    @post("/", opt=permission("case", "create"))
    async def register_case(
        self, db: Db, access: Access, actor: AuditActor, settings: AppSettings, data: JSONBody[CaseIn]
    ) -> CaseOut:
        case = await services.register_case(db, settings, access, actor, data)
        await db.commit()
        return CaseOut.of(case)

    @get("/{case_id:int}")
    async def get_case(self, db: Db, access: Access, case_id: FromPath[int]) -> CaseDetail:
        found = await load_case_file(db, access, case_id)
        return CaseDetail(
            CaseOut.of(found.case),
            [PersonOut.of(p) for p in found.subjects],
            [TeamMemberOut.of(a) for a in found.team],
            [TransitionOut.of(t) for t in found.history],
            [
                CaseClockOut(
                    v.id,
                    v.rule_code,
                    v.started_on,
                    v.due_on,
                    v.met_on,
                    v.state,
                    v.working_days_left,
                    v.extendable,
                    v.id in found.pending_extensions,
                    v.stopped_on,
                    v.stop_reason,
                )
                for v in found.clocks
            ],
            [t.name for t in found.transitions],
            [
                LinkOut(link.id or 0, link.kind, link.case_id, link.other_case_id, other.number, other.title)
                for link, other in found.links
            ],
        )

    @post("/{case_id:int}/clocks/{clock_id:int}/extensions", opt=permission("case", "propose"))
    async def propose_extension(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        clock_id: FromPath[int],
        data: JSONBody[ExtensionIn],
    ) -> ApprovalOut:
        """Ask for more time on a running clock, with a reason; a reviewer approves or returns it."""
        request = await extensions.propose_extension(db, access, actor, case_id, clock_id, data)
        await db.commit()
        return ApprovalOut.of(request)

    @post("/{case_id:int}/clocks/{clock_id:int}/stop", opt=permission("case", "approve"), status_code=200)
    async def stop_clock(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        clock_id: FromPath[int],
        data: JSONBody[extensions.ClockStopIn],
    ) -> dict[str, Any]:
        """Stop a running clock with a reason (a reviewer): it no longer counts as due or overdue."""
        clock = await extensions.stop_clock(db, access, actor, case_id, clock_id, data.reason)
        await db.commit()
        return {"id": clock.id, "stopped_on": clock.stopped_on, "stop_reason": clock.stop_reason}

    @post("/{case_id:int}/transitions", status_code=200)
    async def transition(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[TransitionIn]
    ) -> CaseOut:
        case = await transitions.apply_transition(db, access, actor, case_id, data)
        await db.commit()
        return CaseOut.of(case)

    @post("/{case_id:int}/assignments", opt=permission("case", "update"))
    async def assign(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[AssignmentIn]
    ) -> TeamMemberOut:
        assignment = await team.assign(db, access, actor, case_id, data.user_id, data.team)
        await db.commit()
        return TeamMemberOut.of(assignment)

    @patch("/{case_id:int}", opt=permission("case", "update"))
    async def edit(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[CasePatch]
    ) -> CaseOut:
        case = await record.edit_case(db, access, actor, case_id, data)
        await db.commit()
        return CaseOut.of(case)

    @get("/{case_id:int}/notes")
    async def notes(self, db: Db, access: Access, case_id: FromPath[int]) -> list[NoteOut]:
        await services.get_case(db, access, case_id)
        rows = (
            (
                await db.execute(
                    select(CaseNote).where(col(CaseNote.case_id) == case_id).order_by(col(CaseNote.id))
                )
            )
            .scalars()
            .all()
        )
        return [NoteOut(n.id or 0, n.author_id, n.body, n.created_at) for n in rows]

    @post("/{case_id:int}/notes", opt=permission("case", "update"))
    async def add_note(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[NoteIn]
    ) -> NoteOut:
        note = await record.add_note(db, access, actor, case_id, data.body)
        await db.commit()
        return NoteOut(note.id or 0, note.author_id, note.body, note.created_at)

    @post("/{case_id:int}/links", opt=permission("case", "update"))
    async def link(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[LinkIn]
    ) -> dict[str, object]:
        link = await record.link_cases(db, access, actor, case_id, data)
        await db.commit()
        return {
            "id": link.id,
            "case_id": link.case_id,
            "other_case_id": link.other_case_id,
            "kind": link.kind,
        }

    @get("/{case_id:int}/evidence")
    async def list_evidence(self, db: Db, access: Access, case_id: FromPath[int]) -> list[CaseEvidenceOut]:
        return [CaseEvidenceOut.of(e) for e in await evidence.list_evidence(db, access, case_id)]

    @post("/{case_id:int}/evidence", opt=permission("case", "update"))
    async def upload(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        case_id: FromPath[int],
        data: UploadForm,
    ) -> CaseEvidenceOut:
        row = await evidence.store_evidence(db, settings, access, actor, case_id, file_part(data))
        await db.commit()
        return CaseEvidenceOut.of(row)

    @get("/{case_id:int}/evidence/{evidence_id:int}")
    async def download(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        case_id: FromPath[int],
        evidence_id: FromPath[int],
    ) -> Stream:
        found = await evidence.open_evidence(db, settings, access, actor, case_id, evidence_id)
        await db.commit()  # the download is on record before the first byte leaves
        return download(found.path, found.row.content_type, found.row.filename, found.row.size)

    @post("/{case_id:int}/recusal", status_code=204)
    async def recuse(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[RecusalIn]
    ) -> None:
        await team.recuse(db, access, actor, case_id, data.reason)
        await db.commit()
