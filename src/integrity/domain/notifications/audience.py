"""Who might be told of each event, before the read rule screens them (see screen.py).

Each type names its people in the domain's words: the reviewers over the unit, the case's team, the
maker of a proposal, an item's responsible person and drafter, a decision's drafter, an appeal's panel.
Everything is read for a whole batch of events at once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import (
    Appeal,
    AppealPanelMember,
    ApprovalRequest,
    CaseAssignment,
    Decision,
    EducationAttendance,
    EducationEvent,
    NotificationEvent,
    RectificationItem,
    Unit,
)
from integrity.domain.approvals.registry import KINDS
from integrity.domain.decisions.workflow import APPEAL_OPEN
from integrity.domain.notifications.screen import Candidate
from integrity.lib.authz import ROLES, Authorizer

APPEAL_CLOCK = "appeal_review"


class Batch:
    """The people around a batch of events, each read once."""

    def __init__(
        self, session: AsyncSession, authorizer: Authorizer, events: list[NotificationEvent]
    ) -> None:
        self.session, self.authorizer, self.events = session, authorizer, events
        self.requests: dict[int, ApprovalRequest] = {}
        self.items: dict[int, RectificationItem] = {}
        self.decisions: dict[int, Decision] = {}
        self.team: dict[int, list[int]] = defaultdict(list)
        self.panels: dict[int, list[int]] = defaultdict(list)
        self.paths: dict[int, str] = {}
        self.invitees: dict[int, list[int]] = defaultdict(list)  # education event -> its list
        self.titles: dict[int, str] = {}  # education event -> its title
        self.unit_names: dict[int, str] = {}  # a unit an event is about (its plan) -> its name
        self._holders: dict[tuple[int, str, str], list[int]] = {}

    async def load(self) -> None:
        by_type: dict[str, set[int]] = defaultdict(set)
        for e in self.events:
            by_type[e.object_type].add(e.object_id)
        s = self.session
        if by_type["approval"]:
            requests = await s.execute(
                select(ApprovalRequest).where(col(ApprovalRequest.id).in_(by_type["approval"]))
            )
            self.requests = {r.id or 0: r for r in requests.scalars()}
        if by_type["rectification"]:
            items = await s.execute(
                select(RectificationItem).where(col(RectificationItem.id).in_(by_type["rectification"]))
            )
            self.items = {r.id or 0: r for r in items.scalars()}
        if by_type["decision"]:
            decisions = await s.execute(select(Decision).where(col(Decision.id).in_(by_type["decision"])))
            self.decisions = {r.id or 0: r for r in decisions.scalars()}
            panel = await s.execute(
                select(col(Appeal.decision_id), col(AppealPanelMember.user_id))
                .join(AppealPanelMember, col(AppealPanelMember.appeal_id) == col(Appeal.id))
                .where(col(Appeal.decision_id).in_(by_type["decision"]), col(Appeal.status).in_(APPEAL_OPEN))
            )
            for decision_id, user_id in panel:
                self.panels[decision_id].append(user_id)
        if by_type["unit"]:
            names = await s.execute(
                select(col(Unit.id), col(Unit.name)).where(col(Unit.id).in_(by_type["unit"]))
            )
            self.unit_names = {int(i or 0): n for i, n in names}
        if by_type["education"]:
            await self._load_education(by_type["education"])
        case_ids = {e.case_id for e in self.events if e.case_id is not None}
        if case_ids:
            members = await s.execute(
                select(col(CaseAssignment.case_id), col(CaseAssignment.user_id)).where(
                    col(CaseAssignment.case_id).in_(case_ids), col(CaseAssignment.recused_at).is_(None)
                )
            )
            for case_id, user_id in members:
                self.team[case_id].append(user_id)
        unit_ids = {e.unit_id for e in self.events if e.unit_id is not None}
        if unit_ids:
            units = await s.execute(select(col(Unit.id), col(Unit.path)).where(col(Unit.id).in_(unit_ids)))
            self.paths = {uid or 0: path for uid, path in units}

    async def _load_education(self, event_ids: set[int]) -> None:
        s = self.session
        titles = await s.execute(
            select(col(EducationEvent.id), col(EducationEvent.title)).where(
                col(EducationEvent.id).in_(event_ids)
            )
        )
        self.titles = {int(i or 0): t for i, t in titles}
        listed = {e.object_id for e in self.events if e.type in LIST_WIDE}
        if listed:
            rows = await s.execute(
                select(col(EducationAttendance.event_id), col(EducationAttendance.user_id)).where(
                    col(EducationAttendance.event_id).in_(listed)
                )
            )
            for event_id, user_id in rows:
                self.invitees[event_id].append(user_id)

    def holders_over(self, unit_id: int | None, obj: str, act: str) -> list[int]:
        """Users whose role in this unit or one above it permits (obj, act); once per unit and batch."""
        key = (unit_id or 0, obj, act)
        if key not in self._holders:
            path = self.paths.get(unit_id or 0, "")
            roles = {r for r in ROLES if self.authorizer.role_permits(r, obj, act)}
            # The grants the worker's authorizer synced for this batch: no second read of them.
            grants = self.authorizer.all_grants() if path else []
            self._holders[key] = [u for u, g in grants if g.role in roles and path.startswith(g.unit_path)]
        return self._holders[key]


def _params(e: NotificationEvent) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(e.params)
    return loaded


def _of_approval(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    request = b.requests.get(e.object_id)
    if request is None or request.kind not in KINDS:
        return []
    if e.type == "approval.requested":
        reviewers = b.holders_over(e.unit_id, KINDS[request.kind].policy_object, "approve")
        return [(u, "approval.decide") for u in reviewers]
    return [(request.requested_by_id, "approval")]


def _workers(b: Batch, e: NotificationEvent) -> list[int]:
    """Who does the work an event's deadline is about."""
    if e.object_type == "case":
        return b.team.get(e.object_id, [])
    if e.object_type == "rectification":
        item = b.items.get(e.object_id)
        if item is None:
            return []
        return (
            [item.responsible_user_id, item.created_by_id]
            if item.responsible_user_id
            else [item.created_by_id]
        )
    if e.object_type == "decision":
        if e.clock == APPEAL_CLOCK:
            return b.panels.get(e.object_id, [])
        decision = b.decisions.get(e.object_id)
        if decision is None:
            return []
        return [decision.drafted_by_id, *b.team.get(decision.case_id, [])]
    return []


def _of_reminder(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    if e.object_type == "education":  # a reflection owed: its writer; long overdue, the organisers too
        writer = int(_params(e)["user_id"])
        told = [(writer, INVITEE)]
        if e.type == "reminder.escalated":
            organisers = b.holders_over(e.unit_id, "education", "update")
            told += [(u, ORGANISER) for u in organisers if u != writer]
        return told
    people = list(_workers(b, e))
    if e.type == "reminder.escalated":
        people += b.holders_over(e.unit_id, "approval", "decide")
    return [(u, e.object_type) for u in people]


def _of_item(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    item = b.items.get(e.object_id)
    if item is None:
        return []
    if e.type == "item.submitted":
        return [(item.created_by_id, "rectification")]
    return [(item.responsible_user_id, "rectification")] if item.responsible_user_id else []


def _of_case(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    if e.type == "case.assigned":
        user = _params(e).get("user_id")
        return [(int(user), "case")] if user else []
    return [(u, "case") for u in b.team.get(e.object_id, [])]


INVITEE, ORGANISER, UNIT_ORGANISER = "education_invitee", "education_organiser", "education_unit"
LIST_WIDE = frozenset({"education.invited", "education.cancelled"})  # to everyone on the list


def _of_education(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    one = _params(e).get("user_id")
    if e.type == "education.plan_behind":  # about the unit's plan, not an event
        return [(u, UNIT_ORGANISER) for u in b.holders_over(e.unit_id, "education", "update")]
    if e.type == "education.absent_again":
        return [(u, ORGANISER) for u in b.holders_over(e.unit_id, "education", "update")]
    if one:  # one person added to the list, or one reflection's writer
        return [(int(one), INVITEE)]
    if e.type in LIST_WIDE:
        return [(u, INVITEE) for u in b.invitees.get(e.object_id, [])]
    return []


def _of_self(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    return [(e.object_id, "self")]


def _of_subscriber(b: Batch, e: NotificationEvent) -> list[tuple[int, str]]:
    """A scheduled report: only the one who ordered it (the worker issued it as them, within their scope)."""
    return [(int(_params(e)["user_id"]), "report.subscriber")]


AUDIENCES = {
    "approval.requested": _of_approval,
    "approval.approved": _of_approval,
    "approval.returned": _of_approval,
    "case.assigned": _of_case,
    "case.status": _of_case,
    "item.assigned": _of_item,
    "item.submitted": _of_item,
    "item.reopened": _of_item,
    "reminder.soon": _of_reminder,
    "reminder.today": _of_reminder,
    "reminder.overdue": _of_reminder,
    "reminder.escalated": _of_reminder,
    "education.invited": _of_education,
    "education.cancelled": _of_education,
    "education.reflection_returned": _of_education,
    "education.absent_again": _of_education,
    "education.plan_behind": _of_education,
    "report.ready": _of_subscriber,
    "system.test": _of_self,
    "account.second_factor_reset": _of_self,
}


def candidates(batch: Batch) -> Iterable[Candidate]:
    """Everyone an event might reach, never the one who caused it."""
    for e in batch.events:
        assert e.id is not None
        for user_id, rule in AUDIENCES[e.type](batch, e):
            if user_id != e.actor_id or e.type == "system.test":
                yield Candidate(e.id, user_id, rule, e.object_id)
