"""The Casbin enforcer over policies/ and the grants table, reloaded when grants change."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import casbin
from casbin.util import key_match
from sqlalchemy import ScalarSelect, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col, select

from integrity.config import POLICIES_DIR
from integrity.db.models import AuthzState, RoleGrant, Unit


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str
    unit_name: str
    unit_name_en: str


def grant_domain(unit_path: str) -> str:
    """The Casbin domain pattern of a grant in a unit: it and everything below it."""
    return f"{unit_path}*"


def _new_enforcer(model: Path, policy: Path) -> casbin.Enforcer:
    enforcer = casbin.Enforcer(str(model), str(policy))
    enforcer.add_named_domain_matching_func("g", key_match)
    return enforcer


@lru_cache(maxsize=1)
def _policy_roles() -> tuple[str, ...]:
    enforcer = _new_enforcer(POLICIES_DIR / "model.conf", POLICIES_DIR / "policy.csv")
    subjects = {line[0] for line in enforcer.get_policy()}
    return tuple(sorted(s.removeprefix("role:") for s in subjects))


ROLES: tuple[str, ...] = _policy_roles()


logging.getLogger("casbin").setLevel(logging.WARNING)  # it logs every policy load at INFO


class Authorizer:
    """One per process. Answers Casbin questions; keeps its grants at the database's version."""

    def __init__(self, policies_dir: Path = POLICIES_DIR) -> None:
        self._model = policies_dir / "model.conf"
        self._policy = policies_dir / "policy.csv"
        self._enforcer = _new_enforcer(self._model, self._policy)
        self._version: int | None = None
        self._reload_lock = asyncio.Lock()
        self._role_permits: dict[tuple[str, str, str], bool] = {}
        self._grants_by_user: dict[int, tuple[Grant, ...]] = {}

    @property
    def version(self) -> int | None:
        return self._version

    def role_permits(self, role: str, obj: str, act: str) -> bool:
        """Whether the permission lines give a role (obj, act); cached, the lines never change."""
        key = (role, obj, act)
        if key not in self._role_permits:
            # A role is its own member in every domain, so this asks the permission lines alone.
            self._role_permits[key] = bool(self._enforcer.enforce(f"role:{role}", "/", obj, act))
        return self._role_permits[key]

    def allowed(self, user_id: int, unit_path: str, obj: str, act: str) -> bool:
        """May this user do `act` on an `obj` that belongs to the unit at `unit_path`?"""
        return bool(self._enforcer.enforce(f"user:{user_id}", unit_path, obj, act))

    def grants_of(self, user_id: int) -> tuple[Grant, ...]:
        """A user's grants as of the loaded version (what `load_grants` would read, without a query)."""
        return self._grants_by_user.get(user_id, ())

    def all_grants(self) -> list[tuple[int, Grant]]:
        """Every user's grants as of the loaded version, as (user id, grant)."""
        return [(uid, g) for uid, grants in self._grants_by_user.items() for g in grants]

    @staticmethod
    def version_column() -> ScalarSelect[int]:
        """The grants version as a column, so a request's one authentication query also reads it."""
        return select(col(AuthzState.grants_version)).where(col(AuthzState.id) == 1).scalar_subquery()

    async def sync(self, session: AsyncSession | AsyncConnection, version: int | None) -> None:
        """Reload grants when the database's version (read by the caller) differs from ours."""
        version = version or 0
        if version == self._version:
            return
        async with self._reload_lock:
            if version == self._version:
                return
            rows = (
                await session.execute(
                    sa_select(
                        col(RoleGrant.user_id),
                        col(RoleGrant.role),
                        col(Unit.id),
                        col(Unit.path),
                        col(Unit.name),
                        col(Unit.name_en),
                    )
                    .join(Unit, col(Unit.id) == col(RoleGrant.unit_id))
                    .order_by(col(Unit.path), col(RoleGrant.role))
                )
            ).all()
            by_user: dict[int, list[Grant]] = {}
            for uid, role, unit_id, path, name, name_en in rows:
                by_user.setdefault(uid, []).append(Grant(role, unit_id or 0, path, name, name_en))
            self.replace_grants(
                [(uid, g.role, g.unit_path) for uid, gs in by_user.items() for g in gs], version
            )
            self._grants_by_user = {uid: tuple(gs) for uid, gs in by_user.items()}

    def replace_grants(self, grants: list[tuple[int, str, str]], version: int) -> None:
        """Load (user id, role, unit path) grants as g lines, replacing all earlier ones."""
        enforcer = _new_enforcer(self._model, self._policy)
        lines = [[f"user:{uid}", f"role:{role}", grant_domain(path)] for uid, role, path in grants]
        if lines:
            enforcer.add_named_grouping_policies("g", lines)
        # Swap whole: a concurrent request sees the old grants or the new, never half.
        self._enforcer, self._version = enforcer, version


async def bump_grants_version(session: AsyncSession) -> None:
    """Every worker reloads grants on its next request after this commits (a grant, or a unit's path,
    changed in the same transaction)."""
    await session.execute(
        update(AuthzState).where(col(AuthzState.id) == 1).values(grants_version=AuthzState.grants_version + 1)
    )
