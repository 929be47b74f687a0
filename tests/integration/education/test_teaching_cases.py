"""Teaching cases: a closed case linked to an event through an anonymised summary that a reviewer
approves (never its writer); the summary refused while it names the case's number, a subject or a
passage of the case; a subject of the case never sees the link; its events follow the case's
visibility in the audit trail. On both engines."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from integrity.domain.education import teaching
from integrity.lib.errors import InvalidInput
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, decide
from tests.support.education import acting, organise
from tests.support.helpers import close, make_user, sql
from tests.support.notify import Office, make_office, make_person

CASE_SUMMARY = "群众反映该干部在物资采购验收过程中多次收受供应商购物卡，并为其结算货款提供便利。"
CLEAN = (
    "某单位一名采购人员在验收环节接受供应商宴请和购物卡，放松了对自身的要求，最终受到党纪处分。"
    "这提醒我们：验收环节是廉洁风险高发点，必须严格执行制度，拒绝任何形式的利益输送。"
)


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    roles = {"organiser": "inspector", "checker": "reviewer", "a": "member", "c": "member"}
    return await make_office(demo_app, roles)


@pytest.fixture
async def closed_case(demo_app: DemoApp, office: Office) -> AsyncIterator[dict[str, Any]]:
    """A case about 钱某某 (who has an account, as a member of the office), disposed of and closed."""
    subject = await make_person(demo_app, office.unit_id, "钱晓东")
    await sql(demo_app, "UPDATE persons SET name_en = 'Qian Xiaodong' WHERE id = :p", p=subject)
    username, user = await make_user(demo_app, "member", office.code, person_id=subject)
    organiser = await new_client(demo_app, office.username("organiser"))
    checker = await new_client(demo_app, office.username("checker"))
    try:
        body = {
            "unit_id": office.unit_id,
            "source": "letters_visits",
            "category": "integrity",
            "title": "关于钱晓东收受购物卡的问题线索",
            "summary": CASE_SUMMARY,
            "received_on": "2026-06-02",
            "subject_ids": [subject],
        }
        made = await organiser.write("POST", "/api/v1/cases", json=body)
        assert made.status_code == 201, made.text
        case = dict(made.json())
        assert (await act(organiser, case, "propose_disposal", disposal="closed")).status_code == 200
        assert (await decide(checker, case)).status_code == 200
        yield {
            **case,
            "subject_username": username,
            "subject_user": user,
            "organiser": organiser,
            "checker": checker,
        }
    finally:
        await close(organiser)
        await close(checker)


async def link(demo_app: DemoApp, office: Office, event: int, number: str, summary: str) -> int:
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        row = await teaching.link_case(session, actor, event, number, summary, access=access)
        return int(row.id or 0)


async def test_a_summary_that_gives_the_case_away_is_refused_whatever_its_spelling(
    demo_app: DemoApp, office: Office, closed_case: dict[str, Any]
) -> None:
    event = await organise(demo_app, office)
    number = closed_case["number"]
    leaky = [
        f"{CLEAN}（案件编号{number}）",
        CLEAN + "当事人钱晓东已认错。",
        CLEAN + "当事人 QIAN  xiaodong 已认错。",  # the English name, other case and spacing
        CLEAN + "关于钱晓东收受购物卡的问题线索",
        "据反映，" + CASE_SUMMARY[4:30] + "。" + CLEAN,  # a passage of the case's own text
    ]
    for summary in leaky:
        with pytest.raises(InvalidInput) as refused:
            await link(demo_app, office, event, number, summary)
        assert refused.value.params["what"], summary
    assert await sql(demo_app, "SELECT id FROM education_teaching_cases WHERE event_id = :e", e=event) == []
    assert await link(demo_app, office, event, number, CLEAN)


async def test_the_writer_never_approves_a_reviewer_does_and_the_subject_never_sees_it(
    demo_app: DemoApp, office: Office, closed_case: dict[str, Any]
) -> None:
    event = await organise(demo_app, office)  # everyone in the office but c, the subject included
    teaching_id = await link(demo_app, office, event, closed_case["number"], CLEAN)
    organiser, checker = closed_case["organiser"], closed_case["checker"]
    assert (await organiser.get("/api/v1/approvals")).status_code == 403  # the writer decides nothing
    inbox = (await checker.get("/api/v1/approvals")).json()
    (request,) = [r for r in inbox if r["kind"] == teaching.KIND and r["object_id"] == teaching_id]
    member = await new_client(demo_app, office.username("a"))
    subject = await new_client(demo_app, closed_case["subject_username"])
    try:
        assert CLEAN[:20] not in (await member.get(f"/education/{event}")).text  # not before approval
        approved = await checker.write(
            "POST", f"/api/v1/approvals/{request['id']}/approve", json={"comment": "同意"}
        )
        assert approved.status_code == 200, approved.text
        (status,) = await sql(
            demo_app, "SELECT status FROM education_teaching_cases WHERE id = :t", t=teaching_id
        )
        assert status[0] == "approved"
        page = await member.get(f"/education/{event}")
        assert CLEAN[:20] in page.text
        assert closed_case["number"] not in page.text
        seen_by_subject = await subject.get(f"/education/{event}")
        assert seen_by_subject.status_code == 200  # invited like everyone…
        assert CLEAN[:20] not in seen_by_subject.text  # …but told nothing of the case about them
        assert 'data-testid="teaching"' not in seen_by_subject.text
        organiser_page = await organiser.get(f"/education/{event}")
        assert f'href="/cases/{closed_case["id"]}"' in organiser_page.text  # the organiser may see the case
    finally:
        await close(member)
        await close(subject)
    # The request's events belong to the case: whoever may not see the case does not see them.
    linked = await sql(
        demo_app,
        "SELECT c.case_id FROM audit_event_cases c JOIN audit_events e ON e.seq = c.seq"
        " WHERE e.action IN ('approval.request', 'approval.approved') AND e.object_id = :r",
        r=str(request["id"]),
    )
    assert [row[0] for row in linked] == [closed_case["id"], closed_case["id"]]


async def test_no_stored_summary_names_its_case_or_its_subjects(
    demo_app: DemoApp, office: Office, closed_case: dict[str, Any]
) -> None:
    """Checked against the cases' own data, for every summary the suite has stored."""
    event = await organise(demo_app, office)
    await link(demo_app, office, event, closed_case["number"], CLEAN)
    rows = await sql(
        demo_app,
        "SELECT t.summary, c.number, c.title, p.name, p.name_en FROM education_teaching_cases t"
        " JOIN cases c ON c.id = t.case_id JOIN case_subjects s ON s.case_id = c.id"
        " JOIN persons p ON p.id = s.person_id",
    )
    assert rows
    for summary, number, title, name, name_en in rows:
        folded = re.sub(r"\s+", "", summary).casefold()
        assert number.casefold() not in folded
        assert title.casefold() not in folded
        assert name.casefold() not in folded
        assert not name_en or re.sub(r"\s+", "", name_en).casefold() not in folded


async def test_a_returned_summary_is_rewritten_and_asked_again(
    demo_app: DemoApp, office: Office, closed_case: dict[str, Any]
) -> None:
    event = await organise(demo_app, office)
    teaching_id = await link(demo_app, office, event, closed_case["number"], CLEAN)
    checker: Client = closed_case["checker"]
    inbox = (await checker.get("/api/v1/approvals")).json()
    (request,) = [r for r in inbox if r["kind"] == teaching.KIND and r["object_id"] == teaching_id]
    returned = await checker.write(
        "POST", f"/api/v1/approvals/{request['id']}/return", json={"comment": "请再概括"}
    )
    assert returned.status_code == 200
    organiser: Client = closed_case["organiser"]
    page = await organiser.get(f"/education/{event}")
    assert 'data-status="returned"' in page.text
    leaky = await organiser.post(
        f"/education/{event}/teaching/{teaching_id}",
        data={"csrf_token": organiser.csrf, "summary": CLEAN + "钱晓东"},
    )
    assert leaky.status_code == 422
    assert "概要泄露了案件信息（被反映人的姓名）" in leaky.text
    again = await organiser.post(
        f"/education/{event}/teaching/{teaching_id}",
        data={"csrf_token": organiser.csrf, "summary": CLEAN + "以此为戒。"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    inbox = (await checker.get("/api/v1/approvals")).json()
    assert [r for r in inbox if r["kind"] == teaching.KIND and r["object_id"] == teaching_id]
