"""Sign-in pages, sign-out, and the caller's own account and API tokens."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template

from integrity.db.models import User
from integrity.domain.accounts.second_factor import DEVICE_COOKIE
from integrity.domain.accounts.services import InvalidCredentials, sign_in, sign_out
from integrity.domain.accounts.sessions import set_session_cookie
from integrity.domain.users import services as users
from integrity.domain.users.schemas import TokenCreated, TokenIn, TokenOut
from integrity.lib import i18n
from integrity.lib.authz.declarations import authenticated, public, sign_in_step
from integrity.lib.deps import AppSettings, AuditActor, CurrentPrincipal, Db
from integrity.lib.errors import NotFound, TooManyAttempts
from integrity.lib.forms import safe_next
from integrity.lib.i18n import N_
from integrity.lib.i18n import gettext as _
from integrity.lib.requestctx import client_addr, state_of
from integrity.lib.security.tokens import new_secret, same

LOGIN_CSRF_COOKIE = "integrity_login_csrf"


class LoginForm(msgspec.Struct):
    username: str = ""
    password: str = ""
    csrf_token: str = ""
    next: str = "/"


class LoginController(Controller):
    """The sign-in page; public, with a double-submit CSRF cookie since there is no session yet."""

    path = "/login"
    opt = public()
    include_in_schema = False

    def _page(
        self,
        settings: AppSettings,
        *,
        username: str = "",
        next_path: str = "/",
        error: str = "",
        status: int = 200,
    ) -> Template:
        token = new_secret(24)
        return Template(
            "login.html",
            context={
                "csrf_token": token,
                "username": username,
                "next": next_path,
                "error": error,
                "sso_on": bool(settings.oidc_issuer),
                "sso_label": settings.oidc_label,
                "password_on": settings.password_sign_in,
            },
            status_code=status,
            cookies=[
                Cookie(
                    key=LOGIN_CSRF_COOKIE,
                    value=token,
                    httponly=True,
                    samesite="strict",
                    secure=settings.secure_cookies,
                    path="/login",
                )
            ],
        )

    @get("/")
    async def login_page(self, request: Request[Any, Any, Any], settings: AppSettings) -> Template:
        # Shown even to a signed-in user: signing in again (or as someone else) starts a new session.
        return self._page(settings, next_path=safe_next(request.query_params.get("next")))

    @post("/", status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        next_path = safe_next(data.next)
        if not settings.password_sign_in:
            # This deployment signs in through the group's identity system only.
            return self._page(
                settings, next_path=next_path, status=403, error=_("Sign in with single sign-on here.")
            )
        if not same(request.cookies.get(LOGIN_CSRF_COOKIE), data.csrf_token):
            return self._page(
                settings,
                username=data.username,
                next_path=next_path,
                status=403,
                error=_("The form expired. Please sign in again."),
            )
        try:
            signed_in = await sign_in(
                request.app.state.db,
                settings,
                username=data.username,
                password=data.password,
                client=client_addr(request),
                user_agent=request.headers.get("user-agent", ""),
                previous_cookie=request.cookies.get(settings.session_cookie),
                request_id=state_of(request).get("request_id", ""),
                device=request.cookies.get(DEVICE_COOKIE),
            )
        except InvalidCredentials:
            return self._page(
                settings,
                username=data.username,
                next_path=next_path,
                status=401,
                error=_("Wrong username or password."),
            )
        except TooManyAttempts as exc:
            return self._page(
                settings,
                username=data.username,
                next_path=next_path,
                status=429,
                error=_("Too many failed sign-ins. Wait %(seconds)s seconds and try again.")
                % {"seconds": exc.extra.get("retry_after", 1)},
            )
        response = Redirect(next_path)
        set_session_cookie(response, settings, signed_in.session.cookie_value)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response


class LogoutController(Controller):
    path = "/logout"
    opt = sign_in_step()
    include_in_schema = False

    @post("/", status_code=303)
    async def logout(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        actor: AuditActor,
        settings: AppSettings,
    ) -> Redirect:
        if principal.session_id:
            await sign_out(request.app.state.db, actor, principal.session_id, principal.unit_id)
        response = Redirect("/login", status_code=303)
        response.delete_cookie(settings.session_cookie, path="/")
        return response


class LocaleForm(msgspec.Struct):
    locale: str
    next: str = "/"
    csrf_token: str = ""


class LanguageController(Controller):
    """The header's 中文 | English for a signed-in user: the choice is kept on the account."""

    path = "/account/language"
    opt = authenticated()
    include_in_schema = False

    @post("/", status_code=303)
    async def set_language(
        self,
        db: Db,
        principal: CurrentPrincipal,
        actor: AuditActor,
        data: Annotated[LocaleForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        await users.set_own_locale(db, actor, principal.user_id, principal.unit_id, data.locale)
        await db.commit()
        response = Redirect(safe_next(data.next), status_code=303)  # back to the page the user was on
        response.set_cookie(
            i18n.LANG_COOKIE, data.locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
        return response


class MeOut(msgspec.Struct):
    id: int
    username: str
    display_name: str
    unit_id: int
    person_id: int | None
    locale: str
    grants: list[dict[str, Any]]


class MeController(Controller):
    """The caller's own account; any signed-in user."""

    path = "/api/v1/me"
    opt = authenticated()
    tags = ["account"]

    @get("/")
    async def me(self, principal: CurrentPrincipal) -> MeOut:
        return MeOut(
            principal.user_id,
            principal.username,
            principal.display_name,
            principal.unit_id,
            principal.person_id,
            principal.locale,
            [
                {
                    "role": g.role,
                    "unit_id": g.unit_id,
                    "unit_path": g.unit_path,
                    "unit_name": g.unit_name,
                }
                for g in principal.grants
            ],
        )


class TokenController(Controller):
    """Personal API tokens for scripts: create (shown once), list, revoke."""

    path = "/api/v1/tokens"
    opt = authenticated()
    tags = ["account"]

    @get("/")
    async def list_tokens(self, db: Db, principal: CurrentPrincipal) -> list[TokenOut]:
        return [TokenOut.of(t) for t in await users.list_tokens(db, principal.user_id)]

    @post("/")
    async def create_token(
        self,
        db: Db,
        principal: CurrentPrincipal,
        actor: AuditActor,
        settings: AppSettings,
        data: JSONBody[TokenIn],
    ) -> TokenCreated:
        user = await db.get(User, principal.user_id)
        if user is None:
            raise NotFound(N_("No such user."))
        issued = await users.create_token(db, settings, actor, user, data.name, data.expires_in_days)
        await db.commit()
        return TokenCreated(issued.token, TokenOut.of(issued.row))

    @delete("/{token_id:int}", status_code=200)
    async def revoke_token(
        self, db: Db, principal: CurrentPrincipal, actor: AuditActor, token_id: FromPath[int]
    ) -> TokenOut:
        row = await users.revoke_token(db, actor, principal.user_id, principal.unit_id, token_id)
        await db.commit()
        return TokenOut.of(row)
