"""Calendar overrides: an administrator fixes a day the library gets wrong or does not know yet."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, put
from litestar.params import FromPath, JSONBody
from sqlmodel import col, select

from integrity.db.models import CalendarOverride
from integrity.domain.cases.clocks import forget_display_calendar
from integrity.domain.catalogues import services as catalogues
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import AuditActor, CurrentPrincipal, Db


class OverrideIn(msgspec.Struct, forbid_unknown_fields=True):
    is_workday: bool
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class OverrideOut(msgspec.Struct):
    day: date
    is_workday: bool
    note: str


class CalendarController(Controller):
    path = "/api/v1/calendar/overrides"
    tags = ["clocks"]

    @get("/", opt=authenticated())
    async def list_overrides(self, db: Db) -> list[OverrideOut]:
        rows = (
            (await db.execute(select(CalendarOverride).order_by(col(CalendarOverride.day)))).scalars().all()
        )
        return [OverrideOut(r.day, r.is_workday, r.note) for r in rows]

    @put("/{day:date}", opt=permission("catalogue", "update"))
    async def set_override(
        self,
        db: Db,
        actor: AuditActor,
        principal: CurrentPrincipal,
        day: FromPath[date],
        data: JSONBody[OverrideIn],
    ) -> OverrideOut:
        row = await catalogues.set_override(
            db, actor, principal.unit_id, day, is_workday=data.is_workday, note=data.note
        )
        await db.commit()
        forget_display_calendar()  # this worker's lists count with the change at once
        return OverrideOut(row.day, row.is_workday, row.note)

    @delete("/{day:date}", opt=permission("catalogue", "update"), status_code=204)
    async def remove_override(
        self, db: Db, actor: AuditActor, principal: CurrentPrincipal, day: FromPath[date]
    ) -> None:
        await catalogues.remove_override(db, actor, principal.unit_id, day)
        await db.commit()
        forget_display_calendar()
