"""利益关系申报: each user declares and withdraws their own ties to persons; a declared tie keeps the user
out of that person's cases from the next request on."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import Person, Relation, Unit
from integrity.db.models.org import RELATION_KINDS
from integrity.domain.org import services as org
from integrity.lib.authz.declarations import authenticated
from integrity.lib.deps import AuditActor, CurrentPrincipal, Db
from integrity.lib.errors import InvalidInput
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_, local_name


class RelationForm(msgspec.Struct):
    person_id: str = ""
    kind: str = ""
    note: str = ""
    csrf_token: str = ""


class RelationPages(Controller):
    path = "/account/relations"
    opt = authenticated()
    include_in_schema = False

    async def _page(
        self, db: Db, principal: CurrentPrincipal, q: str = "", error: str = "", status: int = 200
    ) -> Template:
        rows = await db.execute(
            select(Relation, Person, Unit)
            .join(Person, col(Person.id) == col(Relation.person_id))
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(col(Relation.user_id) == principal.user_id)
            .order_by(col(Relation.declared_at))
        )
        declared = [
            {"relation": r, "person": p.name, "unit": local_name(u.name, u.name_en), "position": p.position}
            for r, p, u in rows.all()
        ]
        return Template(
            "account/relations.html",
            status_code=status,
            context={
                "declared": declared,
                "q": q,
                "found": await org.person_by_name_or_number(db, q[:100]) if q else [],
                "kinds": RELATION_KINDS,
                "error": error,
            },
        )

    @get("/")
    async def page(self, db: Db, principal: CurrentPrincipal, q: FromQuery[str] = "") -> Template:
        return await self._page(db, principal, q)

    @post("/", status_code=200)
    async def declare(
        self, db: Db, principal: CurrentPrincipal, actor: AuditActor, data: Annotated[RelationForm, FORM]
    ) -> Template | Redirect:
        async def declaring() -> None:
            if not data.person_id.isdigit():
                raise InvalidInput(N_("Find the person first, then declare the relation."))
            if len(data.note) > 1000:
                raise InvalidInput(N_("The note may have at most 1000 characters."))
            await org.declare_relation(
                db,
                actor,
                principal.user_id,
                principal.unit_id,
                int(data.person_id),
                data.kind,
                data.note.strip(),
            )

        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, principal, "", error, status)

        return await act_then_redirect(db, declaring(), "/account/relations", show_again, "relation_declared")

    @post("/{relation_id:int}/withdraw", status_code=200)
    async def withdraw(
        self, db: Db, principal: CurrentPrincipal, actor: AuditActor, relation_id: FromPath[int]
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, principal, "", error, status)

        withdrawing = org.withdraw_relation(db, actor, principal.user_id, principal.unit_id, relation_id)
        return await act_then_redirect(
            db, withdrawing, "/account/relations", show_again, "relation_withdrawn"
        )
