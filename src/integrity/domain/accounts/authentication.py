"""Who is calling: a browser session cookie or a bearer API token, resolved once per request."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import ApiToken, RoleGrant, Unit, User, UserSession
from integrity.db.types import utcnow
from integrity.domain.accounts.sessions import (
    TOUCH_INTERVAL,
    end_session,
    is_expired,
    session_id_for,
)
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope, Authorizer, Grant, Principal
from integrity.lib.requestctx import current_scope, request_id_from, state_of
from integrity.lib.security.tokens import API_TOKEN_PREFIX, keyed_hash


async def load_grants(session: AsyncSession, user_id: int) -> tuple[Grant, ...]:
    rows = (
        await session.execute(
            sa_select(col(RoleGrant.role), col(Unit.id), col(Unit.path), col(Unit.name), col(Unit.name_en))
            .join(Unit, col(Unit.id) == col(RoleGrant.unit_id))
            .where(col(RoleGrant.user_id) == user_id)
            .order_by(col(Unit.path), col(RoleGrant.role))
        )
    ).all()
    # Unit.id is typed optional on the model; a joined row always has one.
    return tuple(Grant(role, uid or 0, path, name, name_en) for role, uid, path, name, name_en in rows)


def principal_for(
    user: User, grants: tuple[Grant, ...], kind: str, row: UserSession | None = None
) -> Principal:
    """The principal of a user as a request (or the worker, or the command line) acts as them."""
    assert user.id is not None
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        unit_id=user.unit_id,
        person_id=user.person_id,
        locale=user.locale,
        grants=grants,
        auth_kind=kind,
        session_id=row.id if row else None,
        csrf_token=row.csrf_token if row else None,
        stage=row.stage if row else "full",
    )


async def offline_access(session: AsyncSession, username: str, via: str) -> tuple[AccessScope, Actor]:
    """The scope and audit actor of an active user acting outside a request (the CLI, the demo loader)."""
    user = (await session.execute(select(User).where(col(User.username) == username))).scalar_one_or_none()
    if user is None or not user.is_active or user.id is None:
        raise LookupError(f"no active user {username!r}")
    grants = await load_grants(session, user.id)
    authorizer = Authorizer()
    authorizer.replace_grants([(user.id, g.role, g.unit_path) for g in grants], version=-1)
    return AccessScope(principal_for(user, grants, via, None), authorizer), Actor(user.username, user.id, via)


# Every signed-in request runs this: built once (no statement or cache key to build per request), and
# as plain columns (no ORM objects to make for a row read once).
_BY_SESSION: Any = (
    sa_select(
        col(UserSession.id),
        col(UserSession.csrf_token),
        col(UserSession.stage),
        col(UserSession.last_seen_at),
        col(UserSession.expires_at),
        col(User.id).label("user_id"),
        col(User.username),
        col(User.display_name),
        col(User.unit_id),
        col(User.person_id),
        col(User.locale),
        col(User.is_active),
        Authorizer.version_column().label("grants_version"),
    )
    .join(User, col(User.id) == col(UserSession.user_id))
    .where(col(UserSession.id) == bindparam("session_id"))
)


async def _from_token(
    session: AsyncSession, settings: Settings, authorizer: Authorizer, token: str
) -> tuple[User, ApiToken] | None:
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    found = (
        await session.execute(
            select(ApiToken, User, authorizer.version_column())
            .join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
            .where(ApiToken.token_hash == keyed_hash(settings.secret_key, token))
        )
    ).first()
    if found is None:
        return None
    api_token, user, version = found
    await authorizer.sync(session, version)
    now = utcnow()
    if api_token.revoked_at or (api_token.expires_at and api_token.expires_at <= now) or not user.is_active:
        return None
    return user, api_token


async def resolve_principal(
    db: Database,
    settings: Settings,
    authorizer: Authorizer,
    connection: ASGIConnection[Any, Any, Any, Any],
    session: AsyncSession | AsyncConnection,
) -> Principal | None:
    """One read query (credential, user and grants version; grants come from the authorizer).

    `session`: a session, or for a session cookie also a plain connection. The rare writes (touch,
    expiry) go in their own short transaction.
    """
    authorization = connection.headers.get("authorization", "")
    cookie = connection.cookies.get(settings.session_cookie)
    touch_session: str | None = None
    touch_token: int | None = None
    expired: str | None = None
    principal: Principal | None = None
    if authorization.lower().startswith("bearer "):
        assert isinstance(session, AsyncSession)  # tokens are read as ORM objects
        found = await _from_token(session, settings, authorizer, authorization[7:].strip())
        if found:
            user, api_token = found
            assert user.id is not None
            principal = principal_for(user, authorizer.grants_of(user.id), "token", None)
            if api_token.last_used_at is None or utcnow() - api_token.last_used_at > TOUCH_INTERVAL:
                touch_token = api_token.id
    elif cookie:
        found_session = (
            await session.execute(_BY_SESSION, {"session_id": session_id_for(settings, cookie)})
        ).first()
        if found_session:
            row = found_session
            await authorizer.sync(session, row.grants_version)
            if is_expired(settings, row.expires_at, row.last_seen_at) or not row.is_active:
                expired = row.id
            else:
                principal = Principal(
                    user_id=row.user_id,
                    username=row.username,
                    display_name=row.display_name,
                    unit_id=row.unit_id,
                    person_id=row.person_id,
                    locale=row.locale,
                    grants=authorizer.grants_of(row.user_id),
                    auth_kind="session",
                    session_id=row.id,
                    csrf_token=row.csrf_token,
                    stage=row.stage,
                )
                if utcnow() - row.last_seen_at > TOUCH_INTERVAL:
                    touch_session = row.id
    if touch_session or touch_token or expired:
        async with db.write_session() as session:
            now = utcnow()
            if touch_session:
                await session.execute(
                    update(UserSession).where(UserSession.id == touch_session).values(last_seen_at=now)  # type: ignore[arg-type]
                )
            if touch_token:
                await session.execute(
                    update(ApiToken).where(col(ApiToken.id) == touch_token).values(last_used_at=now)
                )
            if expired:
                await end_session(session, expired)
            await session.commit()
    return principal


READ_METHODS = ("GET", "HEAD", "OPTIONS")
READ_SESSION = "read_session"  # request-state key of the session a read request shares with its handler

# Only our own scripts, styles and forms; no framing; no MIME sniffing.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts request_id, principal and access scope into the request state; never rejects by itself."""

    scopes = (ScopeType.HTTP,)
    # Static files and probes need no identity (and must not cost a database round trip).
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith(("/static/", "/health/")))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        current_scope.set(scope)
        state = state_of(connection)
        request_id = state["request_id"] = request_id_from(connection.headers)
        app_state = connection.app.state
        reading = scope.get("method") in READ_METHODS
        if reading or "authorization" in connection.headers:
            async with app_state.db.read_session() as session:
                self._identify(state, app_state, await self._caller(app_state, connection, session))
                if reading:
                    # A read request goes on in the same session and transaction: one connection, one BEGIN.
                    state[READ_SESSION] = session
                    await self._next(scope, receive, send, next_app, request_id)
                    return
        elif app_state.settings.session_cookie in connection.cookies:
            # A change runs in the handler's own transaction. Who calls is one statement, which a plain
            # connection answers at half the cost of a session (a burst of 200 sign-ins pays it 200 times).
            async with app_state.db.engine.connect() as reader:
                self._identify(state, app_state, await self._caller(app_state, connection, reader))
        await self._next(scope, receive, send, next_app, request_id)

    @staticmethod
    async def _caller(
        app_state: Any, connection: ASGIConnection[Any, Any, Any, Any], reader: AsyncSession | AsyncConnection
    ) -> Principal | None:
        return await resolve_principal(
            app_state.db, app_state.settings, app_state.authorizer, connection, reader
        )

    @staticmethod
    def _identify(state: dict[str, Any], app_state: Any, principal: Principal | None) -> None:
        if principal is not None:
            state["principal"] = principal
            if principal.stage == "full":  # half signed in: no role counts yet
                state["access"] = AccessScope(principal, app_state.authorizer)

    async def _next(
        self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, request_id: str
    ) -> None:
        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["x-request-id"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await next_app(scope, receive, send_with_request_id)
