"""The second factor's pages: the sign-in step that asks for a code, and setting it up or off."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from integrity.db.models import User
from integrity.domain.accounts import second_factor as totp
from integrity.lib.authz.declarations import sign_in_step
from integrity.lib.authz.guard import page_after, refused
from integrity.lib.deps import AppSettings, AuditActor, CurrentPrincipal, Db
from integrity.lib.errors import DomainError
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.requestctx import client_addr

NO_STORE = {"cache-control": "no-store"}


class CodeForm(msgspec.Struct):
    code: str = ""
    enrolment: str = ""
    remember: str = ""
    csrf_token: str = ""


def _step_context(settings: AppSettings, error: str) -> dict[str, object]:
    return {"error": error, "remember_days": settings.second_factor_remember_days}


async def _user(request: Request[Any, Any, Any], user_id: int) -> User:
    async with request.app.state.db.read_session() as session:
        user: User | None = await session.get(User, user_id)
    assert user is not None
    return user


class SecondFactorStep(Controller):
    """After the password, for an account with a second factor: the code from the app, or a recovery code."""

    path = "/login/second-factor"
    opt = sign_in_step()
    include_in_schema = False

    @get("/")
    async def page(self, principal: CurrentPrincipal, settings: AppSettings) -> Template | Redirect:
        if principal.stage != "second_factor":
            return Redirect(page_after(principal.stage))
        return Template("account/second_factor_step.html", context=_step_context(settings, ""))

    @post("/", status_code=200)
    async def check(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[CodeForm, FORM],
    ) -> Template | Redirect:
        if principal.stage != "second_factor" or principal.session_id is None:
            return Redirect(page_after(principal.stage), status_code=303)
        try:
            stage = await totp.check_code(
                request.app.state.db,
                settings,
                actor,
                principal.user_id,
                principal.session_id,
                data.code,
                client_addr(request),
            )
        except DomainError as exc:
            await refused(exc)
            context = _step_context(settings, exc.translated())
            return Template("account/second_factor_step.html", status_code=exc.status, context=context)
        response = Redirect(page_after(stage), status_code=303)
        days = settings.second_factor_remember_days
        if days and data.remember == "true":
            user = await _user(request, principal.user_id)
            response.set_cookie(
                totp.DEVICE_COOKIE,
                totp.remember_device(settings, user),
                max_age=days * 86400,
                path="/login",  # read only when signing in
                httponly=True,
                secure=settings.secure_cookies,
                samesite="lax",
            )
        return response


class SecondFactorPages(Controller):
    """Set up the second factor (also the step a role that requires it makes a sign-in take), see how
    many recovery codes are left, make new ones, or turn it off where no role requires it."""

    path = "/account/second-factor"
    opt = sign_in_step()
    include_in_schema = False

    async def _page(
        self, db: Db, settings: AppSettings, principal: CurrentPrincipal, error: str = "", status: int = 200
    ) -> Template:
        user = await db.get(User, principal.user_id)
        assert user is not None
        enabled = user.totp_enabled_at is not None
        roles = await totp.roles_of(db, principal.user_id)
        return Template(
            "account/second_factor.html",
            status_code=status,
            headers=NO_STORE,
            context={
                "user": user,
                "enabled": enabled,
                "enrolment": None if enabled else totp.new_enrolment(settings, user),
                "required": totp.required(settings, roles),
                "forced": principal.stage == "enrol",
                "left": await totp.unused_recovery_codes(db, principal.user_id) if enabled else 0,
                "error": error,
            },
        )

    @get("/")
    async def page(self, db: Db, settings: AppSettings, principal: CurrentPrincipal) -> Template | Redirect:
        if principal.stage not in ("full", "enrol"):
            return Redirect(page_after(principal.stage))
        return await self._page(db, settings, principal)

    @post("/enable", status_code=200)
    async def enable(
        self,
        db: Db,
        settings: AppSettings,
        principal: CurrentPrincipal,
        actor: AuditActor,
        data: Annotated[CodeForm, FORM],
    ) -> Template | Redirect:
        if principal.stage not in ("full", "enrol"):
            return Redirect(page_after(principal.stage), status_code=303)
        try:
            codes, stage = await totp.enable(
                db, settings, actor, principal.user_id, principal.session_id, data.enrolment, data.code
            )
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._page(db, settings, principal, exc.translated(), exc.status)
        await db.commit()
        return Template(
            "account/recovery_codes.html",
            headers=NO_STORE,
            context={"codes": codes, "onwards": page_after(stage), "first": True},
        )

    @post("/recovery-codes", status_code=200)
    async def new_codes(
        self, db: Db, settings: AppSettings, principal: CurrentPrincipal, actor: AuditActor
    ) -> Template | Redirect:
        if principal.stage != "full":
            return Redirect(page_after(principal.stage), status_code=303)
        codes = await totp.new_recovery_codes(db, settings, actor, principal.user_id)
        await db.commit()
        context = {"codes": codes, "onwards": "/account/second-factor", "first": False}
        return Template("account/recovery_codes.html", headers=NO_STORE, context=context)

    @post("/off", status_code=200)
    async def off(
        self,
        db: Db,
        settings: AppSettings,
        principal: CurrentPrincipal,
        actor: AuditActor,
        data: Annotated[CodeForm, FORM],
    ) -> Template | Redirect:
        if principal.stage != "full":
            return Redirect(page_after(principal.stage), status_code=303)

        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, settings, principal, error, status)

        turning_off = totp.turn_off(db, settings, actor, principal.user_id, data.code)
        return await act_then_redirect(
            db, turning_off, "/account/second-factor", show_again, "second_factor_off"
        )
