"""Which cases a user may see at all: unit scope, conflict of interest, recusal, confidentiality."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import Case, CaseAssignment, CaseSubject, Relation, RoleGrant, Unit, User
from integrity.lib.authz import AccessScope
from integrity.lib.authz.scope import under_any

# Roles that see a unit's confidential cases without being on the case's team.
CONFIDENTIAL_READERS = {"reviewer", "auditor"}


def visible_case_filter(access: AccessScope, act: str = "read", case: Any = Case) -> ColumnElement[bool]:
    """Conditions on a Case row: the user may see it. Every read path uses this (or the ids below).

    Each condition is a test on the outer row that a list walking cases in id order can apply as it
    goes, stopping after one page. The user's own sets (cases about them or their relations, cases
    they recused from or work on) are small, uncorrelated `IN` lists that both engines compute once
    and hash; as correlated `NOT EXISTS` PostgreSQL turned them into anti-joins that scan every
    subject from the first case on (6.8 ms at page depth 1,000 against 1 ms).

    `case` is `Case` or an alias of it (for `case_visible`, which tests one case from another row).
    """
    principal = access.principal
    conflicted = conflicted_case_ids(access)
    mine = select(col(CaseAssignment.case_id)).where(col(CaseAssignment.user_id) == principal.user_id)
    recused = mine.where(col(CaseAssignment.recused_at).is_not(None))
    on_team = mine.where(col(CaseAssignment.recused_at).is_(None))
    # Unit conditions are correlated EXISTS: an `unit_id IN (…)` lets SQLite pick the unit index
    # and sort every visible case before the LIMIT (366 ms against 0.6 ms at 100,000 cases).
    case_unit = col(Unit.id) == case.unit_id
    in_scope = exists().where(case_unit, access.unit_filter("case", act, Unit.path))
    privileged = exists().where(case_unit, under_any(access.role_paths(CONFIDENTIAL_READERS), Unit.path))
    case_id = case.id
    return and_(
        in_scope,
        case_id.not_in(conflicted),
        case_id.not_in(recused),
        or_(case.confidential.is_(False), case_id.in_(on_team), privileged),
    )


def conflicted_case_ids(access: AccessScope) -> Select[tuple[int]]:
    """The cases about the user or a person they declared a relation to: never shown to them, nor
    anything drawn from them (a teaching case's summary included)."""
    principal = access.principal
    people: Any = select(col(Relation.person_id)).where(col(Relation.user_id) == principal.user_id)
    if principal.person_id is not None:  # one list, so the subjects' person_id index serves it
        people = union_all(people, select(literal(principal.person_id)))
    return select(col(CaseSubject.case_id)).where(col(CaseSubject.person_id).in_(people))  # type: ignore[return-value]


def case_visible(access: AccessScope, case_id: Any) -> ColumnElement[bool]:
    """The case this column names is visible: one primary-key probe per outer row.

    For rows of other tables (requests, items, decisions, clocks) where the outer query is bounded by
    something else (a user's own rows, a page in due order): an `IN (visible_case_ids)` would list every
    case the user may see first, which grows with the organisation, not with the rows shown.
    """
    probe = aliased(Case)
    # OFFSET 0 keeps PostgreSQL from pulling the EXISTS up into a semi-join, which it plans as a hash
    # of every visible case (64 ms at 100,000 cases against 2 ms for the probes of a page).
    one = (
        select(literal(1))
        .select_from(probe)
        .where(probe.id == case_id, visible_case_filter(access, case=probe))
    )
    return one.offset(0).exists()


def visible_case_ids(access: AccessScope, act: str = "read") -> Select[tuple[int]]:
    """The ids of the cases the user may see, for `IN` tests from other tables."""
    return select(col(Case.id)).where(visible_case_filter(access, act))  # type: ignore[return-value]


def is_conflicted(access: AccessScope, person_ids: set[int], related_ids: set[int]) -> bool:
    """Whether these subjects include the user or a person they declared a relation to."""
    own = access.principal.person_id
    return bool(person_ids & related_ids) or (own is not None and own in person_ids)


def holds_over(user_id: Any, roles: Any, unit_path: Any) -> ColumnElement[bool]:
    """The user (a column) holds one of these roles in the unit at `unit_path` (a column) or above it."""
    grant, reach = aliased(RoleGrant), aliased(Unit)
    return exists().where(
        col(grant.user_id) == user_id,
        col(grant.role).in_(roles),
        col(reach.id) == col(grant.unit_id),
        unit_path.startswith(reach.path),  # paths hold digits and slashes only: no LIKE wildcards
    )


def visible_to(user_id: Any, case: Any, case_unit: Any, readers: Any) -> ColumnElement[bool]:
    """`visible_case_filter` for many users at once: the user (a column) may see the case (a joined row
    of `Case`, with its unit `case_unit`). The notifications screen recipients with it, one statement for
    a batch; a test holds it equal to `visible_case_filter` for every user and case of the demo.

    `readers`: the roles the policy lets read cases (AccessScope takes the same from Casbin)."""
    relation, me, subject = aliased(Relation), aliased(User), aliased(CaseSubject)
    people: Any = union_all(
        # Correlated by hand: two levels down, the user's column would otherwise be read as a table
        # of its own here (every user's relations, not this one's).
        select(col(relation.person_id)).where(col(relation.user_id) == user_id).correlate_except(relation),
        select(col(me.person_id))
        .where(col(me.id) == user_id, col(me.person_id).is_not(None))
        .correlate_except(me),
    )
    conflicted = exists().where(col(subject.case_id) == case.id, col(subject.person_id).in_(people))

    def assigned(recused: bool) -> ColumnElement[bool]:
        a = aliased(CaseAssignment)
        stepped_away = col(a.recused_at).is_not(None) if recused else col(a.recused_at).is_(None)
        return exists().where(col(a.case_id) == case.id, col(a.user_id) == user_id, stepped_away)

    return and_(
        holds_over(user_id, readers, case_unit.path),
        ~conflicted,
        ~assigned(recused=True),
        or_(
            case.confidential.is_(False),
            assigned(recused=False),
            holds_over(user_id, sorted(CONFIDENTIAL_READERS), case_unit.path),
        ),
    )
