"""API for recommendation letters and rectification items."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream

from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.services import visible_cases
from integrity.domain.rectification import closeout, items, reinspection, services
from integrity.domain.rectification.schemas import (
    ItemEvidenceOut,
    ItemFileOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    LetterIn,
    LetterOut,
    ReasonIn,
    ReInspectionIn,
    ReInspectionOut,
    ReInspectionOutcomeIn,
    StepOut,
    SubmitIn,
    TextIn,
)
from integrity.domain.rectification.workflow import STATUSES
from integrity.lib.authz import AccessScope
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import one_of
from integrity.lib.pagination import QueryId
from integrity.lib.uploads import UploadForm, download, file_part


def file_out(f: services.ItemFile) -> ItemFileOut:
    return ItemFileOut(
        ItemOut.of(f.item, local_today(), f.case_visible),
        [StepOut.of(s) for s in f.steps],
        [ItemEvidenceOut.of(e) for e in f.evidence],
        [ReInspectionOut.of(r) for r in f.reinspections],
        f.pending.id if f.pending else None,
    )


async def _file(db: Db, access: AccessScope, item_id: int) -> ItemFileOut:
    return file_out(await services.load_item_file(db, access, item_id))


class RectificationController(Controller):
    path = "/api/v1/rectification"
    opt = permission("rectification", "read")
    tags = ["rectification"]

    @get("/items")
    async def list_items(
        self,
        db: Db,
        access: Access,
        mine: FromQuery[bool] = False,
        status: Annotated[str | None, Parameter(schema_extra={"enum": list(STATUSES)})] = None,
        overdue: FromQuery[bool] = False,
        letter_id: QueryId = None,
    ) -> list[ItemOut]:
        """Visible items, soonest due first; `overdue=true` lists those past due and not closed off."""
        if status is not None and status not in STATUSES:
            raise one_of("status", STATUSES)
        items = await services.list_items(db, access, services.ItemFilters(mine, status, overdue, letter_id))
        cases = await visible_cases(db, access, {i.case_id for i in items if i.case_id})
        today = local_today()
        return [ItemOut.of(i, today, i.case_id in cases) for i in items]

    @post("/items", opt=permission("rectification", "create"))
    async def create_item(
        self, db: Db, access: Access, actor: AuditActor, data: JSONBody[ItemIn]
    ) -> ItemFileOut:
        item = await items.create_item(db, access, actor, data)
        await db.commit()
        return await _file(db, access, item.id or 0)

    @get("/items/{item_id:int}")
    async def get_item(self, db: Db, access: Access, item_id: FromPath[int]) -> ItemFileOut:
        return await _file(db, access, item_id)

    @patch("/items/{item_id:int}", opt=permission("rectification", "create"))
    async def edit_item(
        self, db: Db, access: Access, actor: AuditActor, item_id: FromPath[int], data: JSONBody[ItemPatch]
    ) -> ItemFileOut:
        await items.edit_item(db, access, actor, item_id, data)
        await db.commit()
        return await _file(db, access, item_id)

    @post("/items/{item_id:int}/evidence", opt=permission("rectification", "submit"))
    async def add_evidence(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        item_id: FromPath[int],
        data: UploadForm,
    ) -> ItemEvidenceOut:
        row = await closeout.add_evidence(db, settings, access, actor, item_id, file_part(data))
        await db.commit()
        return ItemEvidenceOut.of(row)

    @get("/items/{item_id:int}/evidence/{evidence_id:int}")
    async def download_evidence(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        item_id: FromPath[int],
        evidence_id: FromPath[int],
    ) -> Stream:
        row, path = await closeout.open_evidence(db, settings, access, actor, item_id, evidence_id)
        await db.commit()  # the download is on record before the first byte leaves
        return download(path, row.content_type, row.filename, row.size)

    @post("/items/{item_id:int}/submit", opt=permission("rectification", "submit"))
    async def submit(
        self, db: Db, access: Access, actor: AuditActor, item_id: FromPath[int], data: JSONBody[SubmitIn]
    ) -> ItemFileOut:
        """申请销号: opens a close-out request for a reviewer (`/api/v1/approvals`)."""
        await closeout.submit(db, access, actor, item_id, data.description)
        await db.commit()
        return await _file(db, access, item_id)

    @post("/items/{item_id:int}/comments")
    async def comment(
        self, db: Db, access: Access, actor: AuditActor, item_id: FromPath[int], data: JSONBody[TextIn]
    ) -> ItemFileOut:
        await items.comment(db, access, actor, item_id, data.body)
        await db.commit()
        return await _file(db, access, item_id)

    @post("/items/{item_id:int}/reopen", opt=permission("rectification", "approve"))
    async def reopen(
        self, db: Db, access: Access, actor: AuditActor, item_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ItemFileOut:
        await closeout.reopen(db, access, actor, item_id, data.reason)
        await db.commit()
        return await _file(db, access, item_id)

    @post("/items/{item_id:int}/reinspections", opt=permission("rectification", "create"))
    async def schedule_reinspection(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        item_id: FromPath[int],
        data: JSONBody[ReInspectionIn],
    ) -> ReInspectionOut:
        visit = await reinspection.schedule_reinspection(db, access, actor, item_id, data.scheduled_on)
        await db.commit()
        return ReInspectionOut.of(visit)

    @post(
        "/items/{item_id:int}/reinspections/{visit_id:int}/outcome", opt=permission("rectification", "create")
    )
    async def record_reinspection(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        item_id: FromPath[int],
        visit_id: FromPath[int],
        data: JSONBody[ReInspectionOutcomeIn],
    ) -> ReInspectionOut:
        visit = await reinspection.record_reinspection(db, access, actor, item_id, visit_id, data)
        await db.commit()
        return ReInspectionOut.of(visit)

    @get("/letters")
    async def list_letters(self, db: Db, access: Access) -> list[LetterOut]:
        letters = await services.list_letters(db, access)
        cases = await visible_cases(db, access, {x.case_id for x in letters if x.case_id})
        return [LetterOut.of(x, x.case_id in cases) for x in letters]

    @post("/letters", opt=permission("rectification", "create"))
    async def create_letter(
        self, db: Db, access: Access, actor: AuditActor, data: JSONBody[LetterIn]
    ) -> LetterOut:
        letter, _items = await items.create_letter(db, access, actor, data)
        await db.commit()
        return LetterOut.of(letter, True)

    @get("/letters/{letter_id:int}")
    async def get_letter(self, db: Db, access: Access, letter_id: FromPath[int]) -> LetterOut:
        letter = await services.get_letter(db, access, letter_id)
        visible = letter.case_id is not None and bool(await visible_cases(db, access, {letter.case_id}))
        return LetterOut.of(letter, visible)
