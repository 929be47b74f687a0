"""The organisation's pages: the tree, and each unit with who holds what there; administrators change
units (rename, move, deactivate, add sub-units) and grant roles here."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import Unit
from integrity.domain.admin import directory
from integrity.domain.cases.clocks import local_today
from integrity.domain.education import plans, types
from integrity.domain.org import choices
from integrity.domain.org import services as org
from integrity.domain.org.schemas import UNIT_KINDS, UnitIn
from integrity.domain.org.tree import UnitChange, change_unit
from integrity.domain.users import services as users
from integrity.domain.users.schemas import GrantIn
from integrity.lib.authz import ROLES
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import InvalidInput, NotFound
from integrity.lib.forms import FORM, ShowAgain, act_then_redirect, converted, picked_unit
from integrity.lib.i18n import N_


class UnitForm(msgspec.Struct):
    name: str = ""
    name_en: str = ""
    kind: str = ""
    code: str = ""
    parent_id: str = ""
    active: str = ""
    csrf_token: str = ""


class HolderForm(msgspec.Struct):
    username: str = ""
    role: str = ""
    csrf_token: str = ""


UNIT_FIELDS_WRONG = N_("A unit needs a name and a code of letters, digits, dots, dashes or underscores.")


class OrgPages(Controller):
    path = "/org"
    opt = permission("unit", "read")
    include_in_schema = False

    @get("/")
    async def tree(self, db: Db, access: Access) -> Template:
        units = await choices.unit_choices(db, access, "unit", "read", active_only=False)
        return Template("org/tree.html", context={"units": units})

    @get("/{unit_id:int}")
    async def unit(self, db: Db, access: Access, unit_id: FromPath[int]) -> Template:
        return await self._page(db, access, unit_id)

    async def _page(
        self,
        db: Db,
        access: Access,
        unit_id: int,
        error: str = "",
        status: int = 200,
        form: UnitForm | None = None,
    ) -> Template:
        unit = await org.visible_unit(db, access, unit_id)
        children = (
            await db.execute(select(Unit).where(col(Unit.parent_id) == unit_id).order_by(col(Unit.id)))
        ).scalars()
        parent = await db.get(Unit, unit.parent_id) if unit.parent_id else None
        may_update = access.can("unit", "update", unit.path)
        # Where it may move: units the reader may create in, outside its own subtree.
        targets = [
            u
            for u in await choices.unit_choices(db, access, "unit", "create")
            if not u.path.startswith(unit.path)
        ]
        return Template(
            "org/unit.html",
            status_code=status,
            context={
                "unit": unit,
                "parent": parent,
                "children": [c for c in children if access.can("unit", "read", c.path)],
                "error": error,
                "form": form or UnitForm(name=unit.name, name_en=unit.name_en, kind=unit.kind),
                "kinds": UNIT_KINDS,
                "may_update": may_update,
                "may_create": unit.active and access.can("unit", "create", unit.path),
                "targets": targets if may_update and unit.parent_id else [],
                "holders": await directory.holders_at(db, access, unit)
                if access.can("grant", "read", unit.path)
                else None,
                "may_grant": unit.active and access.can("grant", "create", unit.path),
                "roles": ROLES,
                "users_here": access.can("user", "read", unit.path),
                **await self._plan(db, access, unit),
            },
        )

    async def _plan(self, db: Db, access: Access, unit: Unit) -> dict[str, Any]:
        """This year's education plan and its progress, for those who read the unit's education."""
        if not access.can("education", "read", unit.path):
            return {"plan_year": None}
        year = local_today().year
        _unit, shown = await plans.unit_progress(db, access, unit.id or 0, year)
        return {"plan_year": year, "progress": shown, "type_names": await types.type_names(db)}

    async def _then_back(
        self, db: Db, access: Access, unit_id: int, change: Awaitable[Any], done: str, anchor: str = ""
    ) -> Template | Redirect:
        """Make the change and go back to the unit's page, or show it again with the reason."""
        show_again = self._show_again(db, access, unit_id)
        return await act_then_redirect(db, change, f"/org/{unit_id}{anchor}", show_again, done)

    def _show_again(self, db: Db, access: Access, unit_id: int, form: UnitForm | None = None) -> ShowAgain:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, unit_id, error, status, form)

        return show_again

    @post("/{unit_id:int}", opt=permission("unit", "update"), status_code=200)
    async def save(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        data: Annotated[UnitForm, FORM],
    ) -> Template | Redirect:
        async def saving() -> None:
            if not data.name.strip():
                raise InvalidInput(N_("A unit needs a name."))
            change = UnitChange(name=data.name, name_en=data.name_en, kind=data.kind)
            await change_unit(db, actor, unit_id, change, access=access)

        show_again = self._show_again(db, access, unit_id, data)
        return await act_then_redirect(db, saving(), f"/org/{unit_id}", show_again, "unit_saved")

    @post("/{unit_id:int}/move", opt=permission("unit", "update"), status_code=200)
    async def move(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        data: Annotated[UnitForm, FORM],
    ) -> Template | Redirect:
        async def moving() -> None:
            await change_unit(
                db, actor, unit_id, UnitChange(parent_id=picked_unit(data.parent_id)), access=access
            )

        return await self._then_back(db, access, unit_id, moving(), "unit_saved")

    @post("/{unit_id:int}/status", opt=permission("unit", "update"), status_code=200)
    async def status(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        data: Annotated[UnitForm, FORM],
    ) -> Template | Redirect:
        change = change_unit(db, actor, unit_id, UnitChange(active=data.active == "true"), access=access)
        return await self._then_back(db, access, unit_id, change, "unit_saved")

    @post("/{unit_id:int}/units", opt=permission("unit", "create"), status_code=200)
    async def add_unit(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        data: Annotated[UnitForm, FORM],
    ) -> Template | Redirect:
        async def creating() -> None:
            values = {"parent_id": unit_id, "code": data.code.strip(), "name": data.name.strip()}
            values |= {"name_en": data.name_en.strip(), "kind": data.kind}
            wanted = converted(values, UnitIn, UNIT_FIELDS_WRONG)
            await org.create_unit(db, actor, wanted, access=access)

        return await self._then_back(db, access, unit_id, creating(), "unit_saved")

    @post("/{unit_id:int}/grants", opt=permission("grant", "create"), status_code=200)
    async def grant(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        unit_id: FromPath[int],
        data: Annotated[HolderForm, FORM],
    ) -> Template | Redirect:
        async def granting() -> None:
            user = await users.find_user(db, data.username)
            if user is None or user.id is None:
                raise NotFound(N_("No user with that username."))
            await users.visible_user(db, access, user.id)
            await users.grant_role(db, actor, GrantIn(user.id, data.role, unit_id), access=access)

        return await self._then_back(db, access, unit_id, granting(), "granted", "#holders")

    @post("/{unit_id:int}/grants/{grant_id:int}/revoke", opt=permission("grant", "delete"), status_code=200)
    async def revoke(
        self, db: Db, access: Access, actor: AuditActor, unit_id: FromPath[int], grant_id: FromPath[int]
    ) -> Template | Redirect:
        revoking = users.revoke_grant(db, actor, grant_id, access=access, unit_id=unit_id)
        return await self._then_back(db, access, unit_id, revoking, "revoked", "#holders")
