"""Which cases a user may see at all: unit scope, conflict of interest, recusal, confidentiality."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlmodel import col

from integrity.db.models import Case, CaseAssignment, CaseSubject, Relation, Unit
from integrity.lib.authz import AccessScope
from integrity.lib.authz.scope import under_any

# Roles that see a unit's confidential cases without being on the case's team.
CONFIDENTIAL_READERS = {"reviewer", "auditor"}


def visible_case_filter(access: AccessScope, act: str = "read") -> ColumnElement[bool]:
    """Conditions on a Case row: the user may see it. Every read path uses this (or the ids below).

    Written as conditions on the outer row (correlated EXISTS), not as `id IN (…)`, so that a list
    walking cases in id order can stop after one page instead of computing every visible case.
    """
    principal = access.principal
    subject = col(CaseSubject.person_id)
    related = select(col(Relation.person_id)).where(col(Relation.user_id) == principal.user_id)
    about_me: Any = subject.in_(related)
    if principal.person_id is not None:
        about_me = or_(about_me, subject == principal.person_id)
    conflicted = exists().where(col(CaseSubject.case_id) == col(Case.id), about_me)
    mine = (col(CaseAssignment.case_id) == col(Case.id)) & (col(CaseAssignment.user_id) == principal.user_id)
    recused = exists().where(mine, col(CaseAssignment.recused_at).is_not(None))
    on_team = exists().where(mine, col(CaseAssignment.recused_at).is_(None))
    # Unit conditions are correlated EXISTS too: an `unit_id IN (…)` lets SQLite pick the unit index
    # and sort every visible case before the LIMIT (366 ms against 0.6 ms at 100,000 cases).
    case_unit = col(Unit.id) == col(Case.unit_id)
    in_scope = exists().where(case_unit, access.unit_filter("case", act, Unit.path))
    privileged = exists().where(case_unit, under_any(access.role_paths(CONFIDENTIAL_READERS), Unit.path))
    return and_(in_scope, ~conflicted, ~recused, or_(col(Case.confidential).is_(False), on_team, privileged))


def visible_case_ids(access: AccessScope, act: str = "read") -> Select[tuple[int]]:
    """The ids of the cases the user may see, for `IN` tests from other tables."""
    return select(col(Case.id)).where(visible_case_filter(access, act))  # type: ignore[return-value]


def is_conflicted(access: AccessScope, person_ids: set[int], related_ids: set[int]) -> bool:
    """Whether these subjects include the user or a person they declared a relation to."""
    own = access.principal.person_id
    return bool(person_ids & related_ids) or (own is not None and own in person_ids)
