"""The member's pages (phone first): my events sorted by what to do, and an event I am invited to,
with signing in, asking for leave, and my reflection with its history."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent, Unit
from integrity.db.types import utcnow
from integrity.domain.cases.clocks import local_today
from integrity.domain.education import listing, materials, reflections, roster, teaching, types
from integrity.domain.education.attendance import sign_in_open
from integrity.domain.education.workflow import DRAFT, PUBLISHED
from integrity.lib.authz.declarations import authenticated
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import NotFound
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_
from integrity.lib.templating import local_time


class LeaveForm(msgspec.Struct):
    reason: str = ""
    csrf_token: str = ""


class ReflectionForm(msgspec.Struct):
    body: str = ""
    csrf_token: str = ""


async def invitee_page(
    db: Db, access: Access, event_id: int, error: str = "", status: int = 200, draft: str = ""
) -> Template:
    """The event as one on its list sees it; anyone else gets 404."""
    user_id = access.principal.user_id
    event = await db.get(EducationEvent, event_id)
    mine = await db.scalar(
        select(EducationAttendance).where(
            col(EducationAttendance.event_id) == event_id, col(EducationAttendance.user_id) == user_id
        )
    )
    if event is None or mine is None or event.status == DRAFT:
        raise NotFound(N_("No such event."))
    now = utcnow()
    rounds = await reflections.history(db, event_id, user_id)
    latest = rounds[-1] if rounds else None
    context = {
        "event": event,
        "unit": await db.get(Unit, event.unit_id),
        "type_names": await types.type_names(db),
        "teaching": await teaching.for_audience(db, access, event_id),
        "materials": await materials.materials_of(db, event_id),
        "mine": mine,
        "rounds": rounds,
        "error": error,
        "draft": draft or (latest.body if latest and latest.status == "returned" else ""),
        "may_sign_in": mine.status == "invited" and sign_in_open(event, now),
        "may_ask_leave": event.status == PUBLISHED
        and now < event.starts_at
        and mine.status == "invited"
        and mine.leave_state not in ("requested", "approved"),
        "may_write": reflections.writing_refused(event, mine, latest, now) is None,
        "make_up": mine.status in reflections.MISSED,
        "due": local_time(event.ends_at, "%Y-%m-%d"),
    }
    return Template("education/invitation.html", context=context, status_code=status)


class MyEventsPages(Controller):
    """What anyone invited to an event has to do; a role is not needed, an invitation is."""

    path = "/education"
    opt = authenticated()
    include_in_schema = False

    @get("/")
    async def mine(self, db: Db, access: Access, request: Request[Any, Any, Any]) -> Template:
        year = local_today().year
        asked = request.query_params.get("year", "")
        if asked.isdigit() and 2000 <= int(asked) <= year + 1:
            year = int(asked)
        found = await listing.my_events(db, access.principal.user_id, year)
        counts: dict[str, int] = {}
        for row in found.year:
            counts[row.attendance.status] = counts.get(row.attendance.status, 0) + 1
        context = {"mine": found, "year": year, "counts": counts, "this_year": local_today().year}
        context["organiser"] = access.can_anywhere("education", "read")
        return Template("education/mine.html", context=context)

    @post("/{event_id:int}/leave", status_code=200)
    async def leave(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        data: Annotated[LeaveForm, FORM],
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await invitee_page(db, access, event_id, error, status)

        asking = roster.request_leave(db, actor, event_id, data.reason)
        return await act_then_redirect(db, asking, f"/education/{event_id}", show_again, "leave_asked")

    @post("/{event_id:int}/reflection", status_code=200)
    async def reflect(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        data: Annotated[ReflectionForm, FORM],
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await invitee_page(db, access, event_id, error, status, data.body)

        writing = reflections.submit(db, actor, event_id, data.body)
        return await act_then_redirect(db, writing, f"/education/{event_id}", show_again, "reflected")
