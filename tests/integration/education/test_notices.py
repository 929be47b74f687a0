"""Education's notifications through the outbox: invitations to those on the list when an event is
published (none for the record of one already held), the cancellation with its reason, a returned
reflection to its writer, and absence again and again to the organisers. On both engines."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from integrity.db.types import utcnow
from integrity.domain.education import reflections, roster
from integrity.domain.education.events import close, take_step
from tests.conftest import DemoApp, new_client
from tests.support.education import acting, now_code, organise, sign
from tests.support.helpers import close as close_client
from tests.support.helpers import sql
from tests.support.notify import Office, make_office, settings_for, worker

ESSAY = "这次学习让我认识到廉洁自律的重要性，今后要严格要求自己，守住底线，远离红线。"


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    roles = {"organiser": "inspector", "other": "inspector", "a": "member", "b": "member", "c": "member"}
    return await make_office(demo_app, roles)


async def told(demo_app: DemoApp, kind: str, event: int) -> dict[int, dict[str, object]]:
    """Who got a notification of this kind about the event: user id -> (href, params)."""
    await worker(demo_app, settings_for(demo_app)).run_once(scan=False)
    rows = await sql(
        demo_app,
        "SELECT n.user_id, n.href, n.params FROM notifications n"
        " JOIN notification_events e ON e.id = n.event_id"
        " WHERE n.type = :t AND e.object_type = 'education' AND e.object_id = :o",
        t=kind,
        o=event,
    )
    return {r[0]: {"href": r[1], **json.loads(r[2])} for r in rows}


async def test_publishing_invites_the_list_and_cancelling_tells_them_why(
    demo_app: DemoApp, office: Office
) -> None:
    later = utcnow() + timedelta(days=3)
    event = await organise(
        demo_app, office, title="廉政党课：守纪律讲规矩", starts_at=later, ends_at=later + timedelta(hours=1)
    )
    ids = {k: office.users[k][1] for k in office.users}
    invited = await told(demo_app, "education.invited", event)
    # Everyone in the office but c (left out) and the organiser (who published it).
    assert set(invited) == {ids["other"], ids["a"], ids["b"]}
    assert invited[ids["a"]]["href"] == f"/education/{event}"
    assert invited[ids["a"]]["title"] == "廉政党课：守纪律讲规矩"
    member = await new_client(demo_app, office.username("a"))
    try:
        bell = await member.get("/notifications")
        assert "您受邀参加：廉政党课：守纪律讲规矩" in bell.text
    finally:
        await close_client(member)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await take_step(session, actor, event, "cancel", reason="与上级会议时间冲突", access=access)
    cancelled = await told(demo_app, "education.cancelled", event)
    assert set(cancelled) == {ids["other"], ids["a"], ids["b"]}
    assert cancelled[ids["b"]]["reason"] == "与上级会议时间冲突"


async def test_the_record_of_an_event_already_held_invites_nobody(demo_app: DemoApp, office: Office) -> None:
    event = await organise(demo_app, office)  # began five minutes ago
    assert await told(demo_app, "education.invited", event) == {}


async def test_a_returned_reflection_is_told_to_its_writer_only(demo_app: DemoApp, office: Office) -> None:
    event = await organise(demo_app, office)
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    async with acting(demo_app, office, "a") as (session, _access, actor):
        written = await reflections.submit(session, actor, event, ESSAY)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await reflections.review(
            session, actor, written.id or 0, accept=False, comment="请结合岗位实际", access=access
        )
    returned = await told(demo_app, "education.reflection_returned", event)
    assert list(returned) == [office.users["a"][1]]
    assert returned[office.users["a"][1]]["reason"] == "请结合岗位实际"


async def test_absent_twice_in_a_row_is_told_to_the_organisers(demo_app: DemoApp, office: Office) -> None:
    a, b = office.users["a"][1], office.users["b"][1]
    start = utcnow() - timedelta(days=20)
    first = await organise(
        demo_app, office, title="第一次", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    second = await organise(demo_app, office, title="第二次")
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.mark(session, actor, first, [b], "present", access=access)
        await close(session, actor, first, access=access)  # a absent once: nobody is told
    assert await told(demo_app, "education.absent_again", first) == {}
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, second, access=access)  # a absent twice, b once
    again = await told(demo_app, "education.absent_again", second)
    # The organisers over the office (its other inspector, the group's), not the one who closed it,
    # and no member.
    assert office.users["other"][1] in again
    assert not set(again) & {office.users["organiser"][1], a, b, office.users["c"][1]}
    assert again[office.users["other"][1]]["title"] == "第二次"
    (changes,) = await sql(
        demo_app,
        "SELECT changes FROM audit_events WHERE action = 'education.close' AND object_id = :e",
        e=str(second),
    )
    organisers = {office.users["organiser"][1], office.users["other"][1]}
    assert set(json.loads(changes[0])["extra"]["absent_again"]) == {a} | organisers  # not b


async def test_reflections_owed_are_reminded_to_their_writers_and_long_overdue_to_the_organisers(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, event, access=access)  # b, never signed in, is absent
    ((due,),) = await sql(demo_app, "SELECT reflection_due_on FROM education_events WHERE id = :e", e=event)
    due = due if isinstance(due, date) else date.fromisoformat(str(due))
    ids = {k: office.users[k][1] for k in office.users}
    w = worker(demo_app, settings_for(demo_app))
    await w.scan(due)
    today = await told(demo_app, "reminder.today", event)
    # Everyone on the list owes one (the organisers missed it: a make-up report), and is told alone.
    assert set(today) == {ids["a"], ids["b"], ids["organiser"], ids["other"]}
    assert today[ids["a"]]["href"] == f"/education/{event}"
    for key in ("a", "organiser", "other"):
        async with acting(demo_app, office, key) as (session, _access, actor):
            await reflections.submit(session, actor, event, ESSAY)
    await w.scan(due + timedelta(days=14))  # past `escalate_after_days` working days
    escalated = await told(demo_app, "reminder.escalated", event)
    # Only b still owes a report; the unit's organisers, theirs handed in, hear of b.
    assert set(escalated) & set(ids.values()) == {ids["b"], ids["organiser"], ids["other"]}
    counted = (
        "SELECT count(*) FROM notification_events WHERE object_type = 'education' AND object_id = :e"
        " AND type LIKE 'reminder.%'"
    )
    before = (await sql(demo_app, counted, e=event))[0][0]
    await w.scan(due + timedelta(days=14))  # rescanning adds nothing
    after = (await sql(demo_app, counted, e=event))[0][0]
    assert before == after == 5  # today for the four, escalated for b: each once
