"""Who may be told: every recipient passes the read rule of the object they would hear of.

Candidates come from the audiences (team members, reviewers of a unit, a maker); each is kept only if the
object shows up for them through the same filter their own lists use. A subject of the case, a user
related to one, a recused user and anyone outside a confidential case's readers drop out here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, column, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import (
    ApprovalRequest,
    Case,
    Decision,
    EducationAttendance,
    EducationEvent,
    RectificationItem,
    ReportSubscription,
    Unit,
    User,
)
from integrity.domain.accounts.authentication import principal_for
from integrity.domain.approvals.services import decidable
from integrity.domain.cases.visibility import holds_over, visible_to
from integrity.domain.rectification.visibility import visible_to as item_visible_to
from integrity.lib.authz import ROLES, AccessScope, Authorizer

Rule = tuple[Any, Callable[[AccessScope], ColumnElement[bool]]]
# Rules asked user by user, as that user's own list asks them (the rest have a set form, SET_RULES below):
# a new proposal goes to those whose inbox shows it (pending, theirs to decide, never their own).
ONE_BY_ONE: dict[str, Rule] = {
    "approval.decide": (col(ApprovalRequest.id), decidable),
    # A scheduled ledger: told only to whoever holds the order (and not once they have stopped it).
    "report.subscriber": (
        col(ReportSubscription.id),
        lambda access: col(ReportSubscription.user_id) == access.principal.user_id,
    ),
}
SELF = "self"  # a message about the account itself (a test message): only to that account
CHUNK = 500


# The pairs as a table p(u, k), read from one JSON parameter: one statement for a whole batch, built
# once per engine and rule (a UNION ALL of bound values cost more to build than to run).
_PAIRS_SQL = {
    "postgresql": "SELECT (e->>0)::int AS u, (e->>1)::int AS k"
    " FROM json_array_elements(CAST(:pairs AS json)) AS e",
    "sqlite": "SELECT CAST(json_extract(value, '$[0]') AS INTEGER) AS u,"
    " CAST(json_extract(value, '$[1]') AS INTEGER) AS k FROM json_each(:pairs)",
}
_BUILT: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _statement(dialect: str, rule: str, readers: tuple[str, ...]) -> Any:
    key = (dialect, rule, readers)
    if key not in _BUILT:
        p = text(_PAIRS_SQL[dialect]).columns(column("u", Integer), column("k", Integer)).subquery("p")
        active = select(col(User.id)).where(col(User.is_active).is_(True))
        _BUILT[key] = SET_RULES[rule](p, list(readers)).where(p.c.u.in_(active))
    return _BUILT[key]


def _case_pairs(p: Any, readers: list[str]) -> Any:
    case, unit = aliased(Case), aliased(Unit)
    return (
        select(p.c.u, p.c.k)
        .join(case, col(case.id) == p.c.k)
        .join(unit, col(unit.id) == col(case.unit_id))
        .where(visible_to(p.c.u, case, unit, readers))
    )


def _decision_pairs(p: Any, readers: list[str]) -> Any:
    decision, case, unit = aliased(Decision), aliased(Case), aliased(Unit)
    return (
        select(p.c.u, p.c.k)
        .join(decision, col(decision.id) == p.c.k)
        .join(case, col(case.id) == col(decision.case_id))
        .join(unit, col(unit.id) == col(case.unit_id))
        .where(visible_to(p.c.u, case, unit, readers))
    )


def _item_pairs(p: Any, readers: list[str]) -> Any:
    item, place, case, unit = aliased(RectificationItem), aliased(Unit), aliased(Case), aliased(Unit)
    return (
        select(p.c.u, p.c.k)
        .join(item, col(item.id) == p.c.k)
        .join(place, col(place.id) == col(item.unit_id))
        .outerjoin(case, col(case.id) == col(item.case_id))
        .outerjoin(unit, col(unit.id) == col(case.unit_id))
        .where(item_visible_to(p.c.u, col(place.path), col(item.case_id), case, unit, readers))
    )


def _request_pairs(p: Any, readers: list[str]) -> Any:
    request, case, unit = aliased(ApprovalRequest), aliased(Case), aliased(Unit)
    return (
        select(p.c.u, p.c.k)
        .join(request, col(request.id) == p.c.k)
        .outerjoin(case, col(case.id) == col(request.case_id))
        .outerjoin(unit, col(unit.id) == col(case.unit_id))
        .where(or_(col(request.case_id).is_(None), visible_to(p.c.u, case, unit, readers)))
    )


def _invitee_pairs(p: Any, readers: list[str]) -> Any:
    """Whoever is on the event's list (an education event reveals no case)."""
    listed = aliased(EducationAttendance)
    return select(p.c.u, p.c.k).join(
        listed, and_(col(listed.event_id) == p.c.k, col(listed.user_id) == p.c.u)
    )


def _organiser_pairs(p: Any, organisers: list[str]) -> Any:
    """Whoever may organise the event (holds a role permitting it over the event's unit)."""
    event, unit = aliased(EducationEvent), aliased(Unit)
    return (
        select(p.c.u, p.c.k)
        .join(event, col(event.id) == p.c.k)
        .join(unit, col(unit.id) == col(event.unit_id))
        .where(holds_over(p.c.u, organisers, col(unit.path)))
    )


def _unit_organiser_pairs(p: Any, organisers: list[str]) -> Any:
    """Whoever may organise education in the unit (a unit's plan reveals no case)."""
    unit = aliased(Unit)
    return (
        select(p.c.u, p.c.k)
        .join(unit, col(unit.id) == p.c.k)
        .where(holds_over(p.c.u, organisers, col(unit.path)))
    )


# The rules that also have a form for many users at once (held equal to the per-user form by tests):
# a batch's pairs are screened in a few statements instead of one per recipient.
SET_RULES: dict[str, Callable[[Any, list[str]], Any]] = {
    "case": _case_pairs,
    "decision": _decision_pairs,
    "rectification": _item_pairs,
    "approval": _request_pairs,
    "education_invitee": _invitee_pairs,
    "education_organiser": _organiser_pairs,
    "education_unit": _unit_organiser_pairs,
}
# The permission whose holders a set rule receives as its roles (the case rules: reading cases).
RULE_ROLES: dict[str, tuple[str, str]] = {
    "education_organiser": ("education", "update"),
    "education_unit": ("education", "update"),
}  # ids per IN list (well inside every driver's bound-parameter limit)


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
        user.id: AccessScope(principal_for(user, authorizer.grants_of(user.id), "worker"), authorizer)
        for user in users
        if user.id is not None
    }


async def screen(
    session: AsyncSession, authorizer: Authorizer, candidates: Iterable[Candidate]
) -> list[Candidate]:
    """The candidates who may see what they would be told of: one statement per set rule for the whole
    batch, and one per user for the rules asked user by user."""
    wanted: dict[tuple[int, str], set[int]] = defaultdict(set)
    listed = list(dict.fromkeys(candidates))
    for c in listed:
        wanted[(c.user_id, c.rule)].add(c.object_id)
    seen = await _screen_sets(session, authorizer, listed)
    one_by_one = {key: ids for key, ids in wanted.items() if key[1] not in SET_RULES}
    accesses = await _accesses(session, authorizer, {user for user, _rule in one_by_one})
    for (user_id, rule), object_ids in one_by_one.items():
        access = accesses.get(user_id)
        if access is None:
            continue
        if rule == SELF:
            seen.update((user_id, rule, o) for o in object_ids if o == user_id)
            continue
        id_column, condition = ONE_BY_ONE[rule]
        ids = sorted(object_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found = await session.execute(select(id_column).where(id_column.in_(chunk), condition(access)))
            seen.update((user_id, rule, int(object_id)) for (object_id,) in found)
    return [c for c in listed if (c.user_id, c.rule, c.object_id) in seen]


async def _screen_sets(
    session: AsyncSession, authorizer: Authorizer, listed: list[Candidate]
) -> set[tuple[int, str, int]]:
    """The pairs of the set rules that pass, one statement per rule; active users only."""
    by_rule: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c in listed:
        if c.rule in SET_RULES:
            by_rule[c.rule].append((c.user_id, c.object_id))
    seen: set[tuple[int, str, int]] = set()
    dialect = session.get_bind().dialect.name
    for rule, pairs in by_rule.items():
        obj, act = RULE_ROLES.get(rule, ("case", "read"))
        roles = tuple(r for r in ROLES if authorizer.role_permits(r, obj, act))
        found = await session.execute(
            _statement(dialect, rule, roles), {"pairs": json.dumps(sorted(set(pairs)))}
        )
        seen.update((int(u), rule, int(k)) for u, k in found)
    return seen
