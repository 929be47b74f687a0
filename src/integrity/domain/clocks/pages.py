"""The administrator's page of the clock rules: every rule editable in place."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.clocks import rules
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import AuditActor, CurrentPrincipal, Db
from integrity.lib.errors import DomainError, InvalidInput
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM
from integrity.lib.i18n import N_


class ClockRuleForm(msgspec.Struct):
    amount: str
    unit: str
    extendable: bool = False
    csrf_token: str = ""


class ClockRulePages(Controller):
    path = "/admin/clock-rules"
    opt = permission("catalogue", "update")
    include_in_schema = False

    @get("/")
    async def rules_page(self, db: Db) -> Template:
        return await self._page(db)

    async def _page(self, db: Db, error: str = "", status: int = 200) -> Template:
        return Template(
            "clocks/rules.html",
            status_code=status,
            context={"rules": await rules.list_rules(db), "error": error, "units": tuple(rules.MAX_AMOUNT)},
        )

    @post("/{code:str}", status_code=200)
    async def save(
        self,
        db: Db,
        actor: AuditActor,
        principal: CurrentPrincipal,
        code: FromPath[str],
        data: Annotated[ClockRuleForm, FORM],
    ) -> Template | Redirect:
        try:
            if not data.amount.strip().isdigit() or int(data.amount) < 1:
                raise InvalidInput(N_("The length of a clock is a whole number of days or months."))
            if data.unit not in rules.MAX_AMOUNT:
                raise InvalidInput(N_("Choose working days or months."))
            patch = rules.ClockRulePatch(
                amount=int(data.amount),
                unit=data.unit,  # type: ignore[arg-type]
                extendable=data.extendable,
            )
            await rules.update_rule(db, actor, principal.unit_id, code, patch)
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._page(db, exc.translated(), exc.status)
        await db.commit()
        return Redirect(with_done("/admin/clock-rules", "saved"), status_code=303)
