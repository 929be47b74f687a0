"""Server-rendered pages: the rectifier's items, an item with its history, evidence and decisions."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Stream, Template
from sqlmodel import col, select

from integrity.db.models import Case, Unit
from integrity.domain.approvals.services import may_decide
from integrity.domain.cases.clocks import local_today
from integrity.domain.rectification import closeout, items, reinspection, services, workflow
from integrity.domain.rectification.schemas import ReInspectionOutcomeIn
from integrity.domain.users.services import display_names
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import DomainError
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_
from integrity.lib.uploads import download


class TextForm(msgspec.Struct):
    body: str = ""
    csrf_token: str = ""


class ReasonForm(msgspec.Struct):
    reason: str = ""
    csrf_token: str = ""


class ScheduleForm(msgspec.Struct):
    scheduled_on: date
    csrf_token: str = ""


class OutcomeForm(msgspec.Struct):
    outcome: str
    findings: str = ""
    csrf_token: str = ""


@dataclass
class SubmitForm:
    """Evidence and the description in one form: the file is optional once some evidence is attached."""

    description: str = ""
    file: UploadFile | None = None
    csrf_token: str = ""


class RectificationPages(Controller):
    path = "/rectification"
    opt = permission("rectification", "read")
    include_in_schema = False

    @get("/")
    async def item_list(
        self, db: Db, access: Access, status: FromQuery[str] = "", overdue: FromQuery[bool] = False,
        mine: FromQuery[bool | None] = None,
    ) -> Template:  # fmt: skip
        """Rectifiers land on their own items; staff see every visible item."""
        if mine is None:
            mine = "rectifier" in access.principal.roles and not access.can_anywhere(
                "rectification", "create"
            )
        chosen = status if status in workflow.STATUSES else None
        items = await services.list_items(db, access, services.ItemFilters(mine, chosen, overdue))
        units = dict((await db.execute(select(col(Unit.id), col(Unit.name)))).all())
        return Template(
            "rectification/list.html",
            context={
                "items": items,
                "units": units,
                "names": await display_names(db, {i.responsible_user_id for i in items}),
                "today": local_today(),
                "is_overdue": workflow.is_overdue,
                "filters": {"status": chosen or "", "overdue": overdue, "mine": mine},
                "statuses": workflow.STATUSES,
            },
        )

    @get("/items/{item_id:int}")
    async def item_page(self, db: Db, access: Access, item_id: FromPath[int]) -> Template:
        return await self._page(db, access, item_id)

    async def _page(
        self, db: Db, access: Access, item_id: int, error: str = "", status: int = 200
    ) -> Template:
        f = await services.load_item_file(db, access, item_id)
        item = f.item
        path = await services.unit_path(db, item.unit_id)
        people = {item.responsible_user_id, item.created_by_id} | {s.actor_id for s in f.steps}
        case = await db.get(Case, item.case_id) if f.case_visible and item.case_id else None
        return Template(
            "rectification/item.html",
            status_code=status,
            context={
                "file": f,
                "item": item,
                "case": case,
                "unit": await db.get(Unit, item.unit_id),
                "names": await display_names(db, people),
                "today": local_today(),
                "is_overdue": workflow.is_overdue,
                "error": error,
                "steps": services.offered(access, item, path),  # the table's rule: what this user may do
                "can_decide": f.pending is not None and await may_decide(db, access, f.pending),
                "open_visit": next((r for r in f.reinspections if r.outcome is None), None),
            },
        )

    async def _then_back(
        self, db: Db, access: Access, item_id: int, action: Awaitable[Any], done: str = "saved"
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, item_id, error, status)

        return await act_then_redirect(db, action, f"/rectification/items/{item_id}", show_again, done)

    @post("/items/{item_id:int}/submit", opt=permission("rectification", "submit"), status_code=200)
    async def submit(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        item_id: FromPath[int],
        data: Annotated[SubmitForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        async def submit() -> None:
            if data.file is not None and data.file.filename:
                await closeout.add_evidence(db, settings, access, actor, item_id, data.file)
            await closeout.submit(db, access, actor, item_id, data.description)

        return await self._then_back(db, access, item_id, submit(), "submitted")

    @post("/items/{item_id:int}/comments", status_code=200)
    async def comment(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        item_id: FromPath[int],
        data: Annotated[TextForm, FORM],
    ) -> Template | Redirect:
        return await self._then_back(
            db, access, item_id, items.comment(db, access, actor, item_id, data.body), "comment"
        )

    @post("/items/{item_id:int}/reopen", opt=permission("rectification", "approve"), status_code=200)
    async def reopen(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        item_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Template | Redirect:
        return await self._then_back(
            db, access, item_id, closeout.reopen(db, access, actor, item_id, data.reason), "reopened"
        )

    @post("/items/{item_id:int}/reinspections", opt=permission("rectification", "create"), status_code=200)
    async def schedule(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        item_id: FromPath[int],
        data: Annotated[ScheduleForm, FORM],
    ) -> Template | Redirect:
        action = reinspection.schedule_reinspection(db, access, actor, item_id, data.scheduled_on)
        return await self._then_back(db, access, item_id, action, "scheduled")

    @post(
        "/items/{item_id:int}/reinspections/{visit_id:int}/outcome",
        opt=permission("rectification", "create"),
        status_code=200,
    )
    async def outcome(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        item_id: FromPath[int],
        visit_id: FromPath[int],
        data: Annotated[OutcomeForm, FORM],
    ) -> Template | Redirect:
        async def record() -> None:
            if data.outcome not in ("confirmed", "reopened"):
                raise DomainError(N_("Choose an outcome."))
            body = ReInspectionOutcomeIn(data.outcome, data.findings)  # type: ignore[arg-type]
            await reinspection.record_reinspection(db, access, actor, item_id, visit_id, body)

        return await self._then_back(db, access, item_id, record(), "recorded")

    @get("/items/{item_id:int}/evidence/{evidence_id:int}")
    async def evidence(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        item_id: FromPath[int],
        evidence_id: FromPath[int],
    ) -> Stream:
        row, path = await closeout.open_evidence(db, settings, access, actor, item_id, evidence_id)
        await db.commit()
        return download(path, row.content_type, row.filename, row.size)
