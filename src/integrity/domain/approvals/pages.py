"""The reviewer's approval inbox page, and the approve / return forms every item page posts to."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.approvals import services
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.forms import FORM, act_then_redirect, safe_next

# The inbox shows the most urgent requests; a group's reviewer may have thousands waiting.
INBOX_SHOWN = 100


class DecisionForm(msgspec.Struct):
    comment: str = ""
    next: str = ""
    csrf_token: str = ""


class ApprovalPages(Controller):
    path = "/approvals"
    opt = permission("approval", "decide")
    include_in_schema = False

    @get("/")
    async def inbox(self, db: Db, access: Access) -> Template:
        return await self._inbox(db, access)

    async def _inbox(self, db: Db, access: Access, error: str = "", status: int = 200) -> Template:
        requests = await services.inbox(db, access, INBOX_SHOWN + 1)
        more = len(requests) > INBOX_SHOWN
        requests = requests[:INBOX_SHOWN]
        return Template(
            "approvals/inbox.html",
            status_code=status,
            context={
                "requests": requests,
                "more": more,
                "lines": await services.describe(db, requests),
                "error": error,
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
        back = safe_next(data.next, "/approvals")
        if verb not in ("approve", "return"):
            return Redirect(back, status_code=303)

        async def show_again(error: str, status: int) -> Template:
            return await self._inbox(db, access, error, status)

        decision = services.decide(
            db, access, actor, request_id, approve=verb == "approve", comment=data.comment
        )
        done = "approved" if verb == "approve" else "returned"
        return await act_then_redirect(db, decision, back, show_again, done)
