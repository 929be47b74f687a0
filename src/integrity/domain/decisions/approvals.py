"""A submitted decision as an approvable kind: a reviewer other than its drafter approves or returns it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import ApprovalRequest, Case, Decision, Measure, Person
from integrity.domain.approvals.registry import ApprovalKind, InboxLine
from integrity.domain.cases.clocks import earliest_due
from integrity.domain.decisions.services import KIND, OBJECT, decision_filter, on_decided
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import current_locale, local_name


async def _approved(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    await on_decided(session, request, actor, approve=True)


async def _returned(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    await on_decided(session, request, actor, approve=False)


def _visible_ids(access: AccessScope):  # type: ignore[no-untyped-def]
    return select(col(Decision.id)).where(decision_filter(access))


def _made_by(user_id: int):  # type: ignore[no-untyped-def]
    """The drafter never approves their own decision, whoever submitted it."""
    return select(col(Decision.id)).where(col(Decision.drafted_by_id) == user_id)


async def _describe(session: AsyncSession, requests: list[ApprovalRequest]) -> dict[int, InboxLine]:
    rows = await session.execute(
        select(Decision, Case, Person, Measure)
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Person, col(Person.id) == col(Decision.person_id))
        .join(Measure, col(Measure.code) == col(Decision.measure_code))
        .where(col(Decision.id).in_([r.object_id for r in requests]))
    )
    english = current_locale.get() == "en"
    found = {d.id: (d, c, p, m) for d, c, p, m in rows.all()}
    lines = {}
    for r in requests:
        d, c, p, m = found[r.object_id]
        person = local_name(p.name, p.name_en)
        lines[r.id or 0] = InboxLine(
            f"{person} · {m.name_en if english else m.name}",
            f"/decisions/{d.id}",
            f"{c.number} · {c.title}",
        )
    return lines


async def _due_of(session: AsyncSession, decision_id: int, payload: dict[str, Any]) -> date | None:
    """A decision is submitted under its case's running clock (the hearing's, the review's)."""
    case_id = (
        await session.execute(select(col(Decision.case_id)).where(col(Decision.id) == decision_id))
    ).scalar_one()
    return await earliest_due(session, case_id)


DECISION_APPROVAL = ApprovalKind(
    KIND, OBJECT, _approved, _returned, _visible_ids, Decision.id, _describe, made_by=_made_by,
    due_of=_due_of,
)  # fmt: skip
