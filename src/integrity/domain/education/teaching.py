"""Closed cases as an event's teaching material (以案为鉴): an inspector links one with an anonymised
summary, a reviewer approves it through the one maker-checker mechanism (never its writer), and the
audience reads only the approved summary. The summary may not carry the case's number, its subjects'
names or a run of its own text; whoever the case is about (or related to them) never sees the link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import ApprovalRequest, Case, CaseSubject, EducationTeachingCase, Person
from integrity.db.types import utcnow
from integrity.domain.approvals.registry import ApprovalKind, InboxLine
from integrity.domain.approvals.services import open_request
from integrity.domain.cases.visibility import case_visible, conflicted_case_ids, visible_case_filter
from integrity.domain.cases.workflow import CLOSED as CASE_CLOSED
from integrity.domain.education.events import organised_event
from integrity.domain.education.workflow import LIFECYCLE
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, InvalidInput, NotFound
from integrity.lib.i18n import N_, gettext

KIND, OBJECT = "education.teaching_case", "teaching_case"
PENDING, APPROVED, RETURNED = "pending", "approved", "returned"
SHARED_RUN = 16  # characters in a row shared with the case's own text: copied, not summarised
MIN_CHARS, MAX_CHARS = 30, 5000


@dataclass(frozen=True)
class Leak:
    """What of the case a summary gives away (msgid), and the text found."""

    reason: str
    found: str


async def case_facts(session: AsyncSession, case_id: int) -> tuple[Case, list[Person]]:
    case = await session.get(Case, case_id)
    assert case is not None
    subjects = await session.execute(
        select(Person)
        .join(CaseSubject, col(CaseSubject.person_id) == col(Person.id))
        .where(col(CaseSubject.case_id) == case_id)
    )
    return case, list(subjects.scalars())


def _folded(text: str) -> str:
    return "".join(text.split()).casefold()


def leaks(summary: str, case: Case, subjects: list[Person]) -> list[Leak]:
    """Everything of the case the summary names: its number, a subject's name, its title, or a run of
    SHARED_RUN characters of its own summary (compared without spaces or case)."""
    text = _folded(summary)
    found: list[Leak] = []
    if _folded(case.number) in text:
        found.append(Leak(N_("the case number"), case.number))
    for person in subjects:
        for name in (person.name, person.name_en):
            if len(_folded(name)) >= 2 and _folded(name) in text:
                found.append(Leak(N_("a name of a person the case is about"), name))
    if len(_folded(case.title)) >= 6 and _folded(case.title) in text:
        found.append(Leak(N_("the case's title"), case.title))
    own = _folded(case.summary)
    for start in range(max(0, len(own) - SHARED_RUN + 1)):
        run = own[start : start + SHARED_RUN]
        if run in text:
            found.append(Leak(N_("a passage of the case's own text"), run))
            break
    return found


async def _checked(session: AsyncSession, case_id: int, summary: str) -> str:
    text = summary.strip()
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        raise InvalidInput(N_("A teaching summary is between 30 and 5,000 characters long."))
    case, subjects = await case_facts(session, case_id)
    found = leaks(text, case, subjects)
    if found:
        # The refusal names what leaked (the reader may see the case: they linked it), never the text.
        raise InvalidInput(
            N_("The summary gives the case away (%(what)s); write it without them."),
            params={"what": "、".join(gettext(r) for r in sorted({f.reason for f in found}))},
        )
    return text


async def link_case(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    case_number: str,
    summary: str,
    *,
    access: AccessScope,
) -> EducationTeachingCase:
    """Link a closed case the organiser may see to the event, its summary waiting for a reviewer."""
    found = await organised_event(session, access, event_id)
    LIFECYCLE.require(LIFECYCLE.step("add_material"), found.event.status, found.may)
    case = (
        await session.execute(
            select(Case).where(col(Case.number) == case_number.strip(), visible_case_filter(access))
        )
    ).scalar_one_or_none()
    if case is None or case.id is None:
        raise NotFound(N_("No case with that number that you may see."))
    if case.status != CASE_CLOSED:
        raise Conflict(N_("Only a closed case serves as teaching material."))
    existing = await session.scalar(
        select(col(EducationTeachingCase.id)).where(
            col(EducationTeachingCase.event_id) == event_id, col(EducationTeachingCase.case_id) == case.id
        )
    )
    if existing is not None:
        raise Conflict(N_("This case is already teaching material of the event."))
    text = await _checked(session, case.id, summary)
    row = EducationTeachingCase(
        event_id=event_id, case_id=case.id, summary=text, written_by_id=actor.user_id or 0
    )
    session.add(row)
    await session.flush()
    await _ask(session, actor, row, found.event.unit_id)
    return row


async def revise(
    session: AsyncSession, actor: Actor, teaching_id: int, summary: str, *, access: AccessScope
) -> EducationTeachingCase:
    """Rewrite a returned summary and ask a reviewer again."""
    row = await _organised(session, access, teaching_id)
    if row.status != RETURNED:
        raise Conflict(N_("Only a returned summary is rewritten."))
    row.summary = await _checked(session, row.case_id, summary)
    row.status, row.updated_at = PENDING, utcnow()
    await session.flush()
    found = await organised_event(session, access, row.event_id)
    LIFECYCLE.require(LIFECYCLE.step("add_material"), found.event.status, found.may)
    await _ask(session, actor, row, found.event.unit_id)
    return row


async def _ask(session: AsyncSession, actor: Actor, row: EducationTeachingCase, unit_id: int) -> None:
    await open_request(
        session,
        actor,
        kind=KIND,
        object_id=row.id or 0,
        unit_id=unit_id,
        case_id=row.case_id,
        payload={"event_id": row.event_id, "summary": row.summary},
    )


async def _organised(session: AsyncSession, access: AccessScope, teaching_id: int) -> EducationTeachingCase:
    row = await session.get(EducationTeachingCase, teaching_id)
    if row is None:
        raise NotFound(N_("No such teaching case."))
    await organised_event(session, access, row.event_id)
    visible = await session.scalar(
        select(col(Case.id)).where(col(Case.id) == row.case_id, visible_case_filter(access))
    )
    if visible is None:
        raise NotFound(N_("No such teaching case."))
    return row


async def for_organisers(session: AsyncSession, access: AccessScope, event_id: int) -> list[dict[str, Any]]:
    """The event's teaching cases as an organiser sees them: the case's number only where they may see
    the case, and nothing at all of a case about them or their relations."""
    rows = await session.execute(
        select(
            EducationTeachingCase, col(Case.number), case_visible(access, col(EducationTeachingCase.case_id))
        )
        .join(Case, col(Case.id) == col(EducationTeachingCase.case_id))
        .where(
            col(EducationTeachingCase.event_id) == event_id,
            col(EducationTeachingCase.case_id).not_in(conflicted_case_ids(access)),
        )
        .order_by(col(EducationTeachingCase.id))
    )
    return [
        {"teaching": t, "number": number if seen else "", "case_id": t.case_id if seen else None}
        for t, number, seen in rows.all()
    ]


async def for_audience(session: AsyncSession, access: AccessScope, event_id: int) -> list[str]:
    """The approved summaries an invitee reads: none drawn from a case about them or their relations."""
    rows = await session.execute(
        select(col(EducationTeachingCase.summary))
        .where(
            col(EducationTeachingCase.event_id) == event_id,
            col(EducationTeachingCase.status) == APPROVED,
            col(EducationTeachingCase.case_id).not_in(conflicted_case_ids(access)),
        )
        .order_by(col(EducationTeachingCase.id))
    )
    return list(rows.scalars())


# The approval kind -----------------------------------------------------------------------------------


async def _decided(status: str, session: AsyncSession, request: ApprovalRequest) -> None:
    await session.execute(
        update(EducationTeachingCase)
        .where(col(EducationTeachingCase.id) == request.object_id)
        .values(status=status, updated_at=utcnow())
    )


async def _approved(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    # Checked again as decided: the case's text may have changed since the summary was written.
    row = await session.get(EducationTeachingCase, request.object_id)
    assert row is not None
    await _checked(session, row.case_id, row.summary)
    await _decided(APPROVED, session, request)


async def _returned(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    await _decided(RETURNED, session, request)


def _visible_ids(access: AccessScope) -> Any:
    """A reviewer checks a summary against the case: only where they may see it."""
    return select(col(EducationTeachingCase.id)).where(
        case_visible(access, col(EducationTeachingCase.case_id))
    )


def _made_by(user_id: int) -> Any:
    return select(col(EducationTeachingCase.id)).where(col(EducationTeachingCase.written_by_id) == user_id)


async def _describe(session: AsyncSession, requests: list[ApprovalRequest]) -> dict[int, InboxLine]:
    ids = [r.object_id for r in requests]
    rows = await session.execute(
        select(EducationTeachingCase, col(Case.number))
        .join(Case, col(Case.id) == col(EducationTeachingCase.case_id))
        .where(col(EducationTeachingCase.id).in_(ids))
    )
    found = {t.id: (t, number) for t, number in rows.all()}
    lines = {}
    for r in requests:
        if r.object_id in found:
            teaching, number = found[r.object_id]
            lines[r.id or 0] = InboxLine(
                number, f"/education/{teaching.event_id}#teaching", teaching.summary[:200]
            )
    return lines


TEACHING_CASE = ApprovalKind(
    KIND, OBJECT, _approved, _returned, _visible_ids, EducationTeachingCase.id, _describe,
    approves="education", made_by=_made_by,
)  # fmt: skip
