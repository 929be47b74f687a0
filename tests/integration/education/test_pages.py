"""The education pages as organisers and members use them: a new event drafted, its audience, publishing,
the member's list and event page, bulk marking with corrections, leave and reflections; and what a
person not on the list or without the office's scope gets (404, 403)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrity.db.types import utcnow
from tests.conftest import Client, DemoApp, new_client
from tests.support.education import now_code, organise, sign
from tests.support.helpers import audit_events, close, sql
from tests.support.notify import Office, make_office
from tests.support.trails import page_texts

ESSAY = "通过这次廉政党课，我认识到纪律规矩是干事创业的底线，今后要从小事做起。"


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    return await make_office(
        demo_app, {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    )


@pytest.fixture
async def people(demo_app: DemoApp, office: Office) -> AsyncIterator[dict[str, Client]]:
    clients = {k: await new_client(demo_app, office.username(k)) for k in ("organiser", "a", "c")}
    yield clients
    for c in clients.values():
        await close(c)


def form(c: Client, **fields: str) -> dict[str, str]:
    return {"csrf_token": c.csrf, **fields}


async def test_an_organiser_drafts_publishes_and_the_member_finds_the_invitation(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser, a, c = people["organiser"], people["a"], people["c"]
    new = await organiser.get("/education/new")
    assert new.status_code == 200
    assert f'value="{office.unit_id}" selected' in new.text
    day = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    wrong = await organiser.post(
        "/education/new",
        data=form(
            organiser,
            unit_id=str(office.unit_id),
            type_code="party_lesson",
            title="廉政党课",
            day=day,
            start="15:00",
            end="14:00",
        ),
    )
    assert wrong.status_code == 422
    assert "活动的结束时间须晚于开始时间。" in wrong.text
    assert 'value="廉政党课"' in wrong.text  # what was typed stays
    made = await organiser.post(
        "/education/new",
        data=form(
            organiser,
            unit_id=str(office.unit_id),
            type_code="party_lesson",
            title="廉政党课",
            day=day,
            start="14:30",
            end="16:00",
            place="三楼会议室",
            audience="unit",
        ),
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    found = re.match(r"/education/(\d+)\?done=event_drafted", made.headers["location"])
    assert found
    event = int(found.group(1))
    (starts,) = await sql(demo_app, "SELECT starts_at FROM education_events WHERE id = :e", e=event)
    assert str(starts[0]).replace("T", " ").startswith(f"{day} 06:30")  # 14:30 in Shanghai is 06:30 UTC
    page = await organiser.get(f"/education/{event}")
    assert 'data-testid="audience-rule"' in page.text
    assert "本单位全体人员" in page.text
    # Leave one member out by username, then publish.
    excluded = await organiser.post(
        f"/education/{event}/audience",
        data=form(organiser, kind="exclude", username=office.username("c")),
        follow_redirects=False,
    )
    assert excluded.status_code == 303
    published = await organiser.post(
        f"/education/{event}/steps/publish", data=form(organiser), follow_redirects=False
    )
    assert published.status_code == 303
    page = await organiser.get(f"/education/{event}")
    assert page.text.count('data-testid="roster-row"') == 3  # organiser, a, b
    assert 'data-testid="step-publish"' not in page.text
    # The member's list shows it coming up; the page shows it; c, left out, gets 404 and no row.
    mine = await a.get("/education")
    assert f'data-event="{event}"' in mine.text
    assert 'data-testid="upcoming"' in mine.text
    assert (await a.get(f"/education/{event}")).status_code == 200
    assert f'data-event="{event}"' not in (await c.get("/education")).text
    assert (await c.get(f"/education/{event}")).status_code == 404
    assert (await a.get("/education/manage")).status_code == 403  # members read their own rows only
    # The member asks for leave; the organiser approves it on the list.
    asked = await a.post(f"/education/{event}/leave", data=form(a, reason="外出培训"), follow_redirects=False)
    assert asked.status_code == 303
    page = await organiser.get(f"/education/{event}")
    assert 'data-testid="leave-approved"' in page.text
    user_a = office.users["a"][1]
    approved = await organiser.post(
        f"/education/{event}/invitees/{user_a}/leave",
        data=form(organiser, decision="approved"),
        follow_redirects=False,
    )
    assert approved.status_code == 303
    (status,) = await sql(
        demo_app,
        "SELECT status FROM education_attendance WHERE event_id = :e AND user_id = :u",
        e=event,
        u=user_a,
    )
    assert status[0] == "excused"


async def test_marking_in_bulk_and_a_correction_without_a_reason_is_refused_in_words(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser = people["organiser"]
    event = await organise(demo_app, office)
    a, b = office.users["a"][1], office.users["b"][1]
    marked = await organiser.post(
        f"/education/{event}/marks",
        data={"csrf_token": organiser.csrf, "status": "present", "user": [str(a), str(b)]},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert marked.headers["location"].endswith("#roster")
    refused = await organiser.post(
        f"/education/{event}/marks", data={"csrf_token": organiser.csrf, "status": "absent", "user": [str(a)]}
    )
    assert refused.status_code == 422
    assert "更正已登记的出勤状态时，请说明原因。" in refused.text
    assert 'role="alert"' in refused.text
    rows = await sql(
        demo_app, "SELECT user_id, status FROM education_attendance WHERE event_id = :e", e=event
    )
    assert {r[0]: r[1] for r in rows}[a] == "present"  # nothing lost, nothing changed
    assert len(await audit_events(demo_app, action="education.mark", object_id=str(event))) == 1


async def test_a_member_writes_a_reflection_and_the_organiser_returns_then_accepts_it(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser, a = people["organiser"], people["a"]
    event = await organise(demo_app, office)
    page = await a.get(f"/education/{event}")
    assert 'data-testid="sign-in-link"' in page.text
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    mine = await a.get("/education")
    assert 'data-testid="to-reflect"' in mine.text
    short = await a.post(f"/education/{event}/reflection", data=form(a, body="太短了"))
    assert short.status_code == 422
    assert "太短了" in short.text  # kept
    sent = await a.post(f"/education/{event}/reflection", data=form(a, body=ESSAY), follow_redirects=False)
    assert sent.status_code == 303
    page = await organiser.get(f"/education/{event}")
    assert 'data-testid="reflection-to-review"' in page.text
    (rid,) = await sql(demo_app, "SELECT id FROM education_reflections WHERE event_id = :e", e=event)
    returned = await organiser.post(
        f"/education/{event}/reflections/{rid[0]}",
        data=form(organiser, verdict="return", comment="请联系实际"),
        follow_redirects=False,
    )
    assert returned.status_code == 303
    page = await a.get(f"/education/{event}")
    assert "请联系实际" in page.text
    assert 'data-testid="reflection-form"' in page.text
    again = await a.post(
        f"/education/{event}/reflection", data=form(a, body=ESSAY + "结合岗位实际。"), follow_redirects=False
    )
    assert again.status_code == 303
    (rid2,) = await sql(
        demo_app, "SELECT id FROM education_reflections WHERE event_id = :e AND round = 2", e=event
    )
    accepted = await organiser.post(
        f"/education/{event}/reflections/{rid2[0]}",
        data=form(organiser, verdict="accept", excellent="on"),
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = await a.get(f"/education/{event}")
    assert page.text.count('data-testid="reflection-round"') == 2
    assert 'data-testid="reflection-form"' not in page.text
    assert 'data-testid="to-reflect"' not in (await a.get("/education")).text


async def test_the_to_do_list_brings_reflections_make_up_reviews_and_leave_requests(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser, a, c = people["organiser"], people["a"], people["c"]
    later = utcnow() + timedelta(days=2)
    upcoming = await organise(demo_app, office, starts_at=later, ends_at=later + timedelta(hours=1))
    asked = await a.post(f"/education/{upcoming}/leave", data=form(a, reason="出差"), follow_redirects=False)
    assert asked.status_code == 303
    todo = await organiser.get("/")
    assert f'href="/education/{upcoming}#roster"' in todo.text
    assert "待批准的请假：1 条" in todo.text

    event = await organise(demo_app, office)
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    assert 'data-kind="reflection"' not in (await a.get("/")).text  # not before the event closes
    closed = await organiser.post(
        f"/education/{event}/steps/close", data=form(organiser), follow_redirects=False
    )
    assert closed.status_code == 303
    mine = await a.get("/")
    assert f'href="/education/{event}#reflection"' in mine.text
    assert 'data-kind="reflection"' in mine.text
    # b missed it (absent on closing): a make-up row; c was left out: nothing.
    b = await new_client(demo_app, office.username("b"))
    try:
        assert "补学：学习材料并提交补学心得" in (await b.get("/")).text
    finally:
        await close(b)
    assert f"/education/{event}#" not in (await c.get("/")).text
    sent = await a.post(f"/education/{event}/reflection", data=form(a, body=ESSAY), follow_redirects=False)
    assert sent.status_code == 303
    assert f'href="/education/{event}#reflection"' not in (await a.get("/")).text
    todo = await organiser.get("/")
    assert f'href="/education/{event}#reflections"' in todo.text
    assert "待审阅的心得体会：1 篇" in todo.text


async def test_the_sign_in_sheet_lists_the_fixed_roster_by_unit_with_a_blank_signature_column(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser, a = people["organiser"], people["a"]
    event = await organise(demo_app, office, title="廉政党课：以案为鉴", place="三楼会议室")
    sheet = await organiser.get(f"/education/{event}/sign-in-sheet.pdf")
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"] == "application/pdf"
    assert sheet.content.startswith(b"%PDF")
    text = "\n".join(page_texts(sheet.content))
    assert "签到表" in text
    assert "廉政党课：以案为鉴" in text
    assert "三楼会议室" in text
    assert "应到：3 人" in text
    for key in ("organiser", "a", "b"):  # display names are the usernames in these offices
        assert office.username(key) in text
    assert office.username("c") not in text  # left out of the list
    (printed,) = await audit_events(demo_app, action="education.roster_print", object_id=str(event))
    assert json.loads(printed[5])["extra"]["people"] == 3
    assert (await a.get(f"/education/{event}/sign-in-sheet.pdf")).status_code == 403  # members print nothing


async def test_a_weekly_series_is_drafted_at_once_each_event_for_the_same_audience(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser = people["organiser"]
    first = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Shanghai")).date()
    fields = {"unit_id": str(office.unit_id), "type_code": "topic_study", "title": "每周专题学习"}
    fields |= {"day": first.isoformat(), "start": "16:00", "end": "17:00", "audience": "unit_tree"}
    made = await organiser.post(
        "/education/new",
        data=form(organiser, **fields, repeat="weekly", until=(first + timedelta(days=21)).isoformat()),
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/education/manage?when=draft&done=series_drafted"
    rows = await sql(
        demo_app,
        "SELECT e.id, e.starts_at, a.kind, a.unit_id FROM education_events e"
        " JOIN education_audiences a ON a.event_id = e.id WHERE e.title = '每周专题学习' AND e.unit_id = :u"
        " ORDER BY e.starts_at",
        u=office.unit_id,
    )
    assert len(rows) == 4
    assert {(r[2], r[3]) for r in rows} == {("unit_tree", office.unit_id)}
    drafts = await organiser.get("/education/manage?when=draft&done=series_drafted")
    assert drafts.text.count("每周专题学习") == 4
    assert "每个日期一场活动" in drafts.text


async def test_materials_are_attached_by_organisers_and_read_only_by_those_on_the_list(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    organiser, a, c = people["organiser"], people["a"], people["c"]
    event = await organise(demo_app, office)
    slides = b"%PDF-1.4\n% teaching slides\n"
    added = await organiser.post(
        f"/education/{event}/materials",
        data={"csrf_token": organiser.csrf},
        files={"file": ("廉政党课课件.pdf", slides, "application/pdf")},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    refused = await organiser.post(
        f"/education/{event}/materials",
        data={"csrf_token": organiser.csrf},
        files={"file": ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/octet-stream")},
    )
    assert refused.status_code == 422  # the upload rules of evidence: nothing kept
    assert 'role="alert"' in refused.text
    (material,) = await sql(
        demo_app, "SELECT id, filename FROM education_materials WHERE event_id = :e", e=event
    )
    assert material[1] == "廉政党课课件.pdf"
    page = await a.get(f"/education/{event}")
    assert f'href="/education/{event}/materials/{material[0]}"' in page.text
    got = await a.get(f"/education/{event}/materials/{material[0]}")
    assert got.status_code == 200
    assert got.content == slides
    assert (await c.get(f"/education/{event}/materials/{material[0]}")).status_code == 404  # not on the list
    assert (
        await a.post(
            f"/education/{event}/materials", data={"csrf_token": a.csrf}, files={"file": ("x.pdf", slides)}
        )
    ).status_code == 403
    (audited,) = await audit_events(demo_app, action="education.material", object_id=str(event))
    assert json.loads(audited[5])["after"]["filename"] == "廉政党课课件.pdf"


async def test_my_year_is_the_offices_calendar_year_not_utcs(
    demo_app: DemoApp, office: Office, people: dict[str, Client]
) -> None:
    zone = ZoneInfo(demo_app.settings.timezone)
    first_of_year = datetime(2025, 1, 1, 0, 30, tzinfo=zone)  # still 2024 in UTC
    last_of_before = datetime(2024, 12, 31, 23, 30, tzinfo=zone)
    inside = await organise(
        demo_app, office, starts_at=first_of_year, ends_at=first_of_year + timedelta(hours=1)
    )
    outside = await organise(
        demo_app, office, starts_at=last_of_before, ends_at=last_of_before + timedelta(minutes=20)
    )
    page = (await people["a"].get("/education?year=2025")).text
    year = page[page.index('data-testid="my-year"') :]
    assert f'href="/education/{inside}"' in year
    assert f'href="/education/{outside}"' not in year
    page = (await people["a"].get("/education?year=2024")).text
    year = page[page.index('data-testid="my-year"') :]
    assert f'href="/education/{outside}"' in year
    assert f'href="/education/{inside}"' not in year
