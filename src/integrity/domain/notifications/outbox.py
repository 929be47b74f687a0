"""The outbox: what is worth telling, written by the transaction that records it in the audit trail.

Every state change records its audit event in its own transaction; listening there means a change that
rolls back notifies no one, and no service has to remember to notify.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.models import NotificationEvent
from integrity.db.types import utcnow

Changes = dict[str, Any]
# An audited action -> the notification type it makes and the parameters it keeps (None: nothing to tell).
Reading = Callable[[Changes], tuple[str, dict[str, Any]] | None]


def _after(changes: Changes) -> dict[str, Any]:
    after: dict[str, Any] = changes.get("after") or {}
    return after


def _extra(changes: Changes) -> dict[str, Any]:
    extra: dict[str, Any] = changes.get("extra") or {}
    return extra


def _decided(verdict: str) -> Reading:
    return lambda c: (
        f"approval.{verdict}",
        {"kind": _extra(c).get("kind", ""), "reason": _after(c).get("comment", "")},
    )


def _assigned(c: Changes) -> tuple[str, dict[str, Any]] | None:
    user = _after(c).get("responsible_user_id")
    return ("item.assigned", {"user_id": user}) if user else None


def _begun(c: Changes) -> bool:
    starts = _extra(c).get("starts_at")
    return bool(starts) and datetime.fromisoformat(str(starts)) <= utcnow()


def _absent_again(c: Changes) -> tuple[str, dict[str, Any]] | None:
    users = _extra(c).get("absent_again") or []
    return ("education.absent_again", {"users": users, "count": len(users)}) if users else None


READINGS: dict[str, Reading] = {
    "approval.request": lambda c: ("approval.requested", {"kind": _after(c).get("kind", "")}),
    "approval.approved": _decided("approved"),
    "approval.returned": _decided("returned"),
    "case.assign": lambda c: ("case.assigned", {k: _after(c).get(k) for k in ("user_id", "team")}),
    "case.transition": lambda c: ("case.status", {"status": _after(c).get("status", "")}),
    "rectification.create": _assigned,
    "rectification.update": _assigned,  # only when the responsible person changed
    "rectification.submit": lambda c: ("item.submitted", {}),
    "rectification.reopen": lambda c: ("item.reopened", {"reason": _after(c).get("reason", "")}),
    "rectification.reinspection_reopen": lambda c: ("item.reopened", {}),
    # An event published after it began (a record of one held) invites nobody.
    "education.publish": lambda c: None if _begun(c) else ("education.invited", {}),
    "education.invite": lambda c: ("education.invited", {"user_id": _extra(c).get("user_id")}),
    "education.cancel": lambda c: ("education.cancelled", {"reason": _extra(c).get("reason", "")}),
    "education.reflection_returned": lambda c: (
        "education.reflection_returned",
        {"user_id": _extra(c).get("user_id"), "reason": _extra(c).get("comment", "")},
    ),
    "education.close": _absent_again,
}  # fmt: skip


async def on_recorded(session: AsyncSession, rows: list[dict[str, Any]], cases: dict[int, int]) -> None:
    """The audit trail's listener: one outbox row per recorded event that someone should hear of."""
    events = []
    for row in rows:
        reading = READINGS.get(row["action"])
        if reading is None or row["outcome"] != "ok" or not str(row["object_id"]).isdigit():
            continue
        made = reading(json.loads(row["changes"]))
        if made is None:
            continue
        kind, params = made
        events.append(
            _event(
                kind,
                row["object_type"],
                int(row["object_id"]),
                cases.get(row["seq"]),
                row["unit_id"],
                row["actor_id"],
                params,
            )
        )
    if events:
        await session.execute(insert(NotificationEvent), events)


def _event(
    kind: str,
    object_type: str,
    object_id: int,
    case_id: int | None,
    unit_id: int | None,
    actor_id: int | None,
    params: dict[str, Any],
    due_on: date | None = None,
) -> dict[str, Any]:
    return {
        "type": kind,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "unit_id": unit_id,
        "actor_id": actor_id,
        "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
        "due_on": due_on,
        "clock": "",
        "created_at": utcnow(),
    }


async def emit(
    session: AsyncSession,
    kind: str,
    object_type: str,
    object_id: int,
    *,
    case_id: int | None = None,
    unit_id: int | None = None,
    actor_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> None:
    """Put one event in the outbox, in the caller's transaction (for events no audit action names)."""
    await session.execute(
        insert(NotificationEvent),
        [_event(kind, object_type, object_id, case_id, unit_id, actor_id, params or {})],
    )
