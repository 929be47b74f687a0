"""The case proposals that need a reviewer: disposal (拟处置) and filing (拟立案)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import ApprovalRequest, Case
from integrity.domain.approvals.registry import ApprovalKind, InboxLine
from integrity.domain.approvals.services import payload_of
from integrity.domain.cases import clocks, workflow
from integrity.domain.cases.transitions import decide
from integrity.domain.cases.visibility import visible_case_ids
from integrity.lib.audit import Actor
from integrity.lib.labels import label


def case_id_of(request: ApprovalRequest) -> int:
    """The case a case-related request is about (a clock extension names it in its payload)."""
    if request.object_type == "case":
        return request.object_id
    return int(payload_of(request)["case_id"])


async def case_lines(
    session: AsyncSession, requests: list[ApprovalRequest], detail: Callable[[ApprovalRequest], str]
) -> dict[int, InboxLine]:
    """Inbox lines of case requests: the case's number and title, linked to its page."""
    ids = {case_id_of(r) for r in requests}
    cases = {c.id: c for c in (await session.execute(select(Case).where(col(Case.id).in_(ids)))).scalars()}
    lines: dict[int, InboxLine] = {}
    for r in requests:
        case_id = case_id_of(r)
        case = cases[case_id]
        assert r.id is not None
        lines[r.id] = InboxLine(f"{case.number} · {case.title}", f"/cases/{case_id}", detail(r))
    return lines


def _proposal_detail(request: ApprovalRequest) -> str:
    payload = payload_of(request)
    text = label("transition", payload.get("transition", ""))
    return f"{text}: {label('status', payload['disposal'])}" if payload.get("disposal") else text


async def _describe(session: AsyncSession, requests: list[ApprovalRequest]) -> dict[int, InboxLine]:
    return await case_lines(session, requests, _proposal_detail)


async def _due_of(session: AsyncSession, case_id: int, payload: dict[str, Any]) -> date | None:
    """A proposal is made under the clock running when it is made (the move then meets that clock)."""
    return await clocks.earliest_due(session, case_id)


async def _case(session: AsyncSession, request: ApprovalRequest) -> Case:
    case = await session.get(Case, request.object_id)
    assert case is not None
    return case


def _answer(kind: str, *, approve: bool):  # type: ignore[no-untyped-def]
    proposal = workflow.BY_APPROVAL[kind]

    async def effect(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
        await decide(
            session, await _case(session, request), proposal, actor, approve=approve, request=request
        )

    return effect


# The proposals of the case lifecycle: one kind per transition of the table that needs approval.
CASE_KINDS = tuple(
    ApprovalKind(
        kind,
        "case",
        _answer(kind, approve=True),
        _answer(kind, approve=False),
        visible_case_ids,
        Case.id,
        _describe,
        due_of=_due_of,
    )
    for kind in workflow.BY_APPROVAL
)
