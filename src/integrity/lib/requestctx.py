"""Per-request facts: request id, client address, the actor for audit events."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import Any

from litestar.connection import ASGIConnection

from integrity.lib.audit import Actor
from integrity.lib.authz.scope import AccessScope, Principal

# The scope of the request being served, for code that records something about it without a handle
# on the request (a page's refusal, recorded as it is shown). Set by the authentication middleware.
current_scope: ContextVar[Any] = ContextVar("current_scope", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from(headers: Any) -> str:
    """Keep a caller's X-Request-ID when it is sane, else make one."""
    given = headers.get("x-request-id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def client_addr(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else ""


def state_of(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    return state


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    principal: Principal | None = state_of(connection).get("principal")
    return principal


def access_of(connection: ASGIConnection[Any, Any, Any, Any]) -> AccessScope | None:
    access: AccessScope | None = state_of(connection).get("access")
    return access


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The audit actor for this request (anonymous before sign-in)."""
    principal = principal_of(connection)
    return Actor(
        label=principal.username if principal else "anonymous",
        user_id=principal.user_id if principal else None,
        request_id=state_of(connection).get("request_id", ""),
        client_addr=client_addr(connection),
    )
