"""Education after publishing: staff marking and corrections, leave requests, invitees added and
taken off, the lifecycle's other steps, and reflections with make-up, each audited, on both engines."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from integrity.db.types import utcnow
from integrity.domain.education import reflections, roster
from integrity.domain.education.events import close, take_step
from integrity.lib.audit.verify import verify_chain
from integrity.lib.errors import Conflict, InvalidInput, NotFound
from tests.conftest import DemoApp
from tests.support.education import acting, now_code, organise, sign
from tests.support.helpers import audit_events, sql
from tests.support.notify import Office, make_office


def extra(event: Any) -> dict[str, Any]:
    """An audit event's extra facts (its `changes` column is JSON text)."""
    return dict(json.loads(event[5])["extra"])


ESSAY = "这次警示教育让我深受触动，今后要严格遵守廉洁纪律，守住底线，不碰红线。"


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    return await make_office(
        demo_app,
        {"organiser": "inspector", "other": "inspector", "a": "member", "b": "member", "c": "member"},
    )


async def statuses(demo_app: DemoApp, event: int) -> dict[int, tuple[str, str]]:
    rows = await sql(
        demo_app, "SELECT user_id, status, leave_state FROM education_attendance WHERE event_id = :e", e=event
    )
    return {r[0]: (r[1], r[2]) for r in rows}


async def test_staff_mark_in_bulk_and_correct_a_recorded_status_only_with_a_reason(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    a, b = office.users["a"][1], office.users["b"][1]
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        assert await roster.mark(session, actor, event, [a, b], "present", access=access) == 2
    with pytest.raises(InvalidInput):  # a correction of evidence says why
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await roster.mark(session, actor, event, [a], "absent", access=access)
    for wrong in ("made_up", "invited"):  # made up only follows an accepted make-up report
        with pytest.raises(InvalidInput):
            async with acting(demo_app, office, "organiser") as (session, access, actor):
                await roster.mark(session, actor, event, [a], wrong, reason="x", access=access)
    with pytest.raises(InvalidInput):  # c is not on the list
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await roster.mark(session, actor, event, [office.users["c"][1]], "present", access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.mark(session, actor, event, [a], "late", reason="到场时已开始", access=access)
    marked = await statuses(demo_app, event)
    assert marked[a][0] == "late"
    assert marked[b][0] == "present"
    (note,) = await sql(
        demo_app,
        "SELECT note, method FROM education_attendance WHERE user_id = :u AND event_id = :e",
        u=a,
        e=event,
    )
    assert note == ("到场时已开始", "staff")
    marks = await audit_events(demo_app, action="education.mark", object_id=str(event))
    assert [extra(m)["corrected"] for m in marks] == [[], [a]]
    # A member may not mark anyone (their scope has no update on the office's events: 404, not 403).
    with pytest.raises(NotFound):
        async with acting(demo_app, office, "b") as (session, access, actor):
            await roster.mark(session, actor, event, [b], "present", access=access)


async def test_leave_is_asked_before_the_start_and_excuses_only_when_another_organiser_approves(
    demo_app: DemoApp, office: Office
) -> None:
    later = utcnow() + timedelta(days=2)
    event = await organise(demo_app, office, starts_at=later, ends_at=later + timedelta(hours=2))
    a, b, organiser = (office.users[k][1] for k in ("a", "b", "organiser"))
    with pytest.raises(InvalidInput):
        async with acting(demo_app, office, "a") as (session, _access, actor):
            await roster.request_leave(session, actor, event, "  ")
    for key in ("a", "b", "organiser"):
        async with acting(demo_app, office, key) as (session, _access, actor):
            await roster.request_leave(session, actor, event, "出差")
    with pytest.raises(Conflict):  # once is enough
        async with acting(demo_app, office, "a") as (session, _access, actor):
            await roster.request_leave(session, actor, event, "出差")
    with pytest.raises(Conflict):  # not one's own
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await roster.decide_leave(session, actor, event, organiser, "approved", access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.decide_leave(session, actor, event, a, "approved", access=access)
        await roster.decide_leave(session, actor, event, b, "declined", access=access)
    async with acting(demo_app, office, "other") as (session, access, actor):
        await roster.decide_leave(session, actor, event, organiser, "approved", access=access)
    marked = await statuses(demo_app, event)
    assert marked[a] == ("excused", "approved")
    assert marked[b] == ("invited", "declined")
    assert marked[organiser] == ("excused", "approved")
    asked = await audit_events(demo_app, action="education.leave_request", object_id=str(event))
    decided = await audit_events(demo_app, action="education.leave_decide", object_id=str(event))
    assert len(asked) == 3
    assert sorted(extra(d)["decision"] for d in decided) == [
        "approved",
        "approved",
        "declined",
    ]
    # After the start, leave is no longer asked.
    started = await organise(demo_app, office)
    with pytest.raises(Conflict):
        async with acting(demo_app, office, "b") as (session, _access, actor):
            await roster.request_leave(session, actor, started, "迟到了")


async def test_after_publishing_the_list_changes_one_audited_person_at_a_time(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    a, c = office.users["a"][1], office.users["c"][1]
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.add_invitee(session, actor, event, c, access=access)
    with pytest.raises(Conflict):
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await roster.add_invitee(session, actor, event, c, access=access)
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    with pytest.raises(Conflict):  # a has attended: the evidence stays
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await roster.remove_invitee(session, actor, event, a, "调岗", access=access)
    with pytest.raises(InvalidInput):
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await roster.remove_invitee(session, actor, event, c, "", access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.remove_invitee(session, actor, event, c, "调岗", access=access)
    assert c not in await statuses(demo_app, event)
    assert len(await audit_events(demo_app, action="education.invite", object_id=str(event))) == 1
    (removed,) = await audit_events(demo_app, action="education.uninvite", object_id=str(event))
    assert extra(removed) == {"user_id": c, "reason": "调岗"}


async def test_the_lifecycle_steps_start_cancel_with_a_reason_and_archive_only_after_closing(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    with pytest.raises(InvalidInput):  # publish and close do more than move the status
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await take_step(session, actor, event, "close", access=access)
    with pytest.raises(Conflict):
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await take_step(session, actor, event, "archive", access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await take_step(session, actor, event, "start", access=access)
    with pytest.raises(Conflict):  # an event under way is closed, not cancelled
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await take_step(session, actor, event, "cancel", reason="x", access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, event, access=access)
        await take_step(session, actor, event, "archive", access=access)
    other = await organise(demo_app, office, title="另一场")
    with pytest.raises(InvalidInput):
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await take_step(session, actor, other, "cancel", access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await take_step(session, actor, other, "cancel", reason="会场调整", access=access)
    rows = await sql(
        demo_app,
        "SELECT id, status, cancel_reason FROM education_events WHERE id IN (:a, :b) ORDER BY id",
        a=event,
        b=other,
    )
    assert [tuple(r) for r in rows] == [(event, "archived", ""), (other, "cancelled", "会场调整")]


async def test_reflections_are_reviewed_with_history_and_an_accepted_make_up_report_makes_up(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    a, b = office.users["a"][1], office.users["b"][1]
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    with pytest.raises(Conflict):  # b neither signed in nor missed it yet
        async with acting(demo_app, office, "b") as (session, _access, actor):
            await reflections.submit(session, actor, event, ESSAY)
    with pytest.raises(InvalidInput):
        async with acting(demo_app, office, "a") as (session, _access, actor):
            await reflections.submit(session, actor, event, "太短")
    async with acting(demo_app, office, "a") as (session, _access, actor):
        first = (await reflections.submit(session, actor, event, ESSAY)).id
    assert first is not None
    with pytest.raises(Conflict):  # one at a time with the organiser
        async with acting(demo_app, office, "a") as (session, _access, actor):
            await reflections.submit(session, actor, event, ESSAY + "补充")
    with pytest.raises(InvalidInput):  # a return says what to revise
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await reflections.review(session, actor, first, accept=False, access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await reflections.review(
            session, actor, first, accept=False, comment="请结合本岗位谈体会", access=access
        )
    async with acting(demo_app, office, "a") as (session, _access, actor):
        second = (await reflections.submit(session, actor, event, ESSAY + "结合本岗位，我将……")).id
    assert second is not None
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await reflections.review(session, actor, second, accept=True, excellent=True, access=access)
    with pytest.raises(Conflict):
        async with acting(demo_app, office, "organiser") as (session, access, actor):
            await reflections.review(session, actor, second, accept=True, access=access)
    rounds = await sql(
        demo_app,
        "SELECT round, status, excellent FROM education_reflections"
        " WHERE event_id = :e AND user_id = :u ORDER BY round",
        e=event,
        u=a,
    )
    assert [tuple(r) for r in rounds] == [(1, "returned", False), (2, "accepted", True)]

    # b missed it: after closing b is absent, writes a make-up report, and is made up once accepted.
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, event, access=access)
    assert (await statuses(demo_app, event))[b][0] == "absent"
    async with acting(demo_app, office, "b") as (session, _access, actor):
        report = await reflections.submit(session, actor, event, ESSAY)
    assert report.make_up
    assert report.id is not None
    with pytest.raises(NotFound):  # a member reviews nothing: the event is outside their scope
        async with acting(demo_app, office, "b") as (session, access, actor):
            await reflections.review(session, actor, report.id, accept=True, access=access)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await reflections.review(session, actor, report.id, accept=True, access=access)
    assert (await statuses(demo_app, event))[b][0] == "made_up"
    accepted = await audit_events(demo_app, action="education.reflection_accepted", object_id=str(event))
    assert [extra(e)["made_up"] for e in accepted] == [False, True]
    assert (
        len(await audit_events(demo_app, action="education.reflection_returned", object_id=str(event))) == 1
    )
    async with demo_app.app.state.db.read_session() as session:
        assert (await verify_chain(session)).ok
