"""Admin API for users and role grants, within the units the admin administers."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from integrity.domain.accounts.passwords import reset_password
from integrity.domain.users import services
from integrity.domain.users.schemas import GrantIn, GrantOut, PasswordReset, UserIn, UserOut, UserPatch
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.pagination import Page, PageLimit, QueryId


class UserPage(Page[UserOut]):
    """One page of the list; pass `next_cursor` back as `cursor` for the next one."""


class GrantPage(Page[GrantOut]):
    """One page of the list; pass `next_cursor` back as `cursor` for the next one."""


class UserController(Controller):
    path = "/api/v1/users"
    opt = permission("user", "read")
    tags = ["administration"]

    @get("/")
    async def list_users(
        self,
        db: Db,
        access: Access,
        cursor: FromQuery[str | None] = None,
        limit: PageLimit = 50,
    ) -> UserPage:
        page = await services.list_users(db, access, cursor, limit)
        return UserPage([UserOut.of(u) for u in page.items], page.next_cursor)

    @get("/{user_id:int}")
    async def get_user(self, db: Db, access: Access, user_id: FromPath[int]) -> UserOut:
        return UserOut.of(await services.visible_user(db, access, user_id))

    @post("/", opt=permission("user", "create"))
    async def create_user(self, db: Db, access: Access, actor: AuditActor, data: JSONBody[UserIn]) -> UserOut:
        user = await services.create_user(db, actor, data, access=access)
        await db.commit()
        return UserOut.of(user)

    @patch("/{user_id:int}", opt=permission("user", "update"))
    async def update_user(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        user_id: FromPath[int],
        data: JSONBody[UserPatch],
    ) -> UserOut:
        user = await services.update_user(db, actor, user_id, data, access=access)
        await db.commit()
        return UserOut.of(user)

    @post("/{user_id:int}/password-reset", opt=permission("user", "update"))
    async def reset_password(
        self, db: Db, access: Access, actor: AuditActor, user_id: FromPath[int]
    ) -> PasswordReset:
        """A temporary password, shown once; the user's sessions end and they choose a new one at sign-in."""
        temporary = await reset_password(db, actor, user_id, access=access)
        user = await services.visible_user(db, access, user_id)
        await db.commit()
        return PasswordReset(temporary, UserOut.of(user))


class GrantController(Controller):
    path = "/api/v1/grants"
    opt = permission("grant", "read")
    tags = ["administration"]

    @get("/")
    async def list_grants(
        self,
        db: Db,
        access: Access,
        cursor: FromQuery[str | None] = None,
        limit: PageLimit = 50,
        user_id: QueryId = None,
    ) -> GrantPage:
        page = await services.list_grants(db, access, cursor, limit, user_id)
        return GrantPage([GrantOut.of(g) for g in page.items], page.next_cursor)

    @post("/", opt=permission("grant", "create"))
    async def create_grant(
        self, db: Db, access: Access, actor: AuditActor, data: JSONBody[GrantIn]
    ) -> GrantOut:
        grant = await services.grant_role(db, actor, data, access=access)
        await db.commit()
        return GrantOut.of(grant)

    @delete("/{grant_id:int}", opt=permission("grant", "delete"))
    async def revoke_grant(self, db: Db, access: Access, actor: AuditActor, grant_id: FromPath[int]) -> None:
        await services.revoke_grant(db, actor, grant_id, access=access)
        await db.commit()
