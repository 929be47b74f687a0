"""Everything a case's trail shows, read once: the case file, its follow-up, and its audit events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    Appeal,
    AppealPanelMember,
    ApprovalRequest,
    AuditEvent,
    CatalogueItem,
    Decision,
    DecisionClock,
    Measure,
    RecommendationLetter,
    RectificationEvidence,
    RectificationItem,
    RectificationStep,
    Unit,
)
from integrity.domain.cases.case_file import CaseFile, load_case_file
from integrity.domain.users.services import display_names
from integrity.lib.authz import AccessScope


@dataclass(frozen=True)
class CaseTrail:
    file: CaseFile
    items: Sequence[RectificationItem]
    steps: Sequence[RectificationStep]
    item_evidence: Sequence[RectificationEvidence]
    decisions: Sequence[Decision]
    measures: dict[str, Measure]
    decision_clocks: Sequence[DecisionClock]
    appeals: Sequence[Appeal]
    panel: Sequence[AppealPanelMember]
    approvals: Sequence[ApprovalRequest]
    units: dict[int, str]  # unit id -> name, for the units named above
    catalogue: dict[tuple[str, str], CatalogueItem]  # (catalogue, code): sources and categories
    events: Sequence[AuditEvent]
    people: dict[int, str]  # user id -> display name, for everyone named in the trail


async def _all(session: AsyncSession, statement: Any) -> Sequence[Any]:
    return (await session.execute(statement)).scalars().all()


def _ids(rows: Sequence[Any]) -> list[int]:
    return [int(r.id) for r in rows]


def _objects(pairs: dict[str, list[int]], type_column: Any, id_column: Any, as_text: bool) -> Any:
    """(type = t AND id IN ids) OR ... for every object of the case; false when there is none."""
    terms: list[ColumnElement[bool]] = [
        and_(type_column == kind, id_column.in_([str(i) for i in ids] if as_text else ids))
        for kind, ids in pairs.items()
        if ids
    ]
    return or_(*terms) if terms else false()


async def load_case_trail(
    session: AsyncSession, access: AccessScope, case_id: int, up_to_seq: int | None = None
) -> CaseTrail:
    """A case the user may read (404 otherwise), with its follow-up and every audit event about it."""
    file = await load_case_file(session, access, case_id)
    items = await _all(
        session,
        select(RectificationItem)
        .where(col(RectificationItem.case_id) == case_id)
        .order_by(col(RectificationItem.id)),
    )
    letters = await _all(
        session, select(RecommendationLetter).where(col(RecommendationLetter.case_id) == case_id)
    )
    item_ids = _ids(items)
    steps = await _all(
        session,
        select(RectificationStep)
        .where(col(RectificationStep.item_id).in_(item_ids))
        .order_by(col(RectificationStep.id)),
    )
    item_evidence = await _all(
        session,
        select(RectificationEvidence)
        .where(col(RectificationEvidence.item_id).in_(item_ids))
        .order_by(col(RectificationEvidence.id)),
    )
    decisions = await _all(
        session, select(Decision).where(col(Decision.case_id) == case_id).order_by(col(Decision.id))
    )
    decision_ids = _ids(decisions)
    decision_clocks = await _all(
        session,
        select(DecisionClock)
        .where(col(DecisionClock.decision_id).in_(decision_ids))
        .order_by(col(DecisionClock.id)),
    )
    appeals = await _all(
        session, select(Appeal).where(col(Appeal.decision_id).in_(decision_ids)).order_by(col(Appeal.id))
    )
    panel = await _all(
        session,
        select(AppealPanelMember)
        .where(col(AppealPanelMember.appeal_id).in_(_ids(appeals)))
        .order_by(col(AppealPanelMember.id)),
    )
    approval_objects = {
        "case": [case_id],
        "case_clock": [int(c.id) for c in file.clocks],
        "rectification": item_ids,
        "decision": decision_ids,
    }
    approvals = await _all(
        session,
        select(ApprovalRequest)
        .where(
            _objects(
                approval_objects, col(ApprovalRequest.object_type), col(ApprovalRequest.object_id), False
            )
        )
        .order_by(col(ApprovalRequest.id)),
    )
    event_objects = {
        "case": [case_id],
        "rectification": item_ids,
        "recommendation_letter": _ids(letters),
        "decision": decision_ids,
        "approval": _ids(approvals),
    }
    events_query = select(AuditEvent).where(
        _objects(event_objects, col(AuditEvent.object_type), col(AuditEvent.object_id), True)
    )
    if up_to_seq is not None:
        events_query = events_query.where(col(AuditEvent.seq) <= up_to_seq)
    events = await _all(session, events_query.order_by(col(AuditEvent.seq)))
    catalogue = {
        (item.catalogue.removeprefix("case_"), item.code): item
        for item in await _all(
            session,
            select(CatalogueItem).where(col(CatalogueItem.catalogue).in_(("case_source", "case_category"))),
        )
    }
    codes = {d.measure_code for d in decisions}
    measures = {m.code: m for m in await _all(session, select(Measure).where(col(Measure.code).in_(codes)))}
    unit_ids = {file.unit.id or 0, *(i.unit_id for i in items)}
    units = {
        int(u.id or 0): u.name for u in await _all(session, select(Unit).where(col(Unit.id).in_(unit_ids)))
    }
    named = (
        {e.actor_id for e in events if e.actor_id}
        | {i.responsible_user_id for i in items}
        | {s.actor_id for s in steps}
        | {f.uploaded_by_id for f in item_evidence}
        | {d.drafted_by_id for d in decisions}
        | {p.user_id for p in panel}
        | {a.requested_by_id for a in approvals}
        | {a.decided_by_id for a in approvals if a.decided_by_id}
        | {a.decided_by_id for a in appeals if a.decided_by_id}
    ) - set(file.people)
    people = {**file.people, **await display_names(session, named)}
    return CaseTrail(
        file=file,
        items=items,
        steps=steps,
        item_evidence=item_evidence,
        decisions=decisions,
        measures=measures,
        decision_clocks=decision_clocks,
        appeals=appeals,
        panel=panel,
        approvals=approvals,
        units=units,
        catalogue=catalogue,
        events=events,
        people=people,
    )
