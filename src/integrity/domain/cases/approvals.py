"""The case proposals that need a reviewer: disposal (拟处置) and filing (拟立案)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import ApprovalRequest, Case
from integrity.domain.approvals.registry import ApprovalKind, register
from integrity.domain.approvals.services import payload_of
from integrity.domain.cases import workflow
from integrity.domain.cases.services import move
from integrity.domain.cases.visibility import visible_case_ids
from integrity.lib.audit import Actor


async def _case(session: AsyncSession, request: ApprovalRequest) -> Case:
    case = await session.get(Case, request.object_id)
    assert case is not None
    return case


def _approved(kind: str):  # type: ignore[no-untyped-def]
    spec = workflow.BY_APPROVAL[kind]

    async def effect(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
        case = await _case(session, request)
        payload = payload_of(request)
        target = spec.approved_target or payload["disposal"]
        await move(
            session,
            case,
            to=target,
            transition=f"approve:{spec.name}",
            actor=actor,
            reason=request.comment,
            expected_version=case.version,
            approval_id=request.id,
            disposal=payload.get("disposal"),
        )

    return effect


def _returned(kind: str):  # type: ignore[no-untyped-def]
    spec = workflow.BY_APPROVAL[kind]

    async def effect(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
        case = await _case(session, request)
        assert spec.returned_target is not None
        await move(
            session,
            case,
            to=spec.returned_target,
            transition=f"return:{spec.name}",
            actor=actor,
            reason=request.comment,
            expected_version=case.version,
            approval_id=request.id,
        )

    return effect


for _kind in workflow.BY_APPROVAL:
    register(ApprovalKind(_kind, "case", _approved(_kind), _returned(_kind), visible_case_ids, Case.id))
