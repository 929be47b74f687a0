"""The close-out request (申请销号) as an approvable kind: decided by a reviewer of the item's unit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import ApprovalRequest, RectificationItem
from integrity.domain.approvals.registry import ApprovalKind, InboxLine
from integrity.domain.approvals.services import payload_of
from integrity.domain.rectification.closeout import decide_closeout
from integrity.domain.rectification.services import CLOSEOUT, OBJECT, item_filter
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope


async def _approved(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    await decide_closeout(session, request, actor, approve=True)


async def _returned(session: AsyncSession, request: ApprovalRequest, actor: Actor) -> None:
    await decide_closeout(session, request, actor, approve=False)


def _visible_ids(access: AccessScope):  # type: ignore[no-untyped-def]
    return select(col(RectificationItem.id)).where(item_filter(access))


def _made_by(user_id: int):  # type: ignore[no-untyped-def]
    """Whoever drafted the item does not close it off either."""
    return select(col(RectificationItem.id)).where(col(RectificationItem.created_by_id) == user_id)


def _short(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


async def _describe(session: AsyncSession, requests: list[ApprovalRequest]) -> dict[int, InboxLine]:
    ids = [r.object_id for r in requests]
    items = {
        i.id: i
        for i in (
            await session.execute(select(RectificationItem).where(col(RectificationItem.id).in_(ids)))
        ).scalars()
    }
    return {
        r.id or 0: InboxLine(
            _short(items[r.object_id].requirement),
            f"/rectification/items/{r.object_id}",
            _short(payload_of(r).get("description", ""), 200),
        )
        for r in requests
    }


async def _due_of(session: AsyncSession, item_id: int, payload: dict[str, Any]) -> date | None:
    """A close-out is asked for under the item's own due date."""
    item = await session.get(RectificationItem, item_id)
    return item.due_on if item else None


CLOSEOUT_KIND = ApprovalKind(
    CLOSEOUT, OBJECT, _approved, _returned, _visible_ids, RectificationItem.id, _describe,
    made_by=_made_by, due_of=_due_of,
)  # fmt: skip
