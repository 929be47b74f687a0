"""Which cases a user may see at all: unit scope, conflict of interest, recusal, confidentiality."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlmodel import col

from integrity.db.models import Case, CaseAssignment, CaseSubject, Relation, Unit
from integrity.lib.authz import AccessScope
from integrity.lib.authz.scope import under_any

# Roles that see a unit's confidential cases without being on the case's team.
CONFIDENTIAL_READERS = {"reviewer", "auditor"}


def visible_case_ids(access: AccessScope, act: str = "read") -> Select[tuple[int]]:
    """Case ids the user may see; every read path (list, search, count, detail, evidence, audit) uses it."""
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
    in_scope = select(col(Unit.id)).where(access.unit_filter("case", act, Unit.path))
    privileged = select(col(Unit.id)).where(under_any(access.role_paths(CONFIDENTIAL_READERS), Unit.path))
    return select(col(Case.id)).where(  # type: ignore[return-value]
        col(Case.unit_id).in_(in_scope),
        ~conflicted,
        ~recused,
        or_(col(Case.confidential).is_(False), on_team, col(Case.unit_id).in_(privileged)),
    )


def is_conflicted(access: AccessScope, person_ids: set[int], related_ids: set[int]) -> bool:
    """Whether these subjects include the user or a person they declared a relation to."""
    own = access.principal.person_id
    return bool(person_ids & related_ids) or (own is not None and own in person_ids)
