"""Opening and deciding approval requests: never by the maker, exactly once under concurrency."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, false, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from integrity.db.models import ApprovalRequest, Unit
from integrity.db.types import utcnow
from integrity.domain.approvals.registry import CASE_RULE, KINDS, ApprovalKind, InboxLine
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_

PENDING, APPROVED, RETURNED = "pending", "approved", "returned"


def payload_of(request: ApprovalRequest) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(request.payload)
    return loaded


async def open_request(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: str,
    object_id: int,
    unit_id: int,
    case_id: int | None,
    payload: dict[str, Any],
) -> ApprovalRequest:
    """One pending request per object at a time; `case_id` is the case the object belongs to."""
    spec = KINDS[kind]
    pending = (
        await session.execute(
            select(col(ApprovalRequest.id)).where(
                col(ApprovalRequest.object_type) == spec.object_type,
                col(ApprovalRequest.object_id) == object_id,
                col(ApprovalRequest.status) == PENDING,
            )
        )
    ).first()
    if pending:
        raise Conflict(N_("A proposal for this item is already waiting for a reviewer."))
    assert actor.user_id is not None
    request = ApprovalRequest(
        kind=kind,
        object_type=spec.object_type,
        object_id=object_id,
        unit_id=unit_id,
        payload=json.dumps(payload, ensure_ascii=False),
        requested_by_id=actor.user_id,
        case_id=case_id,
        due_on=await spec.due_of(session, object_id, payload) if spec.due_of else None,
    )
    session.add(request)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "approval.request",
            "approval",
            request.id or "",
            unit_id,
            after={"kind": kind, "object_id": object_id, **payload},
        ),
    )
    return request


async def _made(
    session: AsyncSession, spec: ApprovalKind, request: ApprovalRequest, user_id: int | None
) -> bool:
    """Whether the user made the object (drafted it) besides requesting the approval."""
    if spec.made_by is None or user_id is None:
        return False
    query = spec.made_by(user_id).where(spec.id_column == request.object_id)
    return (await session.execute(query)).first() is not None


async def _visible_request(
    session: AsyncSession, access: AccessScope, request_id: int
) -> tuple[ApprovalRequest, ApprovalKind, Unit]:
    found = (
        await session.execute(
            select(ApprovalRequest, Unit)
            .join(Unit, col(Unit.id) == col(ApprovalRequest.unit_id))
            .where(col(ApprovalRequest.id) == request_id)
        )
    ).first()
    if found is None or found[0].kind not in KINDS:
        raise NotFound(N_("No such approval request."))
    request, unit = found
    spec = KINDS[request.kind]
    visible = (
        await session.execute(spec.visible_ids(access).where(spec.id_column == request.object_id))
    ).first()
    if visible is None:
        raise NotFound(N_("No such approval request."))
    return request, spec, unit


async def decide(
    session: AsyncSession, access: AccessScope, actor: Actor, request_id: int, *, approve: bool, comment: str
) -> ApprovalRequest:
    """Approve or return; the loser of a race gets 409 and writes nothing."""
    request, spec, unit = await _visible_request(session, access, request_id)
    refusal = await _refusal(session, access, spec, request, unit.path)
    if refusal:
        raise Forbidden(refusal)
    if not approve and not comment.strip():
        raise InvalidInput(N_("Say why you return the proposal."))
    status = APPROVED if approve else RETURNED
    decision = {"status": status, "decided_by_id": actor.user_id, "decided_at": utcnow(), "comment": comment}
    # One conditional UPDATE decides the race: under concurrency exactly one reviewer's row count is 1.
    decided = await session.execute(
        update(ApprovalRequest)
        .where(col(ApprovalRequest.id) == request_id, col(ApprovalRequest.status) == PENDING)
        .values(**decision)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("This proposal has already been decided."))
    for field, value in decision.items():  # what the UPDATE wrote, without reading the row back
        set_committed_value(request, field, value)
    effect = spec.on_approved if approve else spec.on_returned
    await effect(session, request, actor)
    await record(
        session,
        actor,
        AuditEntry(
            f"approval.{status}",
            "approval",
            request_id,
            request.unit_id,
            before={"status": PENDING},
            after={"status": status, "comment": comment},
            extra={"kind": request.kind, "object_id": request.object_id},
        ),
    )
    return request


async def pending_for(session: AsyncSession, object_type: str, object_id: int) -> ApprovalRequest | None:
    """The request waiting on an object, if any (an object has at most one)."""
    return (
        await session.execute(
            select(ApprovalRequest).where(
                col(ApprovalRequest.object_type) == object_type,
                col(ApprovalRequest.object_id) == object_id,
                col(ApprovalRequest.status) == PENDING,
            )
        )
    ).scalar_one_or_none()


async def _refusal(
    session: AsyncSession, access: AccessScope, spec: ApprovalKind, request: ApprovalRequest, unit_path: str
) -> str | None:
    """Why this user may not decide the request, or None: the one rule for deciding and for the buttons."""
    if not access.can(spec.policy_object, "approve", unit_path):
        return N_("You may not decide on this kind of proposal in this unit.")
    user_id = access.principal.user_id
    if user_id == request.requested_by_id or await _made(session, spec, request, user_id):
        return N_("You made this proposal; another reviewer must decide on it.")
    return None


async def may_decide(session: AsyncSession, access: AccessScope, request: ApprovalRequest) -> bool:
    """Whether this user would be allowed to decide the request (to show or hide the buttons)."""
    unit = await session.get(Unit, request.unit_id)
    return (
        unit is not None and await _refusal(session, access, KINDS[request.kind], request, unit.path) is None
    )


def decidable(access: AccessScope) -> ColumnElement[bool]:
    """Pending requests this user may decide: their units, cases they may see, never their own.

    The kinds they may approve, grouped by the policy object that decides them, each limited to the
    units where they may; then one probe of the request's case. A list walking requests in due order
    stops after its page, whatever the size of the organisation.
    """
    user_id = access.principal.user_id
    by_object: dict[str, list[str]] = {}
    for name, spec in KINDS.items():
        if access.can_anywhere(spec.policy_object, "approve"):
            by_object.setdefault(spec.policy_object, []).append(name)
    in_units = [
        and_(
            col(ApprovalRequest.kind).in_(names),
            col(ApprovalRequest.unit_id).in_(
                select(col(Unit.id)).where(access.unit_filter(obj, "approve", col(Unit.path)))
            ),
        )
        for obj, names in by_object.items()
    ]
    not_made = [
        ~and_(col(ApprovalRequest.kind) == name, col(ApprovalRequest.object_id).in_(spec.made_by(user_id)))
        for name, spec in KINDS.items()
        if spec.made_by is not None
    ]
    return and_(
        col(ApprovalRequest.status) == PENDING,
        col(ApprovalRequest.requested_by_id) != user_id,
        or_(false(), *in_units),
        *not_made,
        request_visible(access),
    )


def request_visible(access: AccessScope) -> ColumnElement[bool]:
    """The request's case is one the user may see; a request outside any case, by its unit alone."""
    case = col(ApprovalRequest.case_id)
    return or_(case.is_(None), CASE_RULE[0](access, case))


def by_due_date() -> tuple[Any, ...]:
    """Most urgent first: by the deadline each request was made under, undated requests last."""
    return (col(ApprovalRequest.due_on).is_(None), col(ApprovalRequest.due_on), col(ApprovalRequest.id))


async def most_urgent(session: AsyncSession, query: Select[Any], limit: int) -> Sequence[Row[Any]]:
    """The first `limit` rows of a query of requests, dated ones in due order, then undated by age.

    Two walks, each of which an index on (status, due_on) serves in order and stops early: one ORDER BY
    with the undated last would sort every row that matches first.
    """
    due = col(ApprovalRequest.due_on)
    in_due_order = query.where(due.is_not(None)).order_by(due, col(ApprovalRequest.id)).limit(limit)
    dated: Sequence[Row[Any]] = (await session.execute(in_due_order)).all()
    if len(dated) >= limit:
        return dated
    undated = query.where(due.is_(None)).order_by(col(ApprovalRequest.id)).limit(limit - len(dated))
    return [*dated, *(await session.execute(undated)).all()]


async def inbox(
    session: AsyncSession, access: AccessScope, limit: int | None = None
) -> list[ApprovalRequest]:
    """Pending requests this user may decide, most urgent first (the first `limit` of them)."""
    query = select(ApprovalRequest).where(decidable(access))
    if limit is None:
        return list((await session.execute(query.order_by(*by_due_date()))).scalars().all())
    return [row[0] for row in await most_urgent(session, query, limit)]


async def describe(session: AsyncSession, requests: list[ApprovalRequest]) -> dict[int, InboxLine]:
    """Each request's inbox line, asking each kind once for all of its requests."""
    lines: dict[int, InboxLine] = {}
    for name in {r.kind for r in requests}:
        lines.update(await KINDS[name].describe(session, [r for r in requests if r.kind == name]))
    return lines
