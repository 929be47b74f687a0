"""The organiser's pages: the office's events by tab, a new event, and each event's page with its
steps, who it is for and its list (the list's own actions are in roster_pages)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlmodel import col

from integrity.db.models import (
    EducationAudience,
    EducationEvent,
    EducationReflection,
    Unit,
    User,
)
from integrity.domain.education import documents, events, listing, materials, record, teaching, types
from integrity.domain.education.events import AudienceRule, EventDraft
from integrity.domain.education.member_pages import invitee_page
from integrity.domain.education.workflow import DRAFT, LIFECYCLE
from integrity.domain.org import choices
from integrity.domain.users.services import find_user
from integrity.lib.authz import ROLES
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import InvalidInput, NotFound
from integrity.lib.forms import FORM, act_then_redirect, picked_unit
from integrity.lib.i18n import N_
from integrity.lib.uploads import content_disposition

STEP_BUTTONS = ("publish", "start", "close", "archive")  # cancel has its own form (a reason)


class EventForm(msgspec.Struct):
    unit_id: str = ""
    type_code: str = ""
    title: str = ""
    day: str = ""
    start: str = ""
    end: str = ""
    place: str = ""
    online_link: str = ""
    speaker: str = ""
    description: str = ""
    capacity: str = ""
    walk_ins: str = ""
    late_after_minutes: str = "10"
    reflection_days: str = "10"
    audience: str = "unit_tree"
    repeat: str = ""
    until: str = ""
    csrf_token: str = ""


class RuleForm(msgspec.Struct):
    kind: str = ""
    unit_id: str = ""
    role: str = ""
    username: str = ""
    csrf_token: str = ""


class StepForm(msgspec.Struct):
    reason: str = ""
    csrf_token: str = ""


def local_moment(day: str, clock: str, zone: str) -> datetime:
    """A date and a time typed in the organisation's zone, as a stored (UTC-aware) moment."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), ZoneInfo(zone))
    except ValueError:
        raise InvalidInput(N_("Give the date and the start and end times.")) from None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(N_("Give the date the series ends.")) from None


def _number(value: str, default: int | None) -> int | None:
    if not value.strip():
        return default
    if not value.strip().isdigit():
        raise InvalidInput(N_("Some fields are missing or not valid; check them and try again."))
    return int(value)


class EventListPages(Controller):
    path = "/education"
    opt = permission("education", "read")
    include_in_schema = False

    @get("/manage")
    async def events(self, db: Db, access: Access, request: Request[Any, Any, Any]) -> Template:
        when = request.query_params.get("when", "upcoming")
        when = when if when in listing.WHEN else "upcoming"
        rows = await listing.office_events(db, access, when)
        context = {"rows": rows, "when": when, "tabs": listing.WHEN, "type_names": await types.type_names(db)}
        context["may_create"] = access.can_anywhere("education", "create")
        return Template("education/manage.html", context=context)

    async def _new_page(
        self, db: Db, access: Access, form: EventForm, error: str = "", status: int = 200
    ) -> Template:
        context = {
            "form": form,
            "error": error,
            "units": await choices.unit_choices(db, access, "education", "create"),
            "types": await types.event_types(db),
        }
        return Template("education/new.html", context=context, status_code=status)

    @get("/new", opt=permission("education", "create"))
    async def new(self, db: Db, access: Access) -> Template:
        form = EventForm(unit_id=str(access.principal.unit_id))
        return await self._new_page(db, access, form)

    @post("/new", opt=permission("education", "create"), status_code=200)
    async def create(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[EventForm, FORM],
    ) -> Template | Redirect:
        made: list[int] = []

        async def creating() -> None:
            unit_id = picked_unit(data.unit_id)
            draft = EventDraft(
                unit_id=unit_id,
                type_code=data.type_code,
                title=data.title,
                starts_at=local_moment(data.day, data.start, settings.timezone),
                ends_at=local_moment(data.day, data.end, settings.timezone),
                place=data.place.strip(),
                online_link=data.online_link.strip(),
                speaker=data.speaker.strip(),
                description=data.description.strip(),
                capacity=_number(data.capacity, None),
                walk_ins=data.walk_ins == "on",
                late_after_minutes=_number(data.late_after_minutes, 10) or 0,
                reflection_days=_number(data.reflection_days, 10) or 10,
            )
            rules = (
                [AudienceRule(data.audience, unit_id=unit_id)]
                if data.audience in ("unit", "unit_tree")
                else []
            )
            if data.repeat:
                until = _day(data.until)
                series = await events.create_series(
                    db, actor, draft, data.repeat, until, rules, access=access
                )
                made.extend(e.id or 0 for e in series)
                return
            event = await events.create_event(db, actor, draft, access=access)
            assert event.id is not None
            made.append(event.id)
            if rules:
                await events.set_audience(db, actor, event.id, rules, access=access)

        async def show_again(error: str, status: int) -> Template:
            return await self._new_page(db, access, data, error, status)

        done = await act_then_redirect(db, creating(), "/education", show_again, "event_drafted")
        if isinstance(done, Redirect) and len(made) > 1:  # a series: the drafts, to check and publish
            done = Redirect("/education/manage?when=draft&done=series_drafted", status_code=303)
        elif isinstance(done, Redirect) and made:
            done = Redirect(f"/education/{made[0]}?done=event_drafted", status_code=303)
        return done


async def audience_rules(db: Db, event_id: int) -> list[dict[str, Any]]:
    """The draft's rules as the page names them."""
    rules = (
        await db.execute(
            select(EducationAudience)
            .where(col(EducationAudience.event_id) == event_id)
            .order_by(col(EducationAudience.id))
        )
    ).scalars()
    shown = []
    for rule in rules:
        unit = await db.get(Unit, rule.unit_id) if rule.unit_id else None
        user = await db.get(User, rule.user_id) if rule.user_id else None
        shown.append({"rule": rule, "unit": unit, "user": user})
    return shown


async def waiting_reflections(db: Db, event_id: int) -> list[dict[str, Any]]:
    found = await db.execute(
        select(EducationReflection, col(User.display_name))
        .join(User, col(User.id) == col(EducationReflection.user_id))
        .where(col(EducationReflection.event_id) == event_id, col(EducationReflection.status) == "submitted")
        .order_by(col(EducationReflection.submitted_at))
    )
    return [{"reflection": r, "name": n} for r, n in found.all()]


async def organiser_page(
    db: Db, access: Access, event_id: int, error: str = "", status: int = 200, teaching_form: Any = None
) -> Template:
    """The event as its organisers (and readers of the office's events) see it."""
    found = await events.organised_event(db, access, event_id, "read")
    event = found.event
    unit = await db.get(Unit, event.unit_id)
    may_update = access.can("education", "update", unit.path if unit else "")
    offered = LIFECYCLE.offered(event.status, found.may) if may_update else frozenset()
    roster = await listing.roster_rows(db, event_id)
    context = {
        "event": event,
        "unit": unit,
        "type_names": await types.type_names(db),
        "error": error,
        "offered": offered,
        "buttons": [s for s in STEP_BUTTONS if s in offered],
        "rules": await audience_rules(db, event_id) if event.status == DRAFT else [],
        "units": await choices.unit_choices(db, access, "unit", "read") if "edit" in offered else [],
        "roles": ROLES,
        "roster": roster,
        "counts": _counts(roster),
        "reflections": await waiting_reflections(db, event_id) if may_update else [],
        "may_mark": "mark_attendance" in offered,
        "teaching": await teaching.for_organisers(db, access, event_id),
        "materials": await materials.materials_of(db, event_id),
        "teaching_form": teaching_form,
    }
    return Template("education/event.html", context=context, status_code=status)


def _counts(roster: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in roster:
        counts[r["row"].status] = counts.get(r["row"].status, 0) + 1
    return counts


async def back_to_event(
    db: Db,
    access: Access,
    event_id: int,
    change: Awaitable[Any],
    done: str,
    anchor: str = "",
    teaching_form: Any = None,
) -> Template | Redirect:
    """Make one change from the organiser's event page and go back to it (at `anchor`), or show the
    page again with the reason (and what was typed into the teaching-case form)."""

    async def show_again(error: str, status: int) -> Template:
        return await organiser_page(db, access, event_id, error, status, teaching_form=teaching_form)

    return await act_then_redirect(db, change, f"/education/{event_id}{anchor}", show_again, done)


class EventPages(Controller):
    """One event: its organisers see the office's page; an invitee sees their own (member_pages)."""

    path = "/education/{event_id:int}"
    opt = permission("education", "update")
    include_in_schema = False

    @get("/", opt=authenticated())
    async def page(self, db: Db, access: Access, event_id: FromPath[int]) -> Template:
        event = await db.get(EducationEvent, event_id)
        unit = await db.get(Unit, event.unit_id) if event else None
        if event is not None and unit is not None and access.can("education", "read", unit.path):
            return await organiser_page(db, access, event_id)
        return await invitee_page(db, access, event_id)

    @post("/steps/{step:str}", status_code=200)
    async def step(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        step: FromPath[str],
        data: Annotated[StepForm, FORM],
    ) -> Template | Redirect:
        if step == "publish":
            change: Any = events.publish(db, actor, event_id, access=access)
        elif step == "close":
            change = events.close(db, actor, event_id, access=access)
        else:
            change = events.take_step(db, actor, event_id, step, reason=data.reason, access=access)
        return await back_to_event(db, access, event_id, change, f"event_{step}")

    @get("/sign-in-sheet.pdf", opt=permission("education", "read"))
    async def sheet(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
    ) -> Response[bytes]:
        pool = request.app.state.pdf_pool
        made = await documents.roster_sheet(db, pool, access, actor, event_id)
        await db.commit()
        return Response(
            made.pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": content_disposition(made.filename)},
        )

    @get("/attendance-record.pdf", opt=permission("education", "read"))
    async def attendance_record(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
    ) -> Response[bytes]:
        state = request.app.state
        made = await record.attendance_record(state.db, state.pdf_pool, settings, access, actor, event_id)
        return Response(
            made.pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": content_disposition(made.filename),
                "X-Export-Id": made.export.id,
                "Cache-Control": "no-store",
            },
        )

    @post("/audience", status_code=200)
    async def add_rule(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        data: Annotated[RuleForm, FORM],
    ) -> Template | Redirect:
        async def adding() -> None:
            rules = [_rule_of(r["rule"]) for r in await audience_rules(db, event_id)]
            rules.append(await _new_rule(db, data))
            await events.set_audience(db, actor, event_id, rules, access=access)

        return await back_to_event(db, access, event_id, adding(), "saved")

    @post("/audience/{rule_id:int}/remove", status_code=200)
    async def remove_rule(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        event_id: FromPath[int],
        rule_id: FromPath[int],
        data: Annotated[StepForm, FORM],
    ) -> Template | Redirect:
        async def removing() -> None:
            current = await audience_rules(db, event_id)
            rules = [_rule_of(r["rule"]) for r in current if r["rule"].id != rule_id]
            await events.set_audience(db, actor, event_id, rules, access=access)

        return await back_to_event(db, access, event_id, removing(), "saved")


def _rule_of(row: EducationAudience) -> AudienceRule:
    return AudienceRule(row.kind, unit_id=row.unit_id, role=row.role, user_id=row.user_id)


async def _new_rule(db: Db, data: RuleForm) -> AudienceRule:
    if data.kind in ("unit", "unit_tree"):
        return AudienceRule(data.kind, unit_id=picked_unit(data.unit_id))
    if data.kind == "role":
        return AudienceRule("role", role=data.role)
    if data.kind in ("user", "exclude"):
        user = await find_user(db, data.username.strip())
        if user is None:
            raise NotFound(N_("No user with that username."))
        return AudienceRule(data.kind, user_id=user.id)
    raise InvalidInput(N_("Choose who the rule names."))
