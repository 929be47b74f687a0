"""Which case an audited object belongs to, so that every event of a case follows its visibility."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    ApprovalRequest,
    AuditEventCase,
    Case,
    CaseClock,
    Decision,
    EducationTeachingCase,
    RecommendationLetter,
    RectificationItem,
)

# Object types whose rows name their case; "approval" belongs to the case of the
# object it asks about. Every other object type (users, units, catalogues, lists) belongs to no case;
# tests/integration/audit checks that each object type an event of a case carries is listed here.
CASE_COLUMNS: dict[str, tuple[Any, Any]] = {
    "case": (col(Case.id), col(Case.id)),  # looked up too: an event may name a case id that is not there
    "rectification": (col(RectificationItem.id), col(RectificationItem.case_id)),
    "recommendation_letter": (col(RecommendationLetter.id), col(RecommendationLetter.case_id)),
    "decision": (col(Decision.id), col(Decision.case_id)),
    "case_clock": (col(CaseClock.id), col(CaseClock.case_id)),
    # A closed case as an event's teaching material: its events follow the case's visibility.
    "teaching_case": (col(EducationTeachingCase.id), col(EducationTeachingCase.case_id)),
}
CASE_OBJECTS = frozenset({"approval", *CASE_COLUMNS})


async def _cases_of(session: AsyncSession, objects: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """(object type, id) -> case id, for the objects that belong to a case."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in objects:
        wanted[kind].add(object_id)
    found: dict[tuple[str, int], int] = {}
    approvals = wanted.pop("approval", set())
    if approvals:
        requests: Any = await session.execute(
            select(
                col(ApprovalRequest.id), col(ApprovalRequest.object_type), col(ApprovalRequest.object_id)
            ).where(col(ApprovalRequest.id).in_(approvals))
        )
        asked = {int(r[0]): (str(r[1]), int(r[2])) for r in requests}
        inner = await _cases_of(session, asked.values())
        found.update({("approval", a): inner[o] for a, o in asked.items() if o in inner})
    for kind, ids in wanted.items():
        id_column, case_column = CASE_COLUMNS[kind]
        rows = await session.execute(
            select(id_column, case_column).where(id_column.in_(ids), case_column.is_not(None))
        )
        found.update({(kind, int(r[0])): int(r[1]) for r in rows})
    return found


async def link_events_to_cases(session: AsyncSession, events: list[dict[str, Any]]) -> dict[int, int]:
    """Record the case of each new event (by its object) in the same transaction as the event.

    Returns each linked event's case id by its sequence number."""
    objects = {
        (e["object_type"], int(e["object_id"]))
        for e in events
        if e["object_type"] in CASE_OBJECTS and str(e["object_id"]).isdigit()
    }
    if not objects:
        return {}
    cases = await _cases_of(session, objects)
    links = [
        {"seq": e["seq"], "case_id": cases[key]}
        for e in events
        if str(e["object_id"]).isdigit() and (key := (e["object_type"], int(e["object_id"]))) in cases
    ]
    if links:
        await session.execute(insert(AuditEventCase), links)
    return {link["seq"]: link["case_id"] for link in links}
