"""Who may be told: every recipient passes the read rule of the object they would hear of.

Candidates come from the audiences (team members, reviewers of a unit, a maker); each is kept only if the
object shows up for them through the same filter their own lists use. A subject of the case, a user
related to one, a recused user and anyone outside a confidential case's readers drop out here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import ApprovalRequest, Case, Decision, RectificationItem, User
from integrity.domain.approvals.services import decidable, request_visible
from integrity.domain.cases.visibility import visible_case_filter
from integrity.domain.decisions.services import decision_filter
from integrity.domain.rectification.services import item_filter
from integrity.lib.authz import AccessScope, Authorizer, Principal

Rule = tuple[Any, Callable[[AccessScope], ColumnElement[bool]]]
# An object kind -> its id column and the condition its readers' lists apply.
RULES: dict[str, Rule] = {
    "case": (col(Case.id), visible_case_filter),
    "rectification": (col(RectificationItem.id), item_filter),
    "decision": (col(Decision.id), decision_filter),
    "approval": (col(ApprovalRequest.id), request_visible),
    "approval.decide": (col(ApprovalRequest.id), decidable),  # pending, and theirs to decide
}
SELF = "self"
CHUNK = 500  # ids per IN list (well inside every driver's bound-parameter limit)


@dataclass(frozen=True)
class Candidate:
    """A user who might be told of an event, and the rule (on the object) that decides."""

    event_id: int
    user_id: int
    rule: str
    object_id: int


async def _accesses(
    session: AsyncSession, authorizer: Authorizer, user_ids: set[int]
) -> dict[int, AccessScope]:
    """Each active user's scope, built as a request builds it (grants from the synced authorizer)."""
    users = (
        await session.execute(select(User).where(col(User.id).in_(user_ids), col(User.is_active).is_(True)))
    ).scalars()
    return {
        user.id: AccessScope(
            Principal(
                user_id=user.id,
                username=user.username,
                display_name=user.display_name,
                unit_id=user.unit_id,
                person_id=user.person_id,
                locale=user.locale,
                grants=authorizer.grants_of(user.id),
                auth_kind="worker",
            ),
            authorizer,
        )
        for user in users
        if user.id is not None
    }


async def screen(
    session: AsyncSession, authorizer: Authorizer, candidates: Iterable[Candidate]
) -> list[Candidate]:
    """The candidates who may see what they would be told of: one query per user and rule."""
    wanted: dict[tuple[int, str], set[int]] = defaultdict(set)
    listed = list(dict.fromkeys(candidates))
    for c in listed:
        wanted[(c.user_id, c.rule)].add(c.object_id)
    accesses = await _accesses(session, authorizer, {user for user, _rule in wanted})
    seen: set[tuple[int, str, int]] = set()
    for (user_id, rule), object_ids in wanted.items():
        access = accesses.get(user_id)
        if access is None:
            continue
        if rule == SELF:  # a message about the account itself (a test message)
            seen.update((user_id, rule, o) for o in object_ids if o == user_id)
            continue
        id_column, condition = RULES[rule]
        ids = sorted(object_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found = await session.execute(select(id_column).where(id_column.in_(chunk), condition(access)))
            seen.update((user_id, rule, int(object_id)) for (object_id,) in found)
    return [c for c in listed if (c.user_id, c.rule, c.object_id) in seen]
