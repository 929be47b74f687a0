"""Clock extensions (an inspector asks for more time, a reviewer grants it) and stopping a clock."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import ApprovalRequest, Case, CaseClock, ClockExtension, ClockRule
from integrity.domain.approvals.registry import ApprovalKind, InboxLine
from integrity.domain.approvals.services import open_request, payload_of
from integrity.domain.cases import clocks, workflow
from integrity.domain.cases.approvals import case_lines
from integrity.domain.cases.services import get_case, unit_path_of
from integrity.domain.cases.visibility import visible_case_filter
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_
from integrity.lib.labels import label
from integrity.lib.text import Reason
from integrity.lib.workdays import WorkCalendar, add_months

KIND = "case.clock_extension"
# One request asks for at most this much; a longer delay is a series of reasoned, approved steps.
MAX_AMOUNT = {"working_days": 60, "months": 3}


class ExtensionIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[int, msgspec.Meta(ge=1)]
    unit: Literal["working_days", "months"]
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


def extended_due(due_on: date, amount: int, unit: str, cal: WorkCalendar) -> date:
    return add_months(due_on, amount) if unit == "months" else cal.add_working_days(due_on, amount)


async def _running_clock(session: AsyncSession, case_id: int, clock_id: int) -> tuple[CaseClock, ClockRule]:
    clock = await session.get(CaseClock, clock_id)
    if clock is None or clock.case_id != case_id:
        raise NotFound(N_("No such clock on this case."))
    if clock.met_on is not None or clock.stopped_on is not None:
        raise Conflict(N_("This clock has stopped; only a running clock can be extended."))
    rule = await session.get(ClockRule, clock.rule_code)
    assert rule is not None
    return clock, rule


async def propose_extension(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, clock_id: int, data: ExtensionIn
) -> ApprovalRequest:
    """Open an approval request for more time; the clock changes only when a reviewer approves."""
    case = await get_case(session, access, case_id)
    if not access.can("case", "propose", await unit_path_of(session, case)):
        raise Forbidden(N_("Your roles do not allow asking for more time on this case."))
    if case.status == workflow.CLOSED:
        raise Conflict(N_("A closed case is read-only; a reviewer can reopen it."))
    clock, rule = await _running_clock(session, case_id, clock_id)
    if not rule.extendable:
        raise Conflict(N_("This clock cannot be extended."))
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput(N_("Say why more time is needed."))
    if data.amount > MAX_AMOUNT[data.unit]:
        raise InvalidInput(N_("One extension may add at most 60 working days or 3 months."))
    proposed = extended_due(clock.due_on, data.amount, data.unit, await clocks.work_calendar(session))
    return await open_request(
        session,
        actor,
        kind=KIND,
        object_id=clock_id,
        unit_id=case.unit_id,
        case_id=case_id,
        payload={
            "case_id": case_id,
            "rule_code": clock.rule_code,
            "amount": data.amount,
            "unit": data.unit,
            "reason": reason,
            "due_on": clock.due_on.isoformat(),
            "proposed_due_on": proposed.isoformat(),
        },
    )


async def _grant(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    """Move the due date on from where it stands now (it may have changed since the request)."""
    payload = payload_of(request)
    clock, _rule = await _running_clock(session, payload["case_id"], request.object_id)
    previous = clock.due_on
    clock.due_on = extended_due(
        previous, payload["amount"], payload["unit"], await clocks.work_calendar(session)
    )
    assert request.id is not None
    session.add(
        ClockExtension(
            clock_id=request.object_id,
            case_id=clock.case_id,
            amount=payload["amount"],
            unit=payload["unit"],
            reason=payload["reason"],
            previous_due_on=previous,
            new_due_on=clock.due_on,
            approval_id=request.id,
        )
    )
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "case.clock_extend",
            "case",
            clock.case_id,
            request.unit_id,
            before={"due_on": previous.isoformat()},
            after={"due_on": clock.due_on.isoformat()},
            extra={"clock": clock.rule_code, "approval_id": request.id, "reason": payload["reason"]},
        ),
    )


class ClockStopIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


async def stop_clock(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, clock_id: int, reason: str
) -> CaseClock:
    """A reviewer stops a running clock with a reason (the matter is suspended): nothing is due any more."""
    case = await get_case(session, access, case_id)
    if not access.can("case", "approve", await unit_path_of(session, case)):
        raise Forbidden(N_("Only a reviewer stops a clock."))
    clock, _rule = await _running_clock(session, case_id, clock_id)
    if not reason.strip():
        raise InvalidInput(N_("Say why the clock is stopped."))
    clock.stopped_on, clock.stop_reason = clocks.local_today(), reason.strip()
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "case.clock_stop",
            "case",
            case_id,
            case.unit_id,
            after={"stopped_on": clock.stopped_on.isoformat()},
            extra={"clock": clock.rule_code, "reason": clock.stop_reason},
        ),
    )
    return clock


async def _refused(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    """A returned request changes nothing; the approval's own audit event records the return."""


def visible_clock_ids(access: AccessScope):  # type: ignore[no-untyped-def]
    return (
        select(col(CaseClock.id))
        .join(Case, col(Case.id) == col(CaseClock.case_id))
        .where(visible_case_filter(access))
    )


def _detail(request: ApprovalRequest) -> str:
    p = payload_of(request)
    return (
        f"{label('clock', p['rule_code'])}: +{p['amount']} {label('time_unit', p['unit'])} · "
        f"{p['due_on']} → {p['proposed_due_on']}"
    )


async def _describe(session: AsyncSession, requests: list[ApprovalRequest]) -> dict[int, InboxLine]:
    return await case_lines(session, requests, _detail)


async def _due_of(session: AsyncSession, clock_id: int, payload: dict[str, Any]) -> date:
    """More time is asked for before the clock's present due date."""
    return date.fromisoformat(payload["due_on"])


CLOCK_EXTENSION = ApprovalKind(
    KIND, "case_clock", _grant, _refused, visible_clock_ids, CaseClock.id, _describe, approves="case",
    due_of=_due_of,
)  # fmt: skip
