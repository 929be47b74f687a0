"""Education events, first part: a roster fixed at publishing from the audience rules, and signing in
with the projector's rotating code, once per member, on both engines."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from integrity.db.types import utcnow
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.education import codes
from integrity.domain.education.events import (
    close,
)
from integrity.lib.errors import Conflict, Forbidden
from tests.conftest import DemoApp
from tests.support.education import now_code, organise, sign
from tests.support.helpers import audit_events, sql
from tests.support.notify import Office, make_office


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    return await make_office(
        demo_app, {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    )


async def test_the_roster_is_fixed_from_the_audience_rules_at_publishing(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    rows = await sql(
        demo_app, "SELECT user_id, status FROM education_attendance WHERE event_id = :e", e=event
    )
    expected = {office.users[k][1] for k in ("organiser", "a", "b")}
    assert {r[0] for r in rows} == expected  # c excluded
    assert {r[1] for r in rows} == {"invited"}
    (status,) = await sql(demo_app, "SELECT status FROM education_events WHERE id = :e", e=event)
    assert status[0] == "published"
    assert await audit_events(demo_app, action="education.publish", object_id=str(event))


async def test_a_member_signs_in_once_with_the_current_code_and_never_with_a_stale_or_foreign_one(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    other = await organise(demo_app, office, title="另一场")
    stale = now_code(demo_app, event, ago=25)  # two windows ago: past any grace
    foreign = now_code(demo_app, other)
    for code in (stale.token, foreign.token, foreign.digits, "1.deadbeefdeadbeefdeadbeef", "000000"):
        with pytest.raises(Forbidden):
            await sign(demo_app, office, "a", event, code)
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "already"
    assert await sign(demo_app, office, "b", event, now_code(demo_app, event).digits) == "present"
    rows = await sql(
        demo_app, "SELECT user_id, status, method FROM education_attendance WHERE event_id = :e", e=event
    )
    marked = {r[0]: r[1] for r in rows}
    assert marked[office.users["a"][1]] == "present"
    assert marked[office.users["organiser"][1]] == "invited"
    signed = await audit_events(demo_app, action="education.sign_in", object_id=str(event))
    assert len(signed) == 2


async def test_the_same_member_signing_in_twice_at_once_is_recorded_once(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(demo_app, office)
    code = now_code(demo_app, event).token
    outcomes = await asyncio.gather(*(sign(demo_app, office, "a", event, code) for _ in range(4)))
    assert sorted(outcomes) == ["already", "already", "already", "present"]
    assert len(await audit_events(demo_app, action="education.sign_in", object_id=str(event))) == 1


async def test_someone_not_on_the_list_is_refused_unless_walk_ins_are_allowed(
    demo_app: DemoApp, office: Office
) -> None:
    closed_door = await organise(demo_app, office)
    with pytest.raises(Forbidden):
        await sign(demo_app, office, "c", closed_door, now_code(demo_app, closed_door).token)
    open_door = await organise(demo_app, office, walk_ins=True)
    assert await sign(demo_app, office, "c", open_door, now_code(demo_app, open_door).token) == "walk_in"
    (row,) = await sql(
        demo_app,
        "SELECT status, walk_in FROM education_attendance WHERE event_id = :e AND user_id = :u",
        e=open_door,
        u=office.users["c"][1],
    )
    assert row[0] == "present"
    assert row[1]


async def test_late_arrivals_are_late_closing_marks_the_rest_absent_and_a_closed_event_takes_no_sign_in(
    demo_app: DemoApp, office: Office
) -> None:
    event = await organise(
        demo_app, office, starts_at=utcnow() - timedelta(minutes=25), late_after_minutes=10
    )
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "late"
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, office.username("organiser"), "test")
        assert await close(session, actor, event, access=access) == 2  # the organiser and b
        await session.commit()
    with pytest.raises(Conflict):
        await sign(demo_app, office, "b", event, now_code(demo_app, event).token)
    rows = await sql(demo_app, "SELECT status FROM education_attendance WHERE event_id = :e", e=event)
    assert sorted(r[0] for r in rows) == ["absent", "absent", "late"]


def test_a_code_is_bound_to_its_event_and_window() -> None:
    from integrity.config import Settings
    from tests import TEST_SECRET

    settings = Settings(env="test", secret_key=TEST_SECRET)
    now = 1_800_000_005.0  # 5 s into a 10 s window
    shown = codes.current(settings, 7, 10, now)
    assert codes.valid(settings, 7, 10, shown.token, now)
    assert codes.valid(settings, 7, 10, shown.digits, now)
    assert codes.valid(settings, 7, 10, shown.token, now + 5 + 2)  # just changed: within the grace
    assert not codes.valid(settings, 7, 10, shown.token, now + 5 + 4)  # past the grace
    assert not codes.valid(settings, 8, 10, shown.token, now)
    other_key = Settings(env="test", secret_key=TEST_SECRET + "x")
    assert not codes.valid(other_key, 7, 10, shown.token, now)


async def test_the_scan_address_leaves_a_pass_for_its_event_only_and_a_stale_one_none(
    demo_app: DemoApp, office: Office
) -> None:
    from tests.conftest import new_client
    from tests.support.helpers import close

    event = await organise(demo_app, office)
    other = await organise(demo_app, office, title="另一场")
    member = await new_client(demo_app, office.username("a"))
    stale = await member.get(
        f"/education/scan/{event}", params={"c": now_code(demo_app, event, ago=25).token}
    )
    assert stale.status_code == 403
    assert "integrity_scan" not in stale.headers.get("set-cookie", "")
    scanned = await member.get(f"/education/scan/{event}", params={"c": now_code(demo_app, event).token})
    assert scanned.status_code == 302
    assert scanned.headers["location"] == f"/education/{event}/sign-in"
    # The pass is for that event: at another, the six digits are still asked for, and wrong ones refused.
    wrong = await member.post(
        f"/education/{other}/sign-in", data={"csrf_token": member.csrf, "code": "000000"}
    )
    assert wrong.status_code == 403
    page = await member.post(f"/education/{event}/sign-in", data={"csrf_token": member.csrf})
    assert page.status_code == 200
    assert "已签到" in page.text
    (row,) = await sql(
        demo_app,
        "SELECT status, method FROM education_attendance WHERE event_id = :e AND user_id = :u",
        e=event,
        u=office.users["a"][1],
    )
    assert tuple(row) == ("present", "qr")
    await close(member)
