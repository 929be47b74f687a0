"""Server-rendered pages for cases and the approval inbox; forms post here and come back here."""

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
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import (
    CatalogueItem,
    Person,
    Unit,
)
from integrity.domain.approvals import services as approvals
from integrity.domain.cases import evidence, record, services, workflow
from integrity.domain.cases.case_file import load_case_file
from integrity.domain.cases.schemas import CaseIn, TransitionIn
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import DomainError
from integrity.lib.i18n import N_
from integrity.lib.i18n import gettext as _
from integrity.lib.pagination import Page

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


async def catalogue(db: Db, name: str) -> list[CatalogueItem]:
    return list(
        (
            await db.execute(
                select(CatalogueItem)
                .where(col(CatalogueItem.catalogue) == name, col(CatalogueItem.active).is_(True))
                .order_by(col(CatalogueItem.sort))
            )
        )
        .scalars()
        .all()
    )


class RegisterForm(msgspec.Struct):
    unit_id: int
    source: str
    category: str
    title: str
    received_on: date
    summary: str = ""
    confidential: str = ""
    subject_ids: list[int] | int | None = None
    csrf_token: str = ""


class TransitionForm(msgspec.Struct):
    transition: str
    version: int
    reason: str = ""
    disposal: str = ""
    csrf_token: str = ""


@dataclass
class EvidenceForm:
    file: UploadFile
    csrf_token: str = ""


class NoteForm(msgspec.Struct):
    body: str = ""
    csrf_token: str = ""


class DecisionForm(msgspec.Struct):
    comment: str = ""
    csrf_token: str = ""


class CasePages(Controller):
    path = "/cases"
    opt = permission("case", "read")
    include_in_schema = False

    @get("/")
    async def case_list(
        self,
        db: Db,
        access: Access,
        status: FromQuery[str | None] = None,
        clock: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Template:
        try:
            filters = services.CaseFilters(status=status or None, clock=clock or None, query=q or None)
            page = await services.list_cases(db, access, cursor, 50, filters)
        except DomainError:
            page = Page([], None)
        units = {
            u.id: u.name
            for u in (
                await db.execute(select(Unit).where(col(Unit.id).in_({c.unit_id for c in page.items})))
            ).scalars()
        }
        return Template(
            "cases/list.html",
            context={
                "cases": page.items,
                "next_cursor": page.next_cursor,
                "units": units,
                "status": status or "",
                "clock": clock or "",
                "q": q or "",
                "statuses": workflow.STATUSES,
                "can_register": access.can_anywhere("case", "create"),
            },
        )

    async def _form(
        self, db: Db, access: Access, error: str = "", values: dict[str, Any] | None = None, status: int = 200
    ) -> Template:
        units = (
            (
                await db.execute(
                    select(Unit)
                    .where(access.unit_filter("case", "create", Unit.path))
                    .order_by(col(Unit.path))
                )
            )
            .scalars()
            .all()
        )
        persons = (
            (
                await db.execute(
                    select(Person)
                    .join(Unit, col(Unit.id) == col(Person.unit_id))
                    .where(access.unit_filter("person", "read", Unit.path))
                    .order_by(col(Person.id))
                    .limit(1000)
                )
            )
            .scalars()
            .all()
        )
        return Template(
            "cases/new.html",
            status_code=status,
            context={
                "units": units,
                "persons": persons,
                "sources": await catalogue(db, "case_source"),
                "categories": await catalogue(db, "case_category"),
                "error": error,
                "values": values or {},
            },
        )

    @get("/new", opt=permission("case", "create"))
    async def new_case(self, db: Db, access: Access) -> Template:
        return await self._form(db, access)

    @post("/new", opt=permission("case", "create"), status_code=200)
    async def register(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[RegisterForm, FORM],
    ) -> Template | Redirect:
        subjects = (
            data.subject_ids
            if isinstance(data.subject_ids, list)
            else ([data.subject_ids] if data.subject_ids else [])
        )
        payload = CaseIn(
            data.unit_id,
            data.source,
            data.category,
            data.title.strip(),
            data.received_on,
            data.summary,
            bool(data.confidential),
            subjects,
        )
        try:
            if not payload.title:
                raise DomainError(N_("A title is required."))
            case = await services.register_case(db, settings, access, actor, payload)
        except DomainError as exc:
            await db.rollback()
            return await self._form(
                db, access, _(exc.detail), msgspec.structs.asdict(data), status=exc.status
            )
        await db.commit()
        return Redirect(f"/cases/{case.id}", status_code=303)

    @get("/{case_id:int}")
    async def case_page(self, db: Db, access: Access, case_id: FromPath[int]) -> Template:
        return await self._detail(db, access, case_id)

    async def _detail(
        self, db: Db, access: Access, case_id: int, error: str = "", status: int = 200
    ) -> Template:
        found = await load_case_file(db, access, case_id)
        return Template(
            "cases/detail.html",
            status_code=status,
            context={
                "file": found,
                "case": found.case,
                "sources": {i.code: i for i in await catalogue(db, "case_source")},
                "categories": {i.code: i for i in await catalogue(db, "case_category")},
                "disposals": workflow.DISPOSALS,
                "error": error,
            },
        )

    async def _act_then_return(
        self, db: Db, access: Access, case_id: int, action: Awaitable[Any], anchor: str = ""
    ) -> Template | Redirect:
        """Do one change; on a domain error show the case page with the message, else go back to it."""
        try:
            await action
        except DomainError as exc:
            await db.rollback()
            return await self._detail(db, access, case_id, _(exc.detail), exc.status)
        await db.commit()
        return Redirect(f"/cases/{case_id}{anchor}", status_code=303)

    @post("/{case_id:int}/notes", status_code=200)
    async def add_note(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[NoteForm, FORM],
    ) -> Template | Redirect:
        async def add() -> None:
            if not data.body.strip():
                raise DomainError(N_("Write something first."))
            await record.add_note(db, access, actor, case_id, data.body.strip())

        return await self._act_then_return(db, access, case_id, add(), "#notes")

    @post("/{case_id:int}/evidence", status_code=200)
    async def add_evidence(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        case_id: FromPath[int],
        data: Annotated[EvidenceForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        upload = evidence.store_evidence(db, settings, access, actor, case_id, data.file)
        return await self._act_then_return(db, access, case_id, upload, "#evidence")

    @post("/{case_id:int}/transitions", status_code=200)
    async def transition(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[TransitionForm, FORM],
    ) -> Template | Redirect:
        body = TransitionIn(data.transition, data.version, data.reason, data.disposal or None)
        return await self._act_then_return(
            db, access, case_id, services.apply_transition(db, access, actor, case_id, body)
        )


class ApprovalPages(Controller):
    path = "/approvals"
    opt = permission("approval", "decide")
    include_in_schema = False

    @get("/")
    async def inbox(self, db: Db, access: Access) -> Template:
        return await self._inbox(db, access)

    async def _inbox(self, db: Db, access: Access, error: str = "", status: int = 200) -> Template:
        requests = await approvals.inbox(db, access, access.principal.user_id)
        cases = await services.visible_cases(
            db, access, {r.object_id for r in requests if r.object_type == "case"}
        )
        return Template(
            "cases/approvals.html",
            status_code=status,
            context={
                "requests": requests,
                "cases": cases,
                "error": error,
                "payload_of": approvals.payload_of,
            },
        )

    @post("/{request_id:int}/{verb:str}", status_code=200)
    async def decide(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        request_id: FromPath[int],
        verb: FromPath[str],
        data: Annotated[DecisionForm, FORM],
    ) -> Template | Redirect:
        if verb not in ("approve", "return"):
            return Redirect("/approvals", status_code=303)
        try:
            await approvals.decide(
                db, access, actor, request_id, approve=verb == "approve", comment=data.comment
            )
        except DomainError as exc:
            await db.rollback()
            return await self._inbox(db, access, _(exc.detail), exc.status)
        await db.commit()
        return Redirect("/approvals", status_code=303)
