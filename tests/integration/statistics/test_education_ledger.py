"""The education ledger (廉政教育台账): the events a unit held in the period, each with its roster's
attendance counted by hand here, as Excel and as PDF, offered on the education statistics page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client, DemoApp, new_client
from tests.support.education import two_held_one_cancelled
from tests.support.helpers import close as close_client
from tests.support.notify import Office, make_office
from tests.support.statistics import day, ledger_body, ledger_rows


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> Office:
    """Two events held for the organiser, a and b (c is left off both), and one cancelled."""
    made = await make_office(
        demo_app, {"organiser": "inspector", "a": "member", "b": "member", "c": "member"}
    )
    first = {"title": "警示教育一", "speaker": "王老师"}
    second = {"title": "廉政党课二", "type_code": "party_lesson", "place": "三楼会议室"}
    await two_held_one_cancelled(demo_app, made, first, second)
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
