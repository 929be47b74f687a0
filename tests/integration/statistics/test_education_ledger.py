"""The education ledger (廉政教育台账): the events a unit held in the period, each with its roster's
attendance counted by hand here, as Excel and as PDF, offered on the education statistics page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from integrity.db.types import utcnow
from integrity.domain.education import roster
from integrity.domain.education.events import close, take_step
from tests.conftest import Client, DemoApp, new_client
from tests.support.education import acting, organise
from tests.support.helpers import close as close_client
from tests.support.notify import Office, make_office
from tests.support.statistics import day, ledger_body, ledger_rows


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> Office:
    """Two events held for the organiser, a and b (c is left off both), and one cancelled."""
    made = await make_office(
        demo_app, {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    )
    org, a, b = (made.users[k][1] for k in ("organiser", "a", "b"))
    earlier = utcnow() - timedelta(hours=5)
    first = await organise(
        demo_app,
        made,
        title="警示教育一",
        starts_at=earlier,
        ends_at=earlier + timedelta(hours=1),
        speaker="王老师",
    )
    second = await organise(demo_app, made, title="廉政党课二", type_code="party_lesson", place="三楼会议室")
    cancelled = await organise(
        demo_app,
        made,
        title="取消的活动",
        starts_at=utcnow() + timedelta(days=1),
        ends_at=utcnow() + timedelta(days=1, hours=1),
    )
    async with acting(demo_app, made, "organiser") as (session, access, actor):
        await roster.mark(session, actor, first, [a], "present", access=access)
        await roster.mark(session, actor, first, [org], "late", access=access)
        await close(session, actor, first, access=access)  # b absent
        await roster.mark(session, actor, second, [org], "present", access=access)
        await roster.mark(session, actor, second, [a], "absent", access=access)
        await roster.mark(session, actor, second, [b], "excused", access=access)
        await take_step(session, actor, cancelled, "cancel", reason="改期", access=access)
    return made


@pytest.fixture
async def organiser(demo_app: DemoApp, office: Office) -> Any:
    client = await new_client(demo_app, office.username("organiser"))
    yield client
    await close_client(client)


def _params(office: Office, **more: Any) -> dict[str, Any]:
    return {"period": "custom", "start": day(-10), "end": day(10), "unit_id": office.unit_id, **more}


async def test_the_education_ledger_lists_each_event_held_with_its_attendance(
    office: Office, organiser: Client
) -> None:
    rows = await ledger_rows(organiser, "education", _params(office))
    assert rows[0][0] == "廉政教育台账"
    header = next(r for r in rows if r[0] == "序号")
    assert header[1:] == (
        "举办日期", "类型", "活动", "组织单位", "主讲人", "地点", "应到", "实到", "请假", "缺席", "已补学",
        "参学率", "心得体会", "状态",
    )  # fmt: skip
    body = ledger_body(rows)
    assert [r[3] for r in body] == ["警示教育一", "廉政党课二"]  # held, in order; not the cancelled one
    first, second = body
    assert (first[2], second[2]) == ("警示教育", "廉政党课")
    # First: organiser late and a present of three on the list, b absent when it closed: 2 of 3.
    assert first[5:] == ("王老师", None, 3, 2, 0, 1, 0, "67%", 0, "已结束")  # no place: an empty cell
    # Second, still under way: organiser present, a absent, b on leave: 1 of 3 marked so far.
    assert second[6:13] == ("三楼会议室", 3, 1, 1, 1, 0, "33%")
    assert rows[-1][0] == "合计 2 条"


async def test_a_case_category_does_not_apply_to_events(office: Office, organiser: Client) -> None:
    """Events do not come from cases: a page narrowed to a case category lists them all, and the
    ledger does not write a category or source among its filters."""
    rows = await ledger_rows(organiser, "education", _params(office, category="integrity"))
    assert [r[3] for r in ledger_body(rows)] == ["警示教育一", "廉政党课二"]
    top = " ".join(str(c) for r in rows[:4] for c in r if c)
    assert "统计期间" in top
    assert "问题类别" not in top
    assert "线索来源" not in top


async def test_the_education_page_offers_the_ledger_and_its_pdf_renders(
    office: Office, organiser: Client
) -> None:
    page = await organiser.get("/statistics/education", params=_params(office))
    assert page.status_code == 200, page.text
    assert 'data-testid="ledger-education-pdf"' in page.text
    pdf = await organiser.get("/statistics/ledgers/education/pdf", params=_params(office), timeout=120)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
