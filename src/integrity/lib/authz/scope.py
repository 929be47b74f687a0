"""Who is asking and which units they reach, computed once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, or_
from sqlalchemy.sql.elements import ColumnElement

from integrity.lib.authz.enforcer import Authorizer, Grant


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request, with their grants as the database had them."""

    user_id: int
    username: str
    display_name: str
    unit_id: int
    person_id: int | None
    locale: str
    grants: tuple[Grant, ...]
    auth_kind: str  # "session" or "token"
    session_id: str | None = None
    csrf_token: str | None = None
    # "full" once signed in; a session half-way ("second_factor", "password", "enrol") reaches only the
    # page of its next step (lib/authz/guard.py).
    stage: str = "full"

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


# Objects that belong to the whole group (measures, sources, categories, clock rules, the calendar): a
# permission on them counts only where it is granted in a root unit, never in a company below it.
GROUP_WIDE = frozenset({"catalogue"})


def is_root_path(path: str) -> bool:
    return path.count("/") == 2  # "/1/"


def _minimal_prefixes(paths: list[str]) -> list[str]:
    """Drop paths that an ancestor in the list already covers."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


@dataclass
class AccessScope:
    """Answers 'may I' for one request: SQL filters for lists, Casbin for single objects."""

    principal: Principal
    authorizer: Authorizer
    _paths: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def paths(self, obj: str, act: str) -> list[str]:
        """Unit path prefixes where the user may do (obj, act)."""
        key = (obj, act)
        if key not in self._paths:
            paths = [
                g.unit_path for g in self.principal.grants if self.authorizer.role_permits(g.role, obj, act)
            ]
            if obj in GROUP_WIDE:
                paths = [p for p in paths if is_root_path(p)]
            self._paths[key] = _minimal_prefixes(paths)
        return self._paths[key]

    def role_paths(self, roles: set[str]) -> list[str]:
        """Unit path prefixes where the user holds one of these roles."""
        return _minimal_prefixes([g.unit_path for g in self.principal.grants if g.role in roles])

    def shape(self) -> tuple[object, ...]:
        """Everything the SQL filters built for this user depend on (the rest, such as relations and
        recusals, is read by the SQL itself): a key under which a built filter may be reused."""
        p = self.principal
        return (p.user_id, p.person_id, tuple(sorted((g.role, g.unit_path) for g in p.grants)))

    def can_anywhere(self, obj: str, act: str) -> bool:
        return bool(self.paths(obj, act))

    def can(self, obj: str, act: str, unit_path: str) -> bool:
        if obj in GROUP_WIDE:
            return self.can_anywhere(obj, act)
        return self.authorizer.allowed(self.principal.user_id, unit_path, obj, act)

    def unit_filter(self, obj: str, act: str, path_column: Any) -> ColumnElement[bool]:
        """A WHERE clause on a unit path column: rows in units the user may (obj, act)."""
        return under_any(self.paths(obj, act), path_column)


def under_any(prefixes: list[str], path_column: Any) -> ColumnElement[bool]:
    """Rows whose unit path lies under one of the prefixes (none: no rows)."""
    if not prefixes:
        return false()
    return or_(*(path_column.startswith(p, autoescape=True) for p in prefixes))
