"""The account pages of any signed-in user: their password, sessions and API tokens."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from integrity.domain.accounts.passwords import PasswordChange, change_own_password
from integrity.domain.accounts.sessions import end_sessions, sessions_of
from integrity.domain.users import services as users
from integrity.lib.audit import AuditEntry, record
from integrity.lib.authz.declarations import authenticated, sign_in_step
from integrity.lib.authz.guard import STEP_PAGES, page_after, refused
from integrity.lib.deps import AppSettings, AuditActor, CurrentPrincipal, Db
from integrity.lib.errors import DomainError, InvalidInput
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM
from integrity.lib.i18n import N_
from integrity.lib.requestctx import client_addr


class AccountHome(Controller):
    path = "/account"
    opt = authenticated()
    include_in_schema = False

    @get("/")
    async def home(self) -> Redirect:
        """The account's first tab."""
        return Redirect("/account/notifications")


class TokenPages(Controller):
    path = "/account/tokens"
    opt = authenticated()
    include_in_schema = False

    @get("/")
    async def tokens_page(self, db: Db, principal: CurrentPrincipal) -> Template:
        return Template("tokens.html", context={"tokens": await users.list_tokens(db, principal.user_id)})


class PasswordForm(msgspec.Struct):
    current: str = ""
    new: str = ""
    repeat: str = ""
    csrf_token: str = ""


class PasswordPages(Controller):
    """Change one's password; also the step a sign-in with a temporary password must take."""

    path = "/account/password"
    opt = sign_in_step()
    include_in_schema = False

    @staticmethod
    def _page(principal: CurrentPrincipal, error: str = "", status: int = 200) -> Template:
        return Template(
            "account/password.html",
            status_code=status,
            context={"error": error, "forced": principal.stage == "password"},
        )

    @get("/")
    async def page(self, principal: CurrentPrincipal) -> Template | Redirect:
        if principal.stage not in ("full", "password"):
            return Redirect(STEP_PAGES[principal.stage])  # the code comes before a new password
        return self._page(principal)

    @post("/", status_code=200)
    async def change(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[PasswordForm, FORM],
    ) -> Template | Redirect:
        if principal.stage not in ("full", "password"):
            return Redirect(STEP_PAGES[principal.stage], status_code=303)
        # Passwords are never sent back into the form: a refusal shows the reason and empty fields.
        try:
            if data.new != data.repeat:
                raise InvalidInput(N_("The two new passwords differ; type the same one twice."))
            change = PasswordChange(
                principal.user_id, principal.session_id, data.current, data.new, client_addr(request)
            )
            stage = await change_own_password(request.app.state.db, settings, actor, change)
        except DomainError as exc:
            await refused(exc)
            return self._page(principal, exc.translated(), exc.status)
        return Redirect(with_done(page_after(stage), "password"), status_code=303)


class SessionPages(Controller):
    """ "My sessions": where the account is signed in; end one, or all but this one."""

    path = "/account/sessions"
    opt = authenticated()
    include_in_schema = False

    @get("/")
    async def page(self, db: Db, principal: CurrentPrincipal) -> Template:
        shown = await sessions_of(db, principal.user_id, principal.session_id)
        return Template("account/sessions.html", context={"sessions": shown})

    @post("/{handle:str}/end", status_code=303)
    async def end_one(
        self, db: Db, principal: CurrentPrincipal, actor: AuditActor, handle: FromPath[str]
    ) -> Redirect:
        ended = await end_sessions(db, principal.user_id, handle=handle, keep=principal.session_id)
        await _record_ended(db, actor, principal.user_id, principal.unit_id, ended)
        return Redirect(with_done("/account/sessions", "sessions_ended"), status_code=303)

    @post("/end-others", status_code=303)
    async def end_others(self, db: Db, principal: CurrentPrincipal, actor: AuditActor) -> Redirect:
        ended = await end_sessions(db, principal.user_id, keep=principal.session_id)
        await _record_ended(db, actor, principal.user_id, principal.unit_id, ended)
        return Redirect(with_done("/account/sessions", "sessions_ended"), status_code=303)


async def _record_ended(db: Db, actor: AuditActor, user_id: int, unit_id: int, ended: int) -> None:
    entry = AuditEntry("user.sessions_end", "user", user_id, unit_id, extra={"ended": ended})
    await record(db, actor, entry)
    await db.commit()
