"""The administrator's pages of accounts: find, create, change, disable, reset, sign out, grant roles."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from integrity.db.models import Person, User
from integrity.domain.accounts.passwords import reset_password
from integrity.domain.accounts.sessions import sessions_of
from integrity.domain.admin import directory
from integrity.domain.admin.accounts import reset_second_factor
from integrity.domain.org import choices
from integrity.domain.users import services
from integrity.domain.users.schemas import GrantIn, UserIn, UserPatch
from integrity.lib.authz import ROLES
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import DomainError, NotFound
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM, act_then_redirect, converted, picked_unit
from integrity.lib.i18n import N_
from integrity.lib.pagination import QueryId
from integrity.lib.security.passwords import temporary_password

NO_STORE = {"cache-control": "no-store"}  # a page that shows a password is never kept by a cache


class UserForm(msgspec.Struct):
    display_name: str = ""
    unit_id: str = ""
    email: str = ""
    locale: str = "zh"
    person_employee_no: str = ""
    username: str = ""
    csrf_token: str = ""


class GrantForm(msgspec.Struct):
    role: str = ""
    unit_id: str = ""
    csrf_token: str = ""


async def _person_id(db: Db, access: Access, employee_no: str) -> int | None:
    """The linked person named by employee number; blank unlinks."""
    if not employee_no.strip():
        return None
    person = await directory.person_by_number(db, access, employee_no)
    if person is None:
        raise NotFound(
            N_("No person with employee number '%(number)s' in your units."), params={"number": employee_no}
        )
    return person.id


class UserAdminPages(Controller):
    path = "/admin/users"
    opt = permission("user", "read")
    include_in_schema = False

    @get("/")
    async def users(
        self,
        db: Db,
        access: Access,
        q: FromQuery[str] = "",
        unit_id: QueryId = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        page = await directory.user_rows(db, access, text=q[:100], unit_id=unit_id, cursor=cursor, limit=50)
        return Template(
            "users/list.html",
            context={
                "rows": page.items,
                "next_cursor": page.next_cursor,
                "q": q,
                "unit_id": unit_id,
                "units": await choices.unit_choices(db, access, "user", "read"),
                "can_create": access.can_anywhere("user", "create"),
            },
        )

    async def _new_page(
        self, db: Db, access: Access, form: UserForm, error: str = "", status: int = 200
    ) -> Template:
        return Template(
            "users/new.html",
            status_code=status,
            context={
                "form": form,
                "error": error,
                "units": await choices.unit_choices(db, access, "user", "create"),
            },
        )

    @get("/new", opt=permission("user", "create"))
    async def new(self, db: Db, access: Access, unit_id: QueryId = None) -> Template:
        return await self._new_page(db, access, UserForm(unit_id=str(unit_id or "")))

    @post("/new", opt=permission("user", "create"), status_code=200)
    async def create(
        self, db: Db, access: Access, actor: AuditActor, data: Annotated[UserForm, FORM]
    ) -> Template:
        temporary = temporary_password()
        try:
            values = {
                "username": data.username.strip().lower(),
                "display_name": data.display_name.strip(),
                "unit_id": picked_unit(data.unit_id),
                "password": temporary,
                "person_id": await _person_id(db, access, data.person_employee_no),
                "locale": data.locale,
                "email": data.email.strip(),
            }
            user = await services.create_user(
                db, actor, converted(values, UserIn), access=access, must_change_password=True
            )
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._new_page(db, access, data, exc.translated(), exc.status)
        await db.commit()
        return Template(
            "users/temporary.html",
            context={"user": user, "password": temporary, "created": True},
            headers=NO_STORE,
        )

    @get("/{user_id:int}")
    async def detail(self, db: Db, access: Access, user_id: FromPath[int]) -> Template:
        return await self._detail(db, access, user_id)

    async def _detail(
        self,
        db: Db,
        access: Access,
        user_id: int,
        error: str = "",
        status: int = 200,
        form: UserForm | None = None,
    ) -> Template:
        user = await services.visible_user(db, access, user_id)
        unit = await directory.unit_names(db, {user.unit_id})
        person = await db.get(Person, user.person_id) if user.person_id else None
        grants = (await directory.grants_of(db, access, [user_id])).get(user_id, [])
        form = form or UserForm(
            display_name=user.display_name,
            unit_id=str(user.unit_id),
            email=user.email,
            locale=user.locale,
            person_employee_no=(person.employee_no or "") if person else "",
        )
        return Template(
            "users/detail.html",
            status_code=status,
            context={
                "user": user,
                "unit": unit.get(user.unit_id, ""),
                "person": person,
                "form": form,
                "error": error,
                "grants": grants,
                "sessions": await sessions_of(db, user_id, None),
                "roles": ROLES,
                "units": await choices.unit_choices(db, access, "user", "create"),
                "grant_units": await choices.unit_choices(db, access, "grant", "create"),
                "can_update": access.can("user", "update", await directory.unit_path(db, user.unit_id)),
            },
        )

    @post("/{user_id:int}", opt=permission("user", "update"), status_code=200)
    async def save(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        user_id: FromPath[int],
        data: Annotated[UserForm, FORM],
    ) -> Template | Redirect:
        async def change() -> None:
            patch = {
                "display_name": data.display_name.strip(),
                "email": data.email.strip(),
                "locale": data.locale,
                "unit_id": picked_unit(data.unit_id),
                "person_id": await _person_id(db, access, data.person_employee_no),
            }
            await services.update_user(db, actor, user_id, converted(patch, UserPatch), access=access)

        async def show_again(error: str, status: int) -> Template:
            return await self._detail(db, access, user_id, error, status, data)

        return await act_then_redirect(db, change(), f"/admin/users/{user_id}", show_again)

    @post("/{user_id:int}/status", opt=permission("user", "update"), status_code=200)
    async def set_status(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        user_id: FromPath[int],
        data: Annotated[dict[str, str], FORM],
    ) -> Template | Redirect:
        patch = UserPatch(is_active=data.get("active") == "true")

        async def show_again(error: str, status: int) -> Template:
            return await self._detail(db, access, user_id, error, status)

        done = "enabled" if patch.is_active else "disabled"
        updating = services.update_user(db, actor, user_id, patch, access=access)
        return await act_then_redirect(db, updating, f"/admin/users/{user_id}", show_again, done)

    @post("/{user_id:int}/password-reset", opt=permission("user", "update"), status_code=200)
    async def reset(self, db: Db, access: Access, actor: AuditActor, user_id: FromPath[int]) -> Template:
        temporary = await reset_password(db, actor, user_id, access=access)
        user = await db.get(User, user_id)
        await db.commit()
        return Template(
            "users/temporary.html", context={"user": user, "password": temporary}, headers=NO_STORE
        )

    @post("/{user_id:int}/grants", opt=permission("grant", "create"), status_code=200)
    async def grant(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        user_id: FromPath[int],
        data: Annotated[GrantForm, FORM],
    ) -> Template | Redirect:
        async def granting() -> None:
            wanted = GrantIn(user_id, data.role, picked_unit(data.unit_id))
            await services.grant_role(db, actor, wanted, access=access)

        async def show_again(error: str, status: int) -> Template:
            return await self._detail(db, access, user_id, error, status)

        return await act_then_redirect(
            db, granting(), f"/admin/users/{user_id}#grants", show_again, "granted"
        )

    @post("/{user_id:int}/grants/{grant_id:int}/revoke", opt=permission("grant", "delete"), status_code=200)
    async def revoke(
        self, db: Db, access: Access, actor: AuditActor, user_id: FromPath[int], grant_id: FromPath[int]
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._detail(db, access, user_id, error, status)

        revoking = services.revoke_grant(db, actor, grant_id, access=access, user_id=user_id)
        return await act_then_redirect(db, revoking, f"/admin/users/{user_id}#grants", show_again, "revoked")

    @post("/{user_id:int}/second-factor-reset", opt=permission("user", "update"), status_code=200)
    async def reset_second_factor(
        self, db: Db, access: Access, actor: AuditActor, user_id: FromPath[int]
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._detail(db, access, user_id, error, status)

        resetting = reset_second_factor(db, actor, user_id, access=access)
        back = f"/admin/users/{user_id}"
        return await act_then_redirect(db, resetting, back, show_again, "second_factor_reset")

    @post("/{user_id:int}/sessions/end", opt=permission("user", "update"), status_code=303)
    async def sign_out_everywhere(
        self, db: Db, access: Access, actor: AuditActor, user_id: FromPath[int]
    ) -> Redirect:
        await services.end_sessions_of(db, actor, user_id, access=access)
        await db.commit()
        return Redirect(with_done(f"/admin/users/{user_id}", "sessions_ended"), status_code=303)
