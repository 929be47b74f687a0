"""The one guard every route goes through: default deny, sign-in, CSRF, then the declared permission."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Scope

from integrity.lib.audit import AuditEntry, record
from integrity.lib.authz.declarations import (
    AUTHENTICATED,
    OPT_KEY,
    PUBLIC,
    SIGN_IN_STEP,
    Permission,
)
from integrity.lib.errors import DomainError, Forbidden, NotFound, SignInIncomplete, Unauthenticated
from integrity.lib.i18n import N_
from integrity.lib.pagination import MAX_ID
from integrity.lib.requestctx import access_of, actor_of, current_scope, principal_of
from integrity.lib.security.tokens import same

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
# Recorded as the reason of a request no role of the user allows (the audit page translates it).
LACKS_PERMISSION = N_("No role of this user allows this.")
CSRF_MISSING = N_("The form's CSRF token was missing or wrong.")


async def record_refusal(exc: Exception, scope: Scope) -> None:
    """A service's refusal (DomainError.denied) as an audit event: the app's after_exception hook."""
    if not isinstance(exc, DomainError) or not exc.denied or exc.audited or scope["type"] != ScopeType.HTTP:
        return
    exc.audited = True
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    handler = scope.get("route_handler")
    declared = handler.opt.get(OPT_KEY) if handler is not None else None
    obj = declared.obj if isinstance(declared, Permission) else "request"
    await record_denial(connection, obj, exc.detail, status=exc.status)


async def refused(exc: DomainError) -> None:
    """Record a refusal that a page catches to show its reason (the API's reach the hook above)."""
    scope = current_scope.get()
    if scope is not None:
        await record_refusal(exc, scope)


async def record_denial(
    connection: ASGIConnection[Any, Any, Any, Any], obj: str, reason: str, **extra: Any
) -> None:
    """A denied attempt is an audit event too, in its own transaction."""
    principal = principal_of(connection)
    entry = AuditEntry(
        action="access.denied",
        object_type=obj,
        unit_id=principal.unit_id if principal else None,
        outcome="denied",
        extra={
            "reason": reason,
            "method": connection.scope.get("method", ""),
            "path": connection.url.path,
            **extra,
        },
    )
    async with connection.app.state.db.write_session() as session:
        await record(session, actor_of(connection), entry)
        await session.commit()


async def _csrf_token_sent(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = connection.headers.get("content-type", "")
    # Only reached for a signed-in session; the handler reuses the parsed form (uploads spool to disk).
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        from litestar import Request  # a Request over the same scope shares the parsed-form cache

        form = await Request[Any, Any, Any](connection.scope, connection.receive).form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _recorded(error: DomainError) -> DomainError:
    """An error whose denial the guard has recorded (or, for a route without a rule, need not)."""
    error.audited = True
    return error


# The page of each half-way stage of a session: the only one (with signing out) it reaches.
STEP_PAGES = {
    "second_factor": "/login/second-factor",
    "password": "/account/password",
    "enrol": "/account/second-factor",
}


def page_after(stage: str) -> str:
    """Where a session at this stage goes next: its step's page, or the work queue once signed in."""
    return "/" if stage == "full" else STEP_PAGES[stage]


STEP_TEXTS = {
    "second_factor": N_("Enter the code from your authenticator app to finish signing in."),
    "password": N_("Choose a new password to finish signing in."),
    "enrol": N_("Set up a second factor to finish signing in: your role requires one."),
}


# Id columns are 32-bit integers on PostgreSQL (64-bit on SQLite): a larger number in a path names
# nothing on either engine, and says so the same way.
_LARGEST_ID = MAX_ID


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Litestar guard applied at the app level; once allowed, an id no column can hold is a 404."""
    await _authorize(connection, handler)
    if any(isinstance(v, int) and abs(v) > _LARGEST_ID for v in connection.path_params.values()):
        raise NotFound(N_("This page or record does not exist, or you may not see it."))


async def _authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    declaration = handler.opt.get(OPT_KEY)
    # Litestar adds an OPTIONS handler to every path, inheriting its controller's rule; none is served.
    if declaration is None or getattr(handler, "handler_name", "") == "options_handler":
        raise _recorded(Forbidden(N_("This route declares no authorization rule and is refused.")))
    if declaration == PUBLIC:
        return
    principal = principal_of(connection)
    if principal is None:
        raise Unauthenticated()
    method = connection.scope.get("method", "GET")
    # Bearer tokens are not sent by browsers on their own, so only cookie sessions need this.
    if (
        method not in SAFE_METHODS
        and principal.auth_kind == "session"
        and not same(await _csrf_token_sent(connection), principal.csrf_token)
    ):
        await record_denial(connection, "csrf", CSRF_MISSING)
        raise _recorded(Forbidden(N_("The form has expired or the CSRF token is missing; reload the page.")))
    if principal.stage != "full" and declaration != SIGN_IN_STEP:
        raise _recorded(SignInIncomplete(STEP_TEXTS[principal.stage], step=STEP_PAGES[principal.stage]))
    if declaration in (AUTHENTICATED, SIGN_IN_STEP):
        return
    if not isinstance(declaration, Permission):
        raise _recorded(Forbidden(N_("This route declares no authorization rule and is refused.")))
    access = access_of(connection)
    if access is None or not access.can_anywhere(declaration.obj, declaration.act):
        await record_denial(connection, declaration.obj, LACKS_PERMISSION, act=declaration.act)
        raise _recorded(Forbidden(N_("Your roles do not allow this.")))
