"""API for units, persons and the caller's declared relations."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from integrity.domain.org import services
from integrity.domain.org.schemas import (
    PersonIn,
    PersonOut,
    PersonPatch,
    RelationIn,
    RelationOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from integrity.domain.org.tree import UnitChange, change_unit
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import Access, AuditActor, CurrentPrincipal, Db
from integrity.lib.pagination import Page, PageLimit, QueryId


class UnitPage(Page[UnitOut]):
    """One page of the list; pass `next_cursor` back as `cursor` for the next one."""


class PersonPage(Page[PersonOut]):
    """One page of the list; pass `next_cursor` back as `cursor` for the next one."""


class UnitController(Controller):
    path = "/api/v1/units"
    opt = permission("unit", "read")
    tags = ["organisation"]

    @get("/")
    async def list_units(
        self,
        db: Db,
        access: Access,
        cursor: FromQuery[str | None] = None,
        limit: PageLimit = 50,
        parent_id: QueryId = None,
    ) -> UnitPage:
        page = await services.list_units(db, access, cursor, limit, parent_id)
        return UnitPage([UnitOut.of(u) for u in page.items], page.next_cursor)

    @get("/{unit_id:int}")
    async def get_unit(self, db: Db, access: Access, unit_id: FromPath[int]) -> UnitOut:
        return UnitOut.of(await services.visible_unit(db, access, unit_id))

    @post("/", opt=permission("unit", "create"))
    async def create_unit(self, db: Db, access: Access, actor: AuditActor, data: JSONBody[UnitIn]) -> UnitOut:
        unit = await services.create_unit(db, actor, data, access=access)
        await db.commit()
        return UnitOut.of(unit)

    @patch("/{unit_id:int}", opt=permission("unit", "update"))
    async def change_unit(
        self, db: Db, access: Access, actor: AuditActor, unit_id: FromPath[int], data: JSONBody[UnitPatch]
    ) -> UnitOut:
        change = UnitChange(data.name, data.name_en, data.kind, data.parent_id, data.active)
        unit = await change_unit(db, actor, unit_id, change, access=access)
        await db.commit()
        return UnitOut.of(unit)


class PersonController(Controller):
    path = "/api/v1/persons"
    opt = permission("person", "read")
    tags = ["organisation"]

    @get("/")
    async def list_persons(
        self,
        db: Db,
        access: Access,
        cursor: FromQuery[str | None] = None,
        limit: PageLimit = 50,
        unit_id: QueryId = None,
    ) -> PersonPage:
        page = await services.list_persons(db, access, cursor, limit, unit_id)
        return PersonPage([PersonOut.of(p) for p in page.items], page.next_cursor)

    @get("/{person_id:int}")
    async def get_person(self, db: Db, access: Access, person_id: FromPath[int]) -> PersonOut:
        return PersonOut.of(await services.get_person(db, access, person_id))

    @post("/", opt=permission("person", "create"))
    async def create_person(
        self, db: Db, access: Access, actor: AuditActor, data: JSONBody[PersonIn]
    ) -> PersonOut:
        person = await services.create_person(db, actor, data, access=access)
        await db.commit()
        return PersonOut.of(person)

    @patch("/{person_id:int}", opt=permission("person", "update"))
    async def update_person(
        self, db: Db, access: Access, actor: AuditActor, person_id: FromPath[int], data: JSONBody[PersonPatch]
    ) -> PersonOut:
        person = await services.update_person(db, actor, person_id, data, access=access)
        await db.commit()
        return PersonOut.of(person)


class RelationController(Controller):
    """Relations the caller declares: they can only ever take access away from the caller."""

    path = "/api/v1/me/relations"
    opt = authenticated()
    tags = ["account"]

    @get("/")
    async def list_relations(self, db: Db, principal: CurrentPrincipal) -> list[RelationOut]:
        return [RelationOut.of(r) for r in await services.list_relations(db, principal.user_id)]

    @post("/")
    async def declare_relation(
        self, db: Db, principal: CurrentPrincipal, actor: AuditActor, data: JSONBody[RelationIn]
    ) -> RelationOut:
        relation = await services.declare_relation(
            db, actor, principal.user_id, principal.unit_id, data.person_id, data.kind, data.note
        )
        await db.commit()
        return RelationOut.of(relation)

    @delete("/{relation_id:int}", status_code=204)
    async def withdraw_relation(
        self, db: Db, principal: CurrentPrincipal, actor: AuditActor, relation_id: FromPath[int]
    ) -> None:
        await services.withdraw_relation(db, actor, principal.user_id, principal.unit_id, relation_id)
        await db.commit()
