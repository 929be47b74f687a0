"""The browser's side of single sign-on: off to the provider, and back with a code."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from integrity.domain.accounts import sso
from integrity.domain.accounts.second_factor import DEVICE_COOKIE
from integrity.domain.accounts.services import Visit, open_session
from integrity.domain.accounts.sessions import set_session_cookie
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz.declarations import public
from integrity.lib.deps import AppSettings
from integrity.lib.errors import DomainError, NotFound
from integrity.lib.forms import safe_next
from integrity.lib.i18n import N_
from integrity.lib.requestctx import client_addr, state_of

FLOW_COOKIE = "integrity_sso"
NOT_LINKED = N_(
    "Your sign-in is not linked to an account here. Ask your administrator to link it; until then "
    "you have no access."
)


def _refused(message: str, status: int = 403) -> Template:
    return Template("sso_refused.html", status_code=status, context={"error": message})


class SsoController(Controller):
    """Public, as the sign-in page is: the state, nonce and PKCE verifier travel sealed in a cookie that
    only this path receives, and are good for one sign-in within ten minutes."""

    path = "/login/sso"
    opt = public()
    include_in_schema = False

    @get("/")
    async def leave(self, request: Request[Any, Any, Any], settings: AppSettings) -> Redirect | Template:
        if not settings.oidc_issuer:
            raise NotFound(N_("Single sign-on is not set up on this server."))
        try:
            provider = await sso.discover(settings)
        except DomainError as exc:
            return _refused(exc.translated(), 502)
        target, flow = sso.start(settings, provider, safe_next(request.query_params.get("next")))
        response = Redirect(target)
        response.set_cookie(
            FLOW_COOKIE,
            sso.seal_flow(settings, flow),
            max_age=sso.FLOW_SECONDS,
            path="/login/sso",
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",  # the provider sends the browser back with a top-level GET
        )
        return response

    @get("/callback")
    async def back(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
    ) -> Redirect | Template:
        if not settings.oidc_issuer:
            raise NotFound(N_("Single sign-on is not set up on this server."))
        # `state` is a name Litestar keeps for itself: the provider's answer is read off the query.
        query = request.query_params
        code, state, error = query.get("code", ""), query.get("state", ""), query.get("error", "")
        db = request.app.state.db
        client = client_addr(request)
        anonymous = Actor(
            label="anonymous", request_id=state_of(request).get("request_id", ""), client_addr=client
        )
        flow = sso.open_flow(settings, request.cookies.get(FLOW_COOKIE))
        try:
            if error:
                raise sso.SsoRefused(
                    N_("The sign-in at the single sign-on service was cancelled or refused.")
                )
            if flow is None or not state or state != flow.state or not code:
                raise sso.SsoRefused(N_("This sign-in has expired or was not started here; start again."))
            claims = await sso.finish(settings, await sso.discover(settings), flow, code)
            async with db.write_session() as session:
                user = await sso.account_for(session, settings, claims)
                if user is None:
                    named = str(claims.get(settings.oidc_claim, ""))[:64]
                    entry = AuditEntry(
                        "auth.login", "user", outcome="denied", extra={"via": "sso", "claim": named}
                    )
                    await record(session, anonymous, entry)
                    await session.commit()
                    unknown = sso.SsoRefused(NOT_LINKED)
                    unknown.audited = True
                    raise unknown
                visit = Visit(
                    client,
                    request.headers.get("user-agent", ""),
                    request.cookies.get(settings.session_cookie),
                    anonymous.request_id,
                    request.cookies.get(DEVICE_COOKIE),
                )
                new = await open_session(
                    session, settings, user, visit, {"via": "sso", "subject": str(claims["sub"])[:64]}
                )
                await session.commit()
        except sso.SsoRefused as exc:
            if not exc.audited:
                async with db.write_session() as session:
                    entry = AuditEntry(
                        "auth.login", "user", outcome="denied", extra={"via": "sso", "reason": exc.detail}
                    )
                    await record(session, anonymous, entry)
                    await session.commit()
            page = _refused(exc.translated())
            page.delete_cookie(FLOW_COOKIE, path="/login/sso")
            return page
        response = Redirect(flow.next if flow else "/")
        set_session_cookie(response, settings, new.cookie_value)
        response.delete_cookie(FLOW_COOKIE, path="/login/sso")
        return response
