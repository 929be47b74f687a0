"""The administrator's page of the measure catalogue (group-wide: root-unit administrators)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.decisions import measures
from integrity.domain.decisions.pages import parse_months
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import AuditActor, Db
from integrity.lib.errors import DomainError
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM


class MeasureForm(msgspec.Struct):
    form: int
    name: str
    name_en: str
    period_months: str = ""
    period_choices: str = ""
    active: bool = False
    csrf_token: str = ""


class MeasurePages(Controller):
    """The administrator's page of the measure catalogue: every entry editable in place."""

    path = "/admin/measures"
    opt = permission("catalogue", "update")
    include_in_schema = False

    @get("/")
    async def catalogue(self, db: Db) -> Template:
        return await self._page(db)

    async def _page(self, db: Db, error: str = "", status: int = 200) -> Template:
        return Template(
            "decisions/measures.html",
            status_code=status,
            context={"measures": await measures.list_measures(db, include_inactive=True), "error": error},
        )

    @post("/{code:str}", status_code=200)
    async def save(
        self, db: Db, actor: AuditActor, code: FromPath[str], data: Annotated[MeasureForm, FORM]
    ) -> Template | Redirect:
        try:
            values: dict[str, object] = {
                "form": data.form,
                "name": data.name.strip(),
                "name_en": data.name_en.strip(),
                "period_months": parse_months(data.period_months),
                "period_choices": data.period_choices.replace("，", ",").replace(" ", ""),
                "active": data.active,
            }
            await measures.save_measure(db, actor, code, values, create=False)
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._page(db, exc.translated(), exc.status)
        await db.commit()
        return Redirect(with_done("/admin/measures", "saved"), status_code=303)
