"""Yearly plans: quotas of events held and of events each member attends, their progress counted by hand
on a hand-built office, shown on the unit's page; only organisers change them, each change audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from integrity.db.types import utcnow
from integrity.domain.cases.clocks import local_today
from integrity.domain.education import plans, roster
from integrity.domain.education.events import close
from tests.conftest import Client, DemoApp, new_client
from tests.support.education import acting, organise
from tests.support.helpers import audit_events, sql
from tests.support.helpers import close as close_client
from tests.support.notify import Office, make_office, settings_for, worker


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    return await make_office(
        demo_app, {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    )


def quota_lines(html: str) -> list[tuple[str, str]]:
    """(met, the progress words) of each quota on a page."""
    found = []
    for part in html.split('data-testid="quota" data-met="')[1:]:
        met = part.split('"', 1)[0]
        words = part.split("<strong>", 1)[1].split("</strong>", 1)[0].strip()
        found.append((met, words))
    return found


async def test_quotas_count_events_held_and_members_who_attended_enough(
    demo_app: DemoApp, office: Office, organiser: Client
) -> None:
    year = local_today().year
    base = f"/education/plans/{office.unit_id}/{year}/quotas"
    for fields in (
        {"kind": "events", "type_code": "warning_education", "minimum": "2"},
        {"kind": "events", "type_code": "", "minimum": "1", "label": "党委书记讲廉政党课"},
        {"kind": "attendance", "minimum": "2"},
    ):
        added = await organiser.post(
            base, data={"csrf_token": organiser.csrf, **fields}, follow_redirects=False
        )
        assert added.status_code == 303, added.text
    wrong = await organiser.post(base, data={"csrf_token": organiser.csrf, "kind": "events", "minimum": "0"})
    assert wrong.status_code == 422
    assert "指标应为 1 至 100 之间的数字。" in wrong.text
    # Two warning-education events held; a and the organiser attend both, b one, c none.
    a, b, org = (office.users[k][1] for k in ("a", "b", "organiser"))
    earlier = utcnow() - timedelta(hours=4)
    first = await organise(demo_app, office, starts_at=earlier, ends_at=earlier + timedelta(hours=1))
    second = await organise(demo_app, office)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.mark(session, actor, first, [a, b, org], "present", access=access)
        await roster.mark(session, actor, second, [a, org], "late", access=access)
        await close(session, actor, first, access=access)
    page = await organiser.get(f"/education/plans?unit={office.unit_id}&year={year}")
    # By hand: 1 warning-education event held so far (the second is not closed): behind; any type: 1 of 1;
    # members with two attended: a and the organiser (the second is under way but attended), of 4.
    assert quota_lines(page.text) == [
        ("no", "已开展 1 / 2 场"),
        ("yes", "已开展 1 / 1 场"),
        ("no", "已达标 2 / 4 人"),
    ]
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, second, access=access)
    unit_page = await organiser.get(f"/org/{office.unit_id}")
    assert 'data-testid="unit-plan"' in unit_page.text
    assert quota_lines(unit_page.text)[0] == ("yes", "已开展 2 / 2 场")
    assert (
        len(await audit_events(demo_app, action="education.plan_quota", object_id=str(office.unit_id))) == 3
    )


async def test_members_neither_see_nor_change_a_plan(demo_app: DemoApp, office: Office) -> None:
    member = await new_client(demo_app, office.username("a"))
    try:
        year = local_today().year
        assert (await member.get(f"/education/plans?unit={office.unit_id}")).status_code == 403
        posted = await member.post(
            f"/education/plans/{office.unit_id}/{year}/quotas",
            data={"csrf_token": member.csrf, "kind": "events", "minimum": "1"},
        )
        assert posted.status_code == 403
        assert 'data-testid="unit-plan"' not in (await member.get(f"/org/{office.unit_id}")).text
    finally:
        await close_client(member)


async def test_a_plan_behind_by_the_check_day_is_reported_once_and_waits_on_the_organisers_list(
    demo_app: DemoApp, office: Office, organiser: Client
) -> None:
    year = local_today().year
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await plans.add_quota(session, actor, office.unit_id, year, "events", 3, access=access)
    check = plans.check_day(demo_app.settings.education_plan_check_on, year)
    mine = "SELECT count(*) FROM notification_events WHERE type = 'education.plan_behind' AND object_id = :u"
    async with demo_app.app.state.db.write_session() as session:
        if check > date(year, 1, 1):
            await plans.report_behind(session, check - timedelta(days=1), demo_app.settings)
        await session.commit()
    assert (await sql(demo_app, mine, u=office.unit_id))[0][0] == 0  # not before the check day
    assert 'data-kind="plan"' not in (await organiser.get("/")).text
    for _ in range(2):  # reported once, however often the scan runs
        async with demo_app.app.state.db.write_session() as session:
            await plans.report_behind(session, check, demo_app.settings)
            await session.commit()
    assert (await sql(demo_app, mine, u=office.unit_id))[0][0] == 1
    await worker(demo_app, settings_for(demo_app)).run_once(scan=False)
    told = await sql(
        demo_app,
        "SELECT n.user_id, n.href FROM notifications n JOIN notification_events e ON e.id = n.event_id"
        " WHERE e.type = 'education.plan_behind' AND e.object_id = :u",
        u=office.unit_id,
    )
    users = {u: href for u, href in told}
    assert users.get(office.users["organiser"][1]) == f"/org/{office.unit_id}"
    assert not {office.users[k][1] for k in ("a", "b", "c")} & set(users)  # members are not organisers
    todo = (await organiser.get("/")).text
    assert "计划进度落后：已完成 0 项，共 1 项" in todo
    assert f'href="/org/{office.unit_id}#plan-h"' in todo
