"""A case's subjects after registration: added or removed, with a reason in the trail, until it is decided."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, CaseSubject
from integrity.domain.cases import workflow
from integrity.domain.cases.services import editable_case, related_person_ids
from integrity.domain.cases.visibility import is_conflicted
from integrity.domain.org.services import find_persons
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_

# Once decided, the subjects are those the decisions are about: they no longer change.
FIXED = (workflow.DECIDED, workflow.CLOSED, workflow.TRANSFERRED)


async def _current(session: AsyncSession, case_id: int) -> list[int]:
    rows = await session.execute(
        select(col(CaseSubject.person_id))
        .where(col(CaseSubject.case_id) == case_id)
        .order_by(col(CaseSubject.id))
    )
    return list(rows.scalars().all())


async def _changeable(session: AsyncSession, access: AccessScope, case_id: int) -> Case:
    case = await editable_case(session, access, case_id)
    if case.status in FIXED:
        raise Conflict(N_("Subjects can change only until the case is decided."))
    return case


async def _recorded(
    session: AsyncSession, actor: Actor, case: Case, before: list[int], after: list[int]
) -> None:
    entry = AuditEntry(
        "case.subjects",
        "case",
        case.id or "",
        case.unit_id,
        before={"subjects": before},
        after={"subjects": after},
    )
    await record(session, actor, entry)


async def add_subjects(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, person_ids: Sequence[int]
) -> None:
    """Add persons the user may read; never the user or a person they declared a relation to."""
    case = await _changeable(session, access, case_id)
    wanted = set(person_ids)
    if not wanted:
        raise InvalidInput(N_("Choose at least one person."))
    found = {p.id for p in await find_persons(session, access, ids=sorted(wanted), limit=len(wanted))}
    if found != wanted:
        raise InvalidInput(N_("Some of these persons do not exist or are outside your units."))
    if is_conflicted(access, wanted, await related_person_ids(session, access.principal.user_id)):
        raise Forbidden(
            N_("You may not add yourself or a person you declared a relation to; ask a colleague.")
        )
    before = await _current(session, case_id)
    new = sorted(wanted - set(before))
    session.add_all([CaseSubject(case_id=case_id, person_id=pid) for pid in new])
    await session.flush()
    await _recorded(session, actor, case, before, before + new)


async def remove_subject(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, person_id: int
) -> None:
    case = await _changeable(session, access, case_id)
    before = await _current(session, case_id)
    if person_id not in before:
        raise NotFound(N_("This person is not a subject of the case."))
    await session.execute(
        delete(CaseSubject).where(
            col(CaseSubject.case_id) == case_id, col(CaseSubject.person_id) == person_id
        )
    )
    await _recorded(session, actor, case, before, [p for p in before if p != person_id])
