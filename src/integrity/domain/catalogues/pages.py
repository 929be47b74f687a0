"""The root administrators' pages of the group-wide catalogues and the working-day calendar."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.cases.clocks import forget_display_calendar, local_today
from integrity.domain.catalogues import services
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import AuditActor, CurrentPrincipal, Db
from integrity.lib.errors import InvalidInput
from integrity.lib.forms import FORM, ShowAgain, act_then_redirect
from integrity.lib.i18n import N_


class ItemForm(msgspec.Struct):
    name: str = ""
    name_en: str = ""
    code: str = ""
    active: str = ""
    csrf_token: str = ""


class DayForm(msgspec.Struct):
    day: str = ""
    is_workday: str = ""
    note: str = ""
    csrf_token: str = ""


class CataloguePages(Controller):
    path = "/admin/catalogues"
    opt = permission("catalogue", "update")  # group-wide: counts only where granted in a root unit
    include_in_schema = False

    async def _page(self, db: Db, error: str = "", status: int = 200) -> Template:
        context = {"catalogues": services.CATALOGUES, "items": await services.items(db), "error": error}
        return Template("catalogues/items.html", status_code=status, context=context)

    @get("/")
    async def page(self, db: Db) -> Template:
        return await self._page(db)

    @post("/{catalogue:str}", status_code=200)
    async def add(
        self,
        db: Db,
        actor: AuditActor,
        principal: CurrentPrincipal,
        catalogue: FromPath[str],
        data: Annotated[ItemForm, FORM],
    ) -> Template | Redirect:
        adding = services.save_item(
            db,
            actor,
            principal.unit_id,
            catalogue,
            data.code.strip().lower(),
            name=data.name,
            name_en=data.name_en,
            active=True,
            create=True,
        )
        return await act_then_redirect(db, adding, f"/admin/catalogues#{catalogue}", self._again(db))

    @post("/{catalogue:str}/{code:str}", status_code=200)
    async def save(
        self,
        db: Db,
        actor: AuditActor,
        principal: CurrentPrincipal,
        catalogue: FromPath[str],
        code: FromPath[str],
        data: Annotated[ItemForm, FORM],
    ) -> Template | Redirect:
        saving = services.save_item(
            db,
            actor,
            principal.unit_id,
            catalogue,
            code,
            name=data.name,
            name_en=data.name_en,
            active=data.active == "true",
        )
        return await act_then_redirect(db, saving, f"/admin/catalogues#{catalogue}", self._again(db))

    def _again(self, db: Db) -> ShowAgain:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, error, status)

        return show_again


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(N_("Not a date; write it as 2026-10-08.")) from exc


class CalendarPages(Controller):
    """Days the holiday library gets wrong or does not know yet (a year's schedule is published each
    November): set as a workday or a holiday, or back to what the library says."""

    path = "/admin/calendar"
    opt = permission("catalogue", "update")
    include_in_schema = False

    async def _page(
        self, db: Db, form: DayForm | None = None, error: str = "", status: int = 200
    ) -> Template:
        since = local_today() - timedelta(days=365)
        context = {
            "overrides": await services.overrides(db, since),
            "form": form or DayForm(),
            "error": error,
        }
        return Template("catalogues/calendar.html", status_code=status, context=context)

    @get("/")
    async def page(self, db: Db) -> Template:
        return await self._page(db)

    @post("/", status_code=200)
    async def set_day(
        self, db: Db, actor: AuditActor, principal: CurrentPrincipal, data: Annotated[DayForm, FORM]
    ) -> Template | Redirect:
        async def setting() -> None:
            day = _day(data.day)
            await services.set_override(
                db, actor, principal.unit_id, day, is_workday=data.is_workday == "true", note=data.note
            )

        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, data, error, status)

        answer = await act_then_redirect(db, setting(), "/admin/calendar", show_again)
        forget_display_calendar()
        return answer

    @post("/{day:date}/remove", status_code=200)
    async def remove(
        self, db: Db, actor: AuditActor, principal: CurrentPrincipal, day: FromPath[date]
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, None, error, status)

        removing = services.remove_override(db, actor, principal.unit_id, day)
        answer = await act_then_redirect(db, removing, "/admin/calendar", show_again)
        forget_display_calendar()
        return answer
