"""Server-rendered pages: the organisation, users and roles, and API tokens."""

from __future__ import annotations

from collections import defaultdict

from litestar import Controller, get
from litestar.response import Template
from sqlmodel import select

from integrity.db.models import RoleGrant, Unit
from integrity.domain.users import services as users
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import Access, CurrentPrincipal, Db
from integrity.lib.i18n import local_name


class DashboardController(Controller):
    path = "/"
    include_in_schema = False

    @get("/org", opt=permission("unit", "read"))
    async def organisation(self, db: Db, access: Access) -> Template:
        units = (
            (
                await db.execute(
                    select(Unit)
                    .where(access.unit_filter("unit", "read", Unit.path))
                    .order_by(Unit.path)
                    .limit(500)
                )
            )
            .scalars()
            .all()
        )
        return Template("org.html", context={"units": units})

    @get("/admin/users", opt=permission("user", "read"))
    async def users_page(self, db: Db, access: Access) -> Template:
        page = await users.list_users(db, access, None, 200)
        ids = [u.id for u in page.items]
        roles: dict[int, list[tuple[str, str]]] = defaultdict(list)
        rows = (
            await db.execute(
                select(RoleGrant.user_id, RoleGrant.role, Unit.name, Unit.name_en)
                .join(Unit, Unit.id == RoleGrant.unit_id)  # type: ignore[arg-type]
                .where(RoleGrant.user_id.in_(ids))  # type: ignore[attr-defined]
            )
        ).all()
        for user_id, role, unit_name, unit_name_en in rows:
            roles[user_id].append((role, local_name(unit_name, unit_name_en)))
        unit_names = {
            u.id: local_name(u.name, u.name_en)
            for u in (
                await db.execute(
                    select(Unit).where(Unit.id.in_({u.unit_id for u in page.items}))  # type: ignore[union-attr]
                )
            ).scalars()
        }
        return Template("users.html", context={"users": page.items, "roles": roles, "unit_names": unit_names})

    @get("/account/tokens", opt=authenticated())
    async def tokens_page(self, db: Db, principal: CurrentPrincipal) -> Template:
        return Template("tokens.html", context={"tokens": await users.list_tokens(db, principal.user_id)})
