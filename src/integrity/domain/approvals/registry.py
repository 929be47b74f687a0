"""The approvable kinds: each says what object it guards, who may see it, and what a decision does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import ApprovalRequest
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope

Effect = Callable[[AsyncSession, ApprovalRequest, Actor], Awaitable[None]]


@dataclass(frozen=True)
class InboxLine:
    """How the inbox shows one request: what it is about and where its page is."""

    title: str
    href: str
    detail: str = ""


Describe = Callable[[AsyncSession, list[ApprovalRequest]], Awaitable[dict[int, InboxLine]]]
# The deadline a new request is made under, from its object id and payload (None: no deadline).
DueOf = Callable[[AsyncSession, int, dict[str, Any]], Awaitable[date | None]]
MadeBy = Callable[[int], Select[tuple[int]]]


@dataclass(frozen=True)
class ApprovalKind:
    """`visible_ids` limits requests to objects the reviewer may see at all (conflict of interest).

    `approves` names the policy object whose `approve` action decides (default: `object_type`), so a
    clock extension is decided by whoever may approve the case it belongs to. `made_by(user_id)`
    selects the objects that user made besides requesting them (items and decisions they drafted),
    which they may not check either;
    `describe` tells the inbox what each request is about; `due_of` gives the deadline a new
    request is made under, which orders every reviewer's work queue.
    """

    name: str
    object_type: str
    on_approved: Effect
    on_returned: Effect
    visible_ids: Callable[[AccessScope], Select[tuple[int]]]
    id_column: Any  # the column `visible_ids` selects, to test one object
    describe: Describe
    approves: str = ""
    made_by: MadeBy | None = None
    due_of: DueOf | None = None

    @property
    def policy_object(self) -> str:
        return self.approves or self.object_type


# Filled once, from the one list of every kind (integrity/domain/wiring.py), by each entry point
# (the app, the command line); the approval services look kinds up here.
KINDS: dict[str, ApprovalKind] = {}
# The rule that a case is visible to a reader, as a condition on a column naming the case (the cases
# domain lends it, as it lends its kinds: a request is seen exactly when its case is).
CaseVisible = Callable[[AccessScope, Any], ColumnElement[bool]]
CASE_RULE: list[CaseVisible] = []


def install(kinds: tuple[ApprovalKind, ...], case_visible: CaseVisible) -> None:
    """Make these the kinds the approval services know, and the case rule they read by (idempotent)."""
    KINDS.clear()
    KINDS.update({k.name: k for k in kinds})
    CASE_RULE[:] = [case_visible]
