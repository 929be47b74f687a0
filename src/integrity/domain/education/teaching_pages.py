"""The organiser's forms for teaching cases: link a closed case with its anonymised summary, and
rewrite a returned one; both go to a reviewer through the approvals inbox."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.education import teaching
from integrity.domain.education.event_pages import organiser_page
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import NotFound
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_


class TeachingForm(msgspec.Struct):
    number: str = ""
    summary: str = ""
    csrf_token: str = ""


class TeachingPages(Controller):
    path = "/education/{event_id:int}/teaching"
    opt = permission("education", "update")
    include_in_schema = False

    def _show_again(self, db: Db, access: Access, event_id: int, form: TeachingForm) -> Any:
        async def show_again(error: str, status: int) -> Template:
            return await organiser_page(db, access, event_id, error, status, teaching_form=form)

        return show_again

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
        show_again = self._show_again(db, access, event_id, data)
        return await act_then_redirect(
            db, linking, f"/education/{event_id}#teaching", show_again, "submitted"
        )

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

        show_again = self._show_again(db, access, event_id, data)
        return await act_then_redirect(
            db, revising(), f"/education/{event_id}#teaching", show_again, "submitted"
        )
