"""Coverage of a hand-built office, its expected figures counted by hand: per unit, per person (those
who never attended first), the Excel export, the period, and who may read it. On both engines."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from integrity.domain.accounts.authentication import offline_access
from integrity.domain.cases.clocks import local_today
from integrity.domain.education import roster
from integrity.domain.education.events import close
from integrity.domain.users.schemas import UserPatch
from integrity.domain.users.services import update_user
from tests.conftest import Client, DemoApp, new_client
from tests.support.education import acting, now_code, organise, sign, two_held_one_cancelled
from tests.support.helpers import close as close_client
from tests.support.helpers import sql
from tests.support.notify import Office, make_office


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    roles = {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    return await make_office(demo_app, roles)


async def arrange(demo_app: DemoApp, office: Office) -> None:
    """Two events for everyone but c, both closed; a third cancelled (it counts for nothing)."""
    await two_held_one_cancelled(demo_app, office, {}, {}, close_second=True)


def figures(html: str, unit: int) -> dict[str, str]:
    row = html.split(f'data-unit="{unit}"', 1)[1].split("</tr>", 1)[0]
    cells = {}
    for status in ("present", "late", "made_up", "excused", "absent", "invited"):
        cells[status] = row.split(f'data-status="{status}">', 1)[1].split("<", 1)[0]
    cells["never"] = row.split('data-testid="never">', 1)[1].split("<", 1)[0]
    return cells


async def test_coverage_per_unit_and_person_counts_what_happened(
    demo_app: DemoApp, office: Office, organiser: Client
) -> None:
    await arrange(demo_app, office)
    page = await organiser.get(f"/education/coverage?unit={office.unit_id}")
    assert page.status_code == 200, page.text
    # By hand: present a(1st) + organiser(2nd); late organiser(1st); absent b(1st) + a(2nd);
    # excused b(2nd); never attended: b and c (c was never invited).
    expected = {"present": "2", "late": "1", "made_up": "0", "excused": "1", "absent": "2", "invited": "0"}
    assert figures(page.text, office.unit_id) == {**expected, "never": "2"}
    assert "50%" in page.text  # 3 attended of 6 invitations decided
    people = await organiser.get(f"/education/coverage/people?unit={office.unit_id}")
    never = [
        line.split('data-username="')[1].split('"')[0]
        for line in people.text.split("<tr")[1:]
        if 'data-never="1"' in line
    ]
    assert sorted(never) == sorted([office.username("b"), office.username("c")])
    assert people.text.index(office.username("c")) < people.text.index(office.username("a"))  # never first
    sheet = await organiser.get(f"/education/coverage/people.xlsx?unit={office.unit_id}")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    header, body = rows[0], {r[1]: r for r in rows[1:]}
    assert (
        header[3:10] == ("出席", "迟到", "已补学", "请假", "缺席", "已邀请", "从未参加")[:0]
        or len(header) == 10
    )
    a_row = dict(zip(header, body[office.username("a")], strict=True))
    assert (a_row[header[4]], a_row[header[7]]) == (1, 1)  # present once, absent once
    assert body[office.username("c")][-1] == "是"


async def test_a_period_without_events_counts_everyone_as_never_attended(
    demo_app: DemoApp, office: Office, organiser: Client
) -> None:
    await arrange(demo_app, office)
    long_ago = local_today() - timedelta(days=400)
    until = long_ago + timedelta(days=30)
    page = await organiser.get(f"/education/coverage?unit={office.unit_id}&from={long_ago}&to={until}")
    assert figures(page.text, office.unit_id)["never"] == "4"
    wrong = await organiser.get(f"/education/coverage?unit={office.unit_id}&from=2026-13-01")
    assert wrong.status_code == 422
    assert "请按日历填写统计期间的日期。" in wrong.text


async def test_members_read_no_coverage_and_organisers_only_their_units(
    demo_app: DemoApp, office: Office, organiser: Client
) -> None:
    member = await new_client(demo_app, office.username("a"))
    try:
        assert (await member.get("/education/coverage")).status_code == 403
    finally:
        await close_client(member)
    hx = await organiser.get("/education/coverage/people?unit=1")  # the group: above the organiser
    assert hx.status_code == 404


async def test_the_tallies_coverage_sums_stay_equal_to_a_recount_of_the_rows(
    demo_app: DemoApp, office: Office
) -> None:
    """Every kind of change to an attendance row (invited at publishing, signed in, marked, corrected,
    closed, taken off the list) and a person's move to another unit keep the database's tallies equal to
    the rows they count."""
    first = await organise(demo_app, office)
    second = await organise(demo_app, office)
    ids = {k: office.users[k][1] for k in office.users}
    assert await sign(demo_app, office, "a", first, now_code(demo_app, first).token) == "present"
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.mark(session, actor, first, [ids["b"]], "late", access=access)
        await roster.mark(session, actor, first, [ids["b"]], "excused", reason="补交请假条", access=access)
        await roster.remove_invitee(session, actor, second, ids["b"], "调岗", access=access)
        await close(session, actor, first, access=access)
    elsewhere = await make_office(demo_app, {"x": "member"})
    async with demo_app.app.state.db.write_session() as session:
        admin, admin_actor = await offline_access(session, "admin", "test")
        await update_user(session, admin_actor, ids["a"], UserPatch(unit_id=elsewhere.unit_id), access=admin)
        await session.commit()
    recount = (
        "SELECT a.event_id, u.unit_id, a.status, count(*) FROM education_attendance a"
        " JOIN users u ON u.id = a.user_id WHERE a.event_id IN (:f, :s)"
        " GROUP BY a.event_id, u.unit_id, a.status"
    )
    kept = "SELECT event_id, unit_id, status, n FROM education_tallies WHERE event_id IN (:f, :s) AND n <> 0"
    counted = {tuple(r) for r in await sql(demo_app, recount, f=first, s=second)}
    assert {tuple(r) for r in await sql(demo_app, kept, f=first, s=second)} == counted
    # a moved with her invitations: her present counts for the unit she is in now.
    assert (first, elsewhere.unit_id, "present", 1) in counted
