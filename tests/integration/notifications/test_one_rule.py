"""The read rule has two forms: per user (every list) and for many users at once (the notifications'
screen). For every user and every case, item, decision and request of the demo, and of cases a user is
the subject of, related to, recused from or kept out of as confidential, both forms give the same answer."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlmodel import col

from integrity.db.models import (
    ApprovalRequest,
    Case,
    Decision,
    EducationAttendance,
    EducationEvent,
    RectificationItem,
    Unit,
    User,
)
from integrity.domain.approvals.services import request_visible
from integrity.domain.cases.visibility import visible_case_filter
from integrity.domain.decisions.services import decision_filter
from integrity.domain.notifications.screen import SET_RULES, Candidate, _accesses, _screen_sets
from integrity.domain.rectification.services import item_filter
from integrity.lib.authz import AccessScope
from tests.conftest import DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import close


def on_the_list(access: AccessScope) -> ColumnElement[bool]:
    mine = select(col(EducationAttendance.event_id)).where(
        col(EducationAttendance.user_id) == access.principal.user_id
    )
    return col(EducationEvent.id).in_(mine)


def organises(access: AccessScope) -> ColumnElement[bool]:
    return exists().where(
        col(Unit.id) == col(EducationEvent.unit_id), access.unit_filter("education", "update", col(Unit.path))
    )


# Each set rule's object, and the filter the readers' own lists (or pages) apply to it.
LISTS = {
    "case": (Case, visible_case_filter),
    "rectification": (RectificationItem, item_filter),
    "decision": (Decision, decision_filter),
    "approval": (ApprovalRequest, request_visible),
    "education_invitee": (EducationEvent, on_the_list),
    "education_organiser": (EducationEvent, organises),
    "education_unit": (Unit, lambda access: access.unit_filter("education", "update", col(Unit.path))),
}


async def test_the_set_form_of_each_read_rule_answers_as_the_per_user_form(demo_app: DemoApp) -> None:
    # A confidential case and one about li.na's declared relative (HXP0601), beside the demo's own.
    inspector = await new_client(demo_app, "chen.jing")
    try:
        await register(inspector, demo_app, unit="HXN", confidential=True, title="保密案件")
        await register(inspector, demo_app, unit="HXN", subjects=("HXP0601",), title="亲属案件")
    finally:
        await close(inspector)
    authorizer = demo_app.app.state.authorizer
    async with demo_app.app.state.db.read_session() as session:
        version = (await session.execute(select(authorizer.version_column()))).scalar()
        await authorizer.sync(session, version)
        users = [
            u for (u,) in await session.execute(select(col(User.id)).where(col(User.is_active).is_(True)))
        ]
        accesses = await _accesses(session, authorizer, set(users))
        compared, shown = 0, 0
        for rule in SET_RULES:
            model, condition = LISTS[rule]
            ids = [
                i
                for (i,) in await session.execute(
                    select(col(model.id)).order_by(col(model.id).desc()).limit(150)
                )
            ]
            candidates = [Candidate(0, u, rule, i) for u in users for i in ids]
            passed = await _screen_sets(session, authorizer, candidates)
            id_column = col(model.id)
            for user_id in users:
                per_user = {
                    int(i)
                    for (i,) in await session.execute(
                        select(id_column).where(id_column.in_(ids), condition(accesses[user_id]))
                    )
                }
                as_set = {k for (u, r, k) in passed if u == user_id and r == rule}
                assert as_set == per_user, (rule, user_id, sorted(as_set ^ per_user)[:10])
                compared += len(ids)
                shown += len(per_user)
    assert 0 < shown < compared  # both answers occur: some pairs seen, some hidden
