"""The organiser's forms for teaching cases: link a closed case with its anonymised summary, and
rewrite a returned one; both go to a reviewer through the approvals inbox."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.education import teaching
from integrity.domain.education.event_pages import back_to_event
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import NotFound
from integrity.lib.forms import FORM
from integrity.lib.i18n import N_


class TeachingForm(msgspec.Struct):
    number: str = ""
    summary: str = ""
    csrf_token: str = ""


class TeachingPages(Controller):
    path = "/education/{event_id:int}/teaching"
    opt = permission("education", "update")
    include_in_schema = False

    @post("/", status_code=200)
    async def link(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        data: Annotated[TeachingForm, FORM],
    ) -> Template | Redirect:
        linking = teaching.link_case(db, actor, event_id, data.number, data.summary, access=access)
        return await back_to_event(db, access, event_id, linking, "submitted", "#teaching", data)

    @post("/{teaching_id:int}", status_code=200)
    async def revise(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        teaching_id: FromPath[int],
        data: Annotated[TeachingForm, FORM],
    ) -> Template | Redirect:
        async def revising() -> None:
            row = await teaching.revise(db, actor, teaching_id, data.summary, access=access)
            if row.event_id != event_id:
                raise NotFound(N_("No such teaching case."))

        return await back_to_event(db, access, event_id, revising(), "submitted", "#teaching", data)
