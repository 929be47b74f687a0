"""A unit's yearly education report on a hand-built office: events held by type against the plan, the
cancelled and drafts left apart, coverage, reflections; the PDF and the workbook say the same counts,
counted here by hand; only readers of the unit get it, and each issue is audited. On both engines."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from integrity.db.types import utcnow
from integrity.domain.cases.clocks import local_today
from integrity.domain.education import plans, reflections
from integrity.domain.education.events import EventDraft, close, create_event, take_step
from tests.conftest import Client, DemoApp, new_client
from tests.support.education import acting, now_code, organise, sign
from tests.support.helpers import audit_events
from tests.support.helpers import close as close_client
from tests.support.notify import Office, make_office
from tests.support.trails import page_texts

ESSAY = "这次警示教育让我深受触动，今后要严守纪律规矩，把廉洁要求落实到日常工作的每一个环节。"


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    roles = {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    return await make_office(demo_app, roles)


async def test_the_yearly_report_counts_events_by_type_against_the_plan_coverage_and_reflections(
    demo_app: DemoApp, office: Office, organiser: Client
) -> None:
    year = local_today().year
    first = await organise(demo_app, office, title="警示教育一")  # a present and b absent
    second = await organise(demo_app, office, title="警示教育二")  # nobody comes
    cancelled = await organise(demo_app, office, title="廉政党课", type_code="party_lesson")
    assert await sign(demo_app, office, "a", first, now_code(demo_app, first).token) == "present"
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, first, access=access)
        await close(session, actor, second, access=access)
        await take_step(session, actor, cancelled, "cancel", reason="上级会议冲突", access=access)
        await plans.add_quota(
            session, actor, office.unit_id, year, "events", 3, type_code="warning_education", access=access
        )
        later = utcnow() + timedelta(days=3)
        draft_of = EventDraft(office.unit_id, "warning_education", "草稿", later, later + timedelta(hours=1))
        draft = await create_event(session, actor, draft_of, access=access)
        assert draft.id is not None
    async with acting(demo_app, office, "a") as (session, _access, actor):
        written = await reflections.submit(session, actor, first, ESSAY)
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await reflections.review(session, actor, written.id or 0, accept=True, excellent=True, access=access)

    got = await organiser.get("/education/report.xlsx", params={"unit": office.unit_id, "year": year})
    assert got.status_code == 200, got.text
    book = load_workbook(io.BytesIO(got.content))
    by_type = {row[0]: row[1:] for row in book["按类型"].iter_rows(min_row=2, values_only=True)}
    assert by_type == {"警示教育": (2, 0, 3), "廉政党课": (0, 1, None)}  # no quota: an empty cell
    titles = [row[1] for row in book["活动"].iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["廉政党课", "警示教育一", "警示教育二"]  # the draft is not an event held
    coverage = next(book["覆盖情况"].iter_rows(min_row=2, values_only=True))
    # Four people; invitations: organiser, a, b on three events (c left out): a present once, five
    # absences on the two held, three on the cancelled one still "invited" (never decided).
    header = [c.value for c in book["覆盖情况"][1]]
    row = dict(zip(header, coverage, strict=True))
    assert (row["人员"], row["出席"], row["缺席"], row["从未参加"]) == (4, 1, 5, 3)
    assert row["参学率"] == f"{100 * 1 / 6:.1f}%"
    reflections_row = next(book["心得体会"].iter_rows(min_row=2, values_only=True))
    assert reflections_row == (0, 1, 0, 1)
    plan = next(book["计划"].iter_rows(min_row=2, values_only=True))
    assert plan[1:] == (2, 3, "否")

    pdf = await organiser.get("/education/report.pdf", params={"unit": office.unit_id, "year": year})
    assert pdf.status_code == 200
    text = "".join(page_texts(pdf.content))
    assert f"{year} 年度廉政教育工作报告" in text
    assert "警示教育一" in text
    assert "草稿" not in text
    issued = await audit_events(demo_app, action="education.report_export", object_id=str(office.unit_id))
    assert len(issued) == 2  # the workbook and the PDF

    member = await new_client(demo_app, office.username("a"))
    stranger_office = await make_office(demo_app, {"inspector": "inspector"})
    stranger = await new_client(demo_app, stranger_office.username("inspector"))
    try:
        assert (await member.get("/education/report.pdf", params={"unit": office.unit_id})).status_code == 403
        outside = await stranger.get("/education/report.xlsx", params={"unit": office.unit_id})
        assert outside.status_code == 404
    finally:
        await close_client(member)
        await close_client(stranger)
