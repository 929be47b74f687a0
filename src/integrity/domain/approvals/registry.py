"""The approvable kinds: each says what object it guards, who may see it, and what a decision does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import ApprovalRequest
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope

Effect = Callable[[AsyncSession, ApprovalRequest, Actor], Awaitable[None]]


@dataclass(frozen=True)
class ApprovalKind:
    """`visible_ids` limits requests to objects the reviewer may see at all (conflict of interest).

    `approves` names the policy object whose `approve` action decides (default: `object_type`), so a
    clock extension is decided by whoever may approve the case it belongs to.
    """

    name: str
    object_type: str
    on_approved: Effect
    on_returned: Effect
    visible_ids: Callable[[AccessScope], Select[tuple[int]]]
    id_column: Any  # the column `visible_ids` selects, to test one object
    approves: str = ""

    @property
    def policy_object(self) -> str:
        return self.approves or self.object_type


KINDS: dict[str, ApprovalKind] = {}


def register(kind: ApprovalKind) -> None:
    KINDS[kind.name] = kind
