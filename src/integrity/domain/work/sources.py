"""Where a user's work comes from: one query per kind, each starting from the user's own rows.

Every query walks an index in due order and stops after the rows shown (or, for the count, after
COUNT_CAP), testing each row against the same visibility rule as every read. None lists the cases a
user may see first: that list grows with the organisation, a user's work does not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import (
    Appeal,
    AppealPanelMember,
    ApprovalRequest,
    Case,
    CaseAssignment,
    CaseClock,
    Decision,
    DecisionClock,
    EducationTeachingCase,
    RectificationItem,
)
from integrity.db.types import utcnow
from integrity.domain.approvals import services as approvals
from integrity.domain.cases import clocks
from integrity.domain.cases.visibility import case_visible, visible_case_filter
from integrity.domain.decisions import workflow as decisions
from integrity.domain.education import teaching
from integrity.domain.rectification import workflow as rectification
from integrity.domain.rectification.services import item_filter
from integrity.domain.work import education
from integrity.domain.work.rows import WorkRow
from integrity.domain.work.source import (
    PLACE,
    TEAM,
    Found,
    Params,
    Place,
    Query,
    Source,
    me,
    place_name,
    remembered,
)
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import N_
from integrity.lib.i18n import gettext as _
from integrity.lib.labels import label

# A returned case proposal stays on the maker's list this long unless they propose again; returned
# decisions and close-outs stay until resubmitted (their object waits in `returned`).
RETURNED_CASE_PROPOSAL_DAYS = 30


async def with_work(session: AsyncSession, access: AccessScope) -> tuple[list[Source], Params]:
    """The sources this user may have rows in, and the parameters of their statements (the user's team),
    from one statement: the team's case ids, then a negative marker for each source with rows of the
    user's own (before any visibility rule; a source without a probe is always asked)."""
    usable = [s for s in SOURCES if s.applies(access)]
    probed = [s for s in usable if s.mine is not None]

    def build() -> Query:
        parts = [_my_team_cases(access)]
        parts += [select(literal(-n)).where(s.mine(access)) for n, s in enumerate(probed, 1) if s.mine]
        return union_all(*parts)

    probe = remembered(("mine", access.shape()), build)
    found = set((await session.execute(probe)).scalars().all())
    team = sorted(i for i in found if i > 0)
    empty = {s.kind for n, s in enumerate(probed, 1) if -n not in found}
    asked = [s for s in usable if s.kind not in empty and (team or not s.team_only)]
    return asked, {"team": team}


# Approvals to decide -------------------------------------------------------------------------------


# A request's case and, for a close-out, its item: read in the same statement as the request.
RequestCase = aliased(Case)
RequestItem = aliased(RectificationItem)
RequestTeaching = aliased(EducationTeachingCase)
# Where each kind of request is read and decided (by its object type; a clock's on its case's page).
REQUEST_PAGES = {
    "case": "/cases/{object_id}",
    "case_clock": "/cases/{case_id}",
    "rectification": "/rectification/items/{object_id}",
    "decision": "/decisions/{object_id}",
    "teaching_case": "/education/{event_id}#teaching",
}


def _requests() -> Query:
    """Requests with what a row of the list shows: their case's number and title, an item's words."""
    request = ApprovalRequest
    return (
        select(
            col(request.id),
            col(request.kind),
            col(request.object_type),
            col(request.object_id),
            col(request.case_id),
            col(request.due_on),
            col(request.status),
            col(request.comment),
            col(RequestCase.number).label("case_number"),
            col(RequestCase.title).label("case_title"),
            col(RequestItem.requirement),
            col(RequestTeaching.event_id).label("teaching_event"),
            *PLACE,
        )
        .join(Place, col(Place.id) == col(request.unit_id))
        .outerjoin(
            RequestTeaching,
            and_(
                col(request.object_type) == teaching.OBJECT,
                col(RequestTeaching.id) == col(request.object_id),
            ),
        )
        .outerjoin(RequestCase, col(RequestCase.id) == col(request.case_id))
        .outerjoin(
            RequestItem,
            and_(
                col(request.object_type) == rectification.LIFECYCLE.resource,
                col(RequestItem.id) == col(request.object_id),
            ),
        )
    )


def decidable_requests(access: AccessScope) -> Query:
    """Requests to decide; `approvals.most_urgent` reads them in due order."""
    return _requests().where(approvals.decidable(access))


def _request_row(kind: str, what: str, row: Any) -> WorkRow:
    if row.requirement is not None:
        title = _short(row.requirement)
    else:
        title = f"{row.case_number} · {row.case_title}"
    href = REQUEST_PAGES[row.object_type].format(
        object_id=row.object_id, case_id=row.case_id, event_id=row.teaching_event
    )
    reason = row.comment if row.status == approvals.RETURNED else ""
    return WorkRow(kind, what, title, place_name(row), href, row.due_on, reason)


def _requests_shown_as(kind: str, words: str) -> Callable[..., Awaitable[list[WorkRow]]]:
    """How requests read on the list: `words` names what to do with each kind of request."""

    async def present(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
        return [_request_row(kind, _(words) % {"kind": label("approval", row.kind)}, row) for row in found]

    return present


APPROVALS = Source(
    "approval",
    lambda a: a.can_anywhere("approval", "decide"),
    decidable_requests,
    _requests_shown_as("approval", N_("Decide: %(kind)s")),
    approvals.most_urgent,
    counts_inline=False,  # a reviewer's requests are not theirs: walked in due order, counted apart
)


# Proposals of mine that came back ------------------------------------------------------------------


def _returned(access: AccessScope) -> Query:
    later = aliased(ApprovalRequest)
    newer = exists().where(
        col(later.object_type) == col(ApprovalRequest.object_type),
        col(later.object_id) == col(ApprovalRequest.object_id),
        col(later.id) > col(ApprovalRequest.id),
    )
    recent = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=RETURNED_CASE_PROPOSAL_DAYS
    )
    return (
        _requests()
        .where(
            col(ApprovalRequest.requested_by_id) == me(access),
            col(ApprovalRequest.status) == approvals.RETURNED,
            # a returned close-out is on the list as its item (which the rectifier answers for)
            col(ApprovalRequest.kind) != rectification.CLOSEOUT,
            ~newer,
            or_(col(ApprovalRequest.object_type) != "case", col(ApprovalRequest.decided_at) >= recent),
            approvals.request_visible(access),
        )
        .order_by(*approvals.by_due_date())
    )


RETURNED = Source(
    "returned",
    lambda a: True,
    _returned,
    _requests_shown_as("returned", N_("Returned: %(kind)s")),
    mine=lambda a: exists().where(
        col(ApprovalRequest.requested_by_id) == me(a), col(ApprovalRequest.status) == approvals.RETURNED
    ),
)


# Case clocks of the cases I work on ----------------------------------------------------------------


def _my_team_cases(access: AccessScope) -> Query:
    return select(col(CaseAssignment.case_id)).where(
        col(CaseAssignment.user_id) == me(access), col(CaseAssignment.recused_at).is_(None)
    )


def _team_clocks(access: AccessScope) -> Query:
    return (
        select(
            col(CaseClock.rule_code),
            col(CaseClock.due_on),
            col(Case.id).label("case_id"),
            col(Case.number),
            col(Case.title),
            col(Case.status),
            *PLACE,
        )
        .join(Case, col(Case.id) == col(CaseClock.case_id))
        .join(Place, col(Place.id) == col(Case.unit_id))
        .where(
            col(CaseClock.case_id).in_(TEAM),
            clocks.running(),
            visible_case_filter(access),
        )
        .order_by(col(CaseClock.due_on), col(CaseClock.id))
    )


async def _present_clocks(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
    return [
        WorkRow(
            "case_clock",
            label("clock", row.rule_code),
            f"{row.number} · {row.title}",
            f"{place_name(row)} · {label('status', row.status)}",
            f"/cases/{row.case_id}",
            row.due_on,
        )
        for row in found
    ]


CASE_CLOCKS = Source(
    "case_clock", lambda a: a.can_anywhere("case", "read"), _team_clocks, _present_clocks, team_only=True
)


# Rectification items I answer for, or drafted ------------------------------------------------------


def _items(access: AccessScope) -> Query:
    item = RectificationItem
    mine = or_(
        and_(col(item.responsible_user_id) == me(access), col(item.status).in_(rectification.EDITABLE)),
        and_(col(item.created_by_id) == me(access), col(item.status).in_(rectification.OUTSTANDING)),
    )
    return (
        select(
            col(item.id),
            col(item.requirement),
            col(item.responsible_user_id),
            col(item.status),
            col(item.due_on),
            *PLACE,
        )
        .join(Place, col(Place.id) == col(item.unit_id))
        .where(mine, item_filter(access))
        .order_by(col(item.due_on), col(item.id))
    )


async def _return_reasons(session: AsyncSession, item_ids: list[int]) -> dict[int, str]:
    """The reviewer's words on the latest returned close-out of each item."""
    rows = await session.execute(
        select(col(ApprovalRequest.object_id), col(ApprovalRequest.comment))
        .where(
            col(ApprovalRequest.object_type) == rectification.LIFECYCLE.resource,
            col(ApprovalRequest.object_id).in_(item_ids),
            col(ApprovalRequest.status) == approvals.RETURNED,
        )
        .order_by(col(ApprovalRequest.id))
    )
    return dict(rows.all())  # the latest wins


def _item_task(item: Any, user_id: int) -> str:
    if item.responsible_user_id != user_id:
        return _("Follow up: %(status)s") % {"status": label("rectification", item.status)}
    if item.status == rectification.RETURNED:
        return _("Returned: change it and submit it again")
    return _("Rectify and submit for close-out")


async def _present_items(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
    returned = [row.id for row in found if row.status == rectification.RETURNED]
    reasons = await _return_reasons(session, returned) if returned else {}
    return [
        WorkRow(
            "item",
            _item_task(row, me(access)),
            _short(row.requirement),
            place_name(row),
            f"/rectification/items/{row.id}",
            row.due_on,
            reasons.get(row.id, ""),
        )
        for row in found
    ]


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _have_items(access: AccessScope) -> ColumnElement[bool]:
    item = RectificationItem
    return or_(
        exists().where(
            col(item.responsible_user_id) == me(access), col(item.status).in_(rectification.EDITABLE)
        ),
        exists().where(
            col(item.created_by_id) == me(access), col(item.status).in_(rectification.OUTSTANDING)
        ),
    )


ITEMS = Source(
    "item", lambda a: a.can_anywhere("rectification", "read"), _items, _present_items, mine=_have_items
)


# Decisions to announce or to report on --------------------------------------------------------------


def _decision_clocks(access: AccessScope) -> Query:
    """Running announcement and execution-report clocks of decisions I drafted or whose case I work on."""
    return (
        select(
            col(DecisionClock.rule_code),
            col(DecisionClock.due_on),
            col(Decision.id).label("decision_id"),
            col(Case.number),
            col(Case.title),
            *PLACE,
        )
        .join(Decision, col(Decision.id) == col(DecisionClock.decision_id))
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Place, col(Place.id) == col(Decision.unit_id))
        .where(
            or_(
                col(Decision.drafted_by_id) == me(access),
                col(Decision.case_id).in_(TEAM),
            ),
            col(DecisionClock.appeal_id).is_(None),
            col(DecisionClock.met_on).is_(None),
            col(DecisionClock.stopped_on).is_(None),
            col(Decision.status).in_((decisions.APPROVED, decisions.ANNOUNCED)),
            case_visible(access, col(Case.id)),
        )
        .order_by(col(DecisionClock.due_on), col(DecisionClock.id))
    )


async def _present_decisions(
    session: AsyncSession, access: AccessScope, found: Sequence[Any]
) -> list[WorkRow]:
    return [
        WorkRow(
            "decision",
            label("clock", row.rule_code),
            f"{row.number} · {row.title}",
            place_name(row),
            f"/decisions/{row.decision_id}",
            row.due_on,
        )
        for row in found
    ]


def _decision_clock_running(access: AccessScope) -> ColumnElement[bool]:
    """A running clock of a decision I drafted or of my team's case (before visibility)."""
    mine = or_(col(Decision.drafted_by_id) == me(access), col(Decision.case_id).in_(_my_team_cases(access)))
    return exists().where(
        col(Decision.id) == col(DecisionClock.decision_id),
        col(DecisionClock.met_on).is_(None),
        col(DecisionClock.stopped_on).is_(None),
        mine,
    )


DECISIONS = Source(
    "decision",
    lambda a: a.can_anywhere("decision", "read"),
    _decision_clocks,
    _present_decisions,
    mine=_decision_clock_running,
)


# Appeals on whose panel I sit ---------------------------------------------------------------------


def _appeals(access: AccessScope) -> Query:
    review = aliased(DecisionClock)
    return (
        select(Appeal, Decision, Case, Place, col(review.due_on))
        .join(AppealPanelMember, col(AppealPanelMember.appeal_id) == col(Appeal.id))
        .join(Decision, col(Decision.id) == col(Appeal.decision_id))
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Place, col(Place.id) == col(Decision.unit_id))
        .outerjoin(
            review,
            and_(
                col(review.appeal_id) == col(Appeal.id),
                col(review.met_on).is_(None),
                col(review.stopped_on).is_(None),
            ),
        )
        .where(
            col(AppealPanelMember.user_id) == me(access),
            col(Appeal.status).in_(decisions.APPEAL_OPEN),
            case_visible(access, col(Case.id)),
        )
        .order_by(col(review.due_on).is_(None), col(review.due_on), col(Appeal.id))
    )


async def _present_appeals(session: AsyncSession, access: AccessScope, found: Found) -> list[WorkRow]:
    return [
        WorkRow(
            "appeal",
            _("Re-review an appeal"),
            f"{case.number} · {case.title}",
            place_name(unit),
            f"/decisions/{decision.id}",
            due_on,
        )
        for _appeal, decision, case, unit, due_on, *_total in found
    ]


APPEALS = Source(
    "appeal",
    lambda a: a.can_anywhere("decision", "read"),
    _appeals,
    _present_appeals,
    mine=lambda a: exists().where(col(AppealPanelMember.user_id) == me(a)),
)

# Every kind of work, in the order their rows interleave when due on the same day.
SOURCES: tuple[Source, ...] = (
    APPROVALS,
    RETURNED,
    ITEMS,
    CASE_CLOCKS,
    DECISIONS,
    APPEALS,
    education.TO_WRITE,
    education.TO_REVIEW,
    education.LEAVE,
    education.PLANS_BEHIND,
)
