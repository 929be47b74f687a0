"""A unit's yearly education plan: its quotas with their progress; organisers add and remove quotas."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.cases.clocks import local_today
from integrity.domain.education import plans, types
from integrity.domain.org import choices
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import InvalidInput
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_


class QuotaForm(msgspec.Struct):
    kind: str = ""
    type_code: str = ""
    minimum: str = ""
    label: str = ""
    csrf_token: str = ""


def year_asked(request: Request[Any, Any, Any]) -> int:
    asked = request.query_params.get("year", "")
    return int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else local_today().year


def unit_asked(request: Request[Any, Any, Any], access: Access) -> int:
    """The unit asked for in the query (`unit`), else the reader's own."""
    asked = request.query_params.get("unit", "")
    return int(asked) if asked.isdigit() else access.principal.unit_id


class PlanPages(Controller):
    path = "/education/plans"
    opt = permission("education", "read")
    include_in_schema = False

    async def _page(
        self, db: Db, access: Access, unit_id: int, year: int, error: str = "", status: int = 200
    ) -> Template:
        unit, shown = await plans.unit_progress(db, access, unit_id, year)
        context = {
            "unit": unit,
            "year": year,
            "progress": shown,
            "error": error,
            "may_update": access.can("education", "update", unit.path),
            "types": await types.event_types(db),
            "type_names": await types.type_names(db),
            "units": await choices.unit_choices(db, access, "education", "read"),
            "this_year": local_today().year,
        }
        return Template("education/plan.html", context=context, status_code=status)

    @get("/")
    async def plan(self, request: Request[Any, Any, Any], db: Db, access: Access) -> Template:
        return await self._page(db, access, unit_asked(request, access), year_asked(request))

    @post("/{unit_id:int}/{year:int}/quotas", opt=permission("education", "update"), status_code=200)
    async def add(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        year: FromPath[int],
        data: Annotated[QuotaForm, FORM],
    ) -> Template | Redirect:
        async def adding() -> None:
            if not data.minimum.strip().isdigit():
                raise InvalidInput(N_("A quota is a number from 1 to 100."))
            await plans.add_quota(
                db, actor, unit_id, year, data.kind, int(data.minimum),
                type_code=data.type_code, label=data.label, access=access,
            )  # fmt: skip

        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, unit_id, year, error, status)

        target = f"/education/plans?unit={unit_id}&year={year}"
        return await act_then_redirect(db, adding(), target, show_again, "saved")

    @post(
        "/{unit_id:int}/{year:int}/quotas/{quota_id:int}/remove",
        opt=permission("education", "update"),
        status_code=200,
    )
    async def remove(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        year: FromPath[int],
        quota_id: FromPath[int],
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, unit_id, year, error, status)

        removing = plans.remove_quota(db, actor, quota_id, access=access)
        return await act_then_redirect(
            db, removing, f"/education/plans?unit={unit_id}&year={year}", show_again, "saved"
        )
