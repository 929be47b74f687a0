"""Request dependencies shared by all controllers."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.config import Settings
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope, Principal
from integrity.lib.errors import Unauthenticated
from integrity.lib.requestctx import access_of, actor_of, principal_of


async def provide_db_session(request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    """Reads get a plain transaction; anything else begins with the write lock taken (SQLite)."""
    shared = request.scope.get("state", {}).get("read_session")
    if shared is not None:  # opened by the authentication middleware for this read request
        yield shared
        return
    db = request.app.state.db
    maker = db.read_session if request.method in ("GET", "HEAD", "OPTIONS") else db.write_session
    async with maker() as session:
        yield session


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise Unauthenticated()
    return principal


def provide_access(request: Request[Any, Any, Any]) -> AccessScope:
    access = access_of(request)
    if access is None:
        raise Unauthenticated()
    return access


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return actor_of(request)


def provide_settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DEPENDENCIES = {
    "db": Provide(provide_db_session),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "access": Provide(provide_access, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
}


# Explicit markers for the dependencies above, as handler parameter types.
Db = NamedDependency[AsyncSession]
Access = NamedDependency[AccessScope]
CurrentPrincipal = NamedDependency[Principal]
AuditActor = NamedDependency[Actor]
AppSettings = NamedDependency[Settings]
