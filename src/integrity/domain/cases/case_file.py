"""Everything about one case that a reader sees, loaded once for the API and the case page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    ApprovalRequest,
    Case,
    CaseAssignment,
    CaseClock,
    CaseEvidence,
    CaseLink,
    CaseNote,
    CaseSubject,
    CaseTransition,
    ClockExtension,
    Person,
    Unit,
)
from integrity.domain.cases import clocks, services, transitions, workflow
from integrity.domain.cases.visibility import visible_case_filter
from integrity.domain.users.services import display_names
from integrity.lib.authz import AccessScope
from integrity.lib.workflow import Transition


@dataclass(frozen=True)
class CaseFile:
    case: Case
    unit: Unit
    subjects: Sequence[Person]
    team: Sequence[CaseAssignment]
    history: Sequence[CaseTransition]
    clocks: list[clocks.ClockView]
    notes: Sequence[CaseNote]
    files: Sequence[CaseEvidence]
    people: dict[int, str]  # user id -> display name, for everyone named above
    transitions: list[Transition]  # what this reader may press now
    can_edit: bool
    can_propose: bool
    can_export: bool  # may download the trail PDF (auditors)
    can_stop_clocks: bool  # a reviewer may stop a running clock, with a reason
    extensions: Sequence[ClockExtension]
    pending_extensions: set[int]  # clock ids with a request waiting for a reviewer
    links: list[tuple[CaseLink, Case]]  # only links to cases this reader may see
    # The case's latest proposal, when a reviewer returned it and nothing was proposed since: its
    # reason leads the page, and the next-steps form lets its maker propose again.
    returned: ApprovalRequest | None = None


async def _all(session: AsyncSession, statement: Any) -> Sequence[Any]:
    return (await session.execute(statement)).scalars().all()


async def load_case_file(session: AsyncSession, access: AccessScope, case_id: int) -> CaseFile:
    """A visible case (404 otherwise) with its subjects, team, history, clocks, notes and files."""
    case = await services.get_case(session, access, case_id)
    unit = await session.get(Unit, case.unit_id)
    assert unit is not None
    subjects = await _all(
        session,
        select(Person)
        .join(CaseSubject, col(CaseSubject.person_id) == col(Person.id))
        .where(col(CaseSubject.case_id) == case_id)
        .order_by(col(Person.id)),
    )
    team = await _all(
        session,
        select(CaseAssignment).where(col(CaseAssignment.case_id) == case_id).order_by(col(CaseAssignment.id)),
    )
    history = await _all(
        session,
        select(CaseTransition).where(col(CaseTransition.case_id) == case_id).order_by(col(CaseTransition.id)),
    )
    case_clocks = await _all(
        session, select(CaseClock).where(col(CaseClock.case_id) == case_id).order_by(col(CaseClock.id))
    )
    notes = await _all(
        session, select(CaseNote).where(col(CaseNote.case_id) == case_id).order_by(col(CaseNote.id))
    )
    files = await _all(
        session,
        select(CaseEvidence).where(col(CaseEvidence.case_id) == case_id).order_by(col(CaseEvidence.id)),
    )
    extensions = await _all(
        session,
        select(ClockExtension).where(col(ClockExtension.case_id) == case_id).order_by(col(ClockExtension.id)),
    )
    pending = set(
        (
            await session.execute(
                select(col(ApprovalRequest.object_id)).where(
                    col(ApprovalRequest.object_type) == "case_clock",
                    col(ApprovalRequest.status) == "pending",
                    col(ApprovalRequest.object_id).in_([c.id for c in case_clocks]),
                )
            )
        ).scalars()
    )
    links = await _links(session, access, case_id)
    latest = (
        await session.execute(
            select(ApprovalRequest)
            .where(col(ApprovalRequest.object_type) == "case", col(ApprovalRequest.object_id) == case_id)
            .order_by(col(ApprovalRequest.id).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    returned = latest if latest is not None and latest.status == "returned" else None
    named = (
        {a.user_id for a in team}
        | {h.actor_id for h in history if h.actor_id}
        | {n.author_id for n in notes}
        | {f.uploaded_by_id for f in files}
        | ({returned.decided_by_id} if returned and returned.decided_by_id else set())
    )
    people = await display_names(session, named)
    today, cal = clocks.local_today(), await clocks.work_calendar(session)
    extendable = await clocks.extendable_rules(session)
    facts = await transitions.case_facts(session, access, case_id)
    return CaseFile(
        case=case,
        unit=unit,
        subjects=subjects,
        team=team,
        history=history,
        clocks=[clocks.judge(c, today, cal, extendable) for c in case_clocks],
        notes=notes,
        files=files,
        people=people,
        transitions=[
            workflow.BY_NAME[n] for n in transitions.allowed_transitions(access, case, unit.path, facts)
        ],
        # The table's edit row, as the services check it (editable_case): open cases, case:update.
        can_edit=transitions.transition_refusal(access, case, unit.path, workflow.BY_NAME["edit"], facts)
        is None,
        can_propose=access.can("case", "propose", unit.path) and case.status != workflow.CLOSED,
        can_export=access.can("export", "create", unit.path),
        can_stop_clocks=access.can("case", "approve", unit.path),
        extensions=extensions,
        pending_extensions=pending,
        links=links,
        returned=returned,
    )


async def _links(session: AsyncSession, access: AccessScope, case_id: int) -> list[tuple[CaseLink, Case]]:
    """Links in both directions, to cases the reader may see; the others are not even hinted at."""
    rows = (
        await session.execute(
            select(CaseLink, Case)
            .join(
                Case,
                ((col(CaseLink.case_id) == case_id) & (col(Case.id) == col(CaseLink.other_case_id)))
                | ((col(CaseLink.other_case_id) == case_id) & (col(Case.id) == col(CaseLink.case_id))),
            )
            .where(
                (col(CaseLink.case_id) == case_id) | (col(CaseLink.other_case_id) == case_id),
                visible_case_filter(access),
            )
            .order_by(col(CaseLink.id))
        )
    ).all()
    return [(link, other) for link, other in rows]
