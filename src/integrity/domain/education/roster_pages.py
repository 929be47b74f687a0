"""The organiser's actions on an event's list: marking in bulk (corrections with a reason), leave
decisions, adding and taking off invitees, and reviewing reflections."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.education import reflections, roster
from integrity.domain.education.event_pages import back_to_event
from integrity.domain.users.services import find_user
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import NotFound
from integrity.lib.forms import FORM
from integrity.lib.i18n import N_


class PersonForm(msgspec.Struct):
    username: str = ""
    reason: str = ""
    decision: str = ""
    csrf_token: str = ""


class ReviewForm(msgspec.Struct):
    verdict: str = ""
    comment: str = ""
    excellent: str = ""
    csrf_token: str = ""


class RosterPages(Controller):
    path = "/education/{event_id:int}"
    opt = permission("education", "update")
    include_in_schema = False

    @post("/marks", status_code=200)
    async def mark(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
    ) -> Template | Redirect:
        raw = await request.form()
        ticked = [int(v) for v in raw.getall("user", []) if str(v).isdigit()]
        status, reason = str(raw.get("status", "")), str(raw.get("reason", ""))
        marking = roster.mark(db, actor, event_id, ticked, status, reason=reason, access=access)
        return await back_to_event(db, access, event_id, marking, "marked", "#roster")

    @post("/invitees", status_code=200)
    async def invite(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        data: Annotated[PersonForm, FORM],
    ) -> Template | Redirect:
        async def inviting() -> None:
            user = await find_user(db, data.username.strip())
            if user is None or user.id is None:
                raise NotFound(N_("No user with that username."))
            await roster.add_invitee(db, actor, event_id, user.id, access=access)

        return await back_to_event(db, access, event_id, inviting(), "invited", "#roster")

    @post("/invitees/{user_id:int}/remove", status_code=200)
    async def uninvite(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        user_id: FromPath[int],
        data: Annotated[PersonForm, FORM],
    ) -> Template | Redirect:
        removing = roster.remove_invitee(db, actor, event_id, user_id, data.reason, access=access)
        return await back_to_event(db, access, event_id, removing, "uninvited", "#roster")

    @post("/invitees/{user_id:int}/leave", status_code=200)
    async def decide_leave(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        user_id: FromPath[int],
        data: Annotated[PersonForm, FORM],
    ) -> Template | Redirect:
        deciding = roster.decide_leave(db, actor, event_id, user_id, data.decision, access=access)
        return await back_to_event(db, access, event_id, deciding, "leave_decided", "#roster")

    @post("/reflections/{reflection_id:int}", status_code=200)
    async def review(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        reflection_id: FromPath[int],
        data: Annotated[ReviewForm, FORM],
    ) -> Template | Redirect:
        async def reviewing() -> None:
            found = await reflections.review(
                db,
                actor,
                reflection_id,
                accept=data.verdict == "accept",
                comment=data.comment,
                excellent=data.excellent == "on",
                access=access,
            )
            if found.event_id != event_id:
                raise NotFound(N_("No such reflection."))

        done = "reflection_accepted" if data.verdict == "accept" else "reflection_returned"
        return await back_to_event(db, access, event_id, reviewing(), done, "#reflections")
