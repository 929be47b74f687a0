"""What a route declares about who may call it; a route without a declaration is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPT_KEY = "authz"


@dataclass(frozen=True)
class Permission:
    """The caller must hold (obj, act) in at least one unit; object-level checks follow in services."""

    obj: str
    act: str


@dataclass(frozen=True)
class _Marker:
    name: str


PUBLIC = _Marker("public")  # login, health and static assets only (a test enforces the list)
AUTHENTICATED = _Marker("authenticated")  # any signed-in user, for their own things
# A step of signing in (a new password, a second factor) or signing out: reachable by a session that has
# not finished signing in, which reaches nothing else.
SIGN_IN_STEP = _Marker("sign-in-step")


def permission(obj: str, act: str) -> dict[str, Any]:
    """The `opt` of a route that needs a permission."""
    return {OPT_KEY: Permission(obj, act)}


def public() -> dict[str, Any]:
    return {OPT_KEY: PUBLIC}


def authenticated() -> dict[str, Any]:
    return {OPT_KEY: AUTHENTICATED}


def sign_in_step() -> dict[str, Any]:
    return {OPT_KEY: SIGN_IN_STEP}
