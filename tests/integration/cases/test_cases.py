"""Supervision cases: the transition table row by row, approvals, exclusion, numbering, teams."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Any

import pytest

from integrity.db.engine import create_database
from integrity.demo.cases import access_for
from integrity.domain.cases import workflow
from integrity.domain.cases.schemas import CaseIn
from integrity.domain.cases.services import register_case
from integrity.lib.workflow import Transition
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, approve_a_decision, decide, drive_to, register, seat_on_panel
from tests.support.helpers import (
    TEST_PASSWORD,
    all_pages,
    audit_events,
    close,
    make_user,
    person_id,
    sql,
    unit_id,
)

NUMBER = re.compile(r"^JJ-\d{4}-\d{4}$")


STEPS = [t for t in workflow.TRANSITIONS if t.target and t.action]  # status changes a user presses
# Written here as the test's own oracle: what needs a decision in force, what records a first-form one.
NEEDS_DECISION = {"conclude_hearing"}
FIRST_FORM = {"close_first_form", "close_first_form_after_verification"}


@pytest.mark.parametrize("spec", STEPS, ids=[t.name for t in STEPS])
async def test_every_transition_is_allowed_from_its_source_and_refused_elsewhere(
    spec: Transition, demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    actor = reviewer if spec.action == "reopen" else inspector
    (source,) = spec.sources
    case = await drive_to(source, demo_app, inspector, reviewer)
    if spec.target == workflow.HEARING:
        await seat_on_panel(inspector, demo_app, case)
    fields: dict[str, Any] = {"disposal": "shelved"} if "disposal" in spec.requires else {}
    if spec.name in FIRST_FORM:
        fields |= {"person_id": await person_id(demo_app, "HXP0203"), "measure_code": "talk_reminder"}
    if spec.name in NEEDS_DECISION:
        # Without a decision in force the case cannot be "decided"; with one approved it can.
        undecided = await act(actor, case, spec.name, **fields)
        assert undecided.status_code == 409, undecided.text
        assert "approved accountability decision" in undecided.json()["detail"]
        await approve_a_decision(inspector, reviewer, demo_app, case)
    wrong_status = workflow.SHELVED if source != workflow.SHELVED else workflow.REGISTERED
    elsewhere = await drive_to(wrong_status, demo_app, inspector, reviewer)

    refused = await act(actor, elsewhere, spec.name, **fields)
    assert refused.status_code == 409, refused.text

    if "reason" in spec.requires:
        missing = await act(actor, case, spec.name, **{**fields, "reason": ""})
        assert missing.status_code == 422

    allowed = await act(actor, case, spec.name, **fields)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["status"] == spec.target
    # This step of this case, recorded with its name and reason, by the one who made it.
    events = await audit_events(demo_app, action="case.transition", object_id=str(case["id"]))
    last = events[-1]
    assert last[1] == ("chen.jing" if actor is reviewer else "li.na")
    assert f'"transition":"{spec.name}"' in last[5], last[5]
    if spec.target != source:  # a step within a status (the letter sent) changes no field
        assert f'"status":"{spec.target}"' in last[5], last[5]


async def test_roles_limit_who_may_press_what(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    case = await register(inspector, demo_app)
    assert (await act(reviewer, case, "propose_disposal", disposal="closed")).status_code == 403
    closed = await drive_to(workflow.CLOSED, demo_app, inspector, reviewer)
    assert (await act(inspector, closed, "reopen")).status_code == 403
    detail = (await inspector.get(f"/api/v1/cases/{closed['id']}")).json()
    assert detail["available_transitions"] == []  # closed is read-only for the inspector
    assert (await reviewer.get(f"/api/v1/cases/{closed['id']}")).json()["available_transitions"] == ["reopen"]
    auditor = await new_client(demo_app, "zhao.min")
    assert (await act(auditor, case, "propose_disposal", disposal="closed")).status_code == 403
    await close(auditor)


async def test_a_proposal_is_decided_by_a_reviewer_never_its_maker(demo_app: DemoApp, team: Any) -> None:
    _inspector, reviewer = team
    both, _ = await make_user(demo_app, "inspector", "HXP", extra_roles=(("reviewer", "HXP"),))
    maker = await new_client(demo_app, both, TEST_PASSWORD)
    case = await register(maker, demo_app)
    assert (await act(maker, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
    assert all(r["object_id"] != case["id"] for r in (await maker.get("/api/v1/approvals")).json())
    request = (
        await sql(
            demo_app,
            "SELECT id FROM approval_requests WHERE object_id = :c AND status = 'pending'",
            c=case["id"],
        )
    )[0][0]
    own = await maker.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": "自己批"})
    assert own.status_code == 403
    returned_without_reason = await decide(reviewer, case, "return", comment=" ")
    assert returned_without_reason.status_code == 422
    returned = await decide(reviewer, case, "return", comment="处置依据不足，请补充")
    assert returned.status_code == 200
    after = (await maker.get(f"/api/v1/cases/{case['id']}")).json()
    assert after["case"]["status"] == workflow.REGISTERED
    assert [h["transition"] for h in after["history"]] == [
        "register",
        "propose_disposal",
        "return:propose_disposal",
    ]
    await close(maker)


async def test_concurrent_approvals_let_exactly_one_through(demo_app: DemoApp, team: Any) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    assert (await act(inspector, case, "propose_disposal", disposal="shelved")).status_code == 200
    request = (await sql(demo_app, "SELECT id FROM approval_requests WHERE object_id = :c", c=case["id"]))[0][
        0
    ]
    reviewers = []
    for _ in range(5):
        name, _ = await make_user(demo_app, "reviewer", "HXP")
        reviewers.append(await new_client(demo_app, name, TEST_PASSWORD))
    results = await asyncio.gather(
        *(
            r.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": "同意"})
            for r in reviewers
        )
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409, 409]
    events = await sql(
        demo_app,
        "SELECT count(*) FROM audit_events WHERE action = 'approval.approved' AND object_id = :r",
        r=str(request),
    )
    assert events[0][0] == 1
    status = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["case"]["status"]
    assert status == workflow.SHELVED
    for r in reviewers:
        await close(r)


async def test_a_stale_edit_gets_409_and_changes_nothing(demo_app: DemoApp, team: Any) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    body = {
        "transition": "propose_disposal",
        "version": case["version"] + 5,
        "disposal": "closed",
        "reason": "x",
    }
    stale = await inspector.write("POST", f"/api/v1/cases/{case['id']}/transitions", json=body)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == case["version"]
    after = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()
    assert after["case"]["status"] == workflow.REGISTERED
    pending = await sql(demo_app, "SELECT count(*) FROM approval_requests WHERE object_id = :c", c=case["id"])
    assert pending[0][0] == 0  # the approval request was rolled back with the failed transition


async def test_investigators_never_sit_on_the_hearing(demo_app: DemoApp, team: Any) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.INVESTIGATION, demo_app, inspector, reviewer)
    _investigator_name, investigator = await make_user(demo_app, "inspector", "HXP")
    url = f"/api/v1/cases/{case['id']}/assignments"
    assert (
        await inspector.write("POST", url, json={"user_id": investigator, "team": "investigation"})
    ).status_code == 201
    assert (await act(inspector, case, "start_hearing")).status_code == 422  # no panel yet
    clash = await inspector.write("POST", url, json={"user_id": investigator, "team": "hearing"})
    assert clash.status_code == 409


async def test_only_the_hearing_panel_concludes_the_hearing_or_sends_it_back(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """查审分离: an investigator (or any inspector off the panel) neither concludes nor sends back."""
    inspector, reviewer = team
    case = await drive_to(workflow.INVESTIGATION, demo_app, inspector, reviewer)
    investigator_name, investigator = await make_user(demo_app, "inspector", "HXP")
    url = f"/api/v1/cases/{case['id']}/assignments"
    assert (
        await inspector.write("POST", url, json={"user_id": investigator, "team": "investigation"})
    ).status_code == 201
    await seat_on_panel(inspector, demo_app, case)
    assert (await act(inspector, case, "start_hearing")).status_code == 200
    off_panel = await new_client(demo_app, investigator_name, TEST_PASSWORD)
    try:
        page = await off_panel.get(f"/cases/{case['id']}")
        for name in ("conclude_hearing", "send_back"):
            refused = await act(off_panel, case, name)
            assert refused.status_code == 403, refused.text
            assert f'value="{name}"' not in page.text  # no button for what the service refuses
        on_panel_page = await inspector.get(f"/cases/{case['id']}")
        assert 'value="send_back"' in on_panel_page.text
        assert 'value="conclude_hearing"' not in on_panel_page.text  # nothing decided yet
        await approve_a_decision(inspector, reviewer, demo_app, case)
        assert 'value="conclude_hearing"' in (await inspector.get(f"/cases/{case['id']}")).text
        assert 'value="conclude_hearing"' not in (await off_panel.get(f"/cases/{case['id']}")).text
        assert (await act(inspector, case, "send_back")).status_code == 200
    finally:
        await close(off_panel)


async def test_a_closed_case_takes_no_evidence_and_no_team_change(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.CLOSED, demo_app, inspector, reviewer)
    _name, colleague = await make_user(demo_app, "inspector", "HXP")
    count = "SELECT count(*) FROM case_evidence WHERE case_id = :c"
    before = await sql(demo_app, count, c=case["id"])
    upload = await inspector.write(
        "POST",
        f"/api/v1/cases/{case['id']}/evidence",
        files={"file": ("note.pdf", b"%PDF-1.4 evidence", "application/pdf")},
    )
    assert upload.status_code == 409, upload.text
    staffed = await inspector.write(
        "POST", f"/api/v1/cases/{case['id']}/assignments", json={"user_id": colleague, "team": "hearing"}
    )
    assert staffed.status_code == 409, staffed.text
    assert (
        await sql(demo_app, "SELECT count(*) FROM case_evidence WHERE case_id = :c", c=case["id"]) == before
    )
    team_rows = await sql(demo_app, "SELECT user_id FROM case_assignments WHERE case_id = :c", c=case["id"])
    assert colleague not in {r[0] for r in team_rows}


async def test_subjects_and_related_users_cannot_see_the_case_anywhere(demo_app: DemoApp) -> None:
    """李明 (HXP0601) is the subject; his own account and li.na (declared kin) are excluded."""
    group_inspector = await new_client(demo_app, "zhang.wei")
    case = await register(group_inspector, demo_app, subjects=("HXP0601",), title="工程招标违规线索")
    li_ming_name, _ = await make_user(
        demo_app,
        "inspector",
        "HXP",
        extra_roles=(("auditor", "HXP"),),
        person_id=await person_id(demo_app, "HXP0601"),
    )
    excluded = [await new_client(demo_app, li_ming_name, TEST_PASSWORD), await new_client(demo_app, "li.na")]
    colleague_name, _ = await make_user(demo_app, "inspector", "HXP", extra_roles=(("auditor", "HXP"),))
    colleague = await new_client(demo_app, colleague_name, TEST_PASSWORD)

    async def sees(c: Client) -> dict[str, bool]:
        listed = await all_pages(c, "/api/v1/cases", 200)  # every page: the demo holds years of leads
        audit = await c.get(
            "/api/v1/audit/events", params={"object_type": "case", "object_id": str(case["id"])}
        )
        return {
            "list": any(x["id"] == case["id"] for x in listed),
            "detail": (await c.get(f"/api/v1/cases/{case['id']}")).status_code == 200,
            "audit": audit.status_code == 200 and bool(audit.json()["items"]),
        }

    assert await sees(colleague) == {"list": True, "detail": True, "audit": True}
    for c in excluded:
        assert await sees(c) == {"list": False, "detail": False, "audit": False}
    count_colleague = (await colleague.get("/api/v1/cases/count")).json()["count"]
    count_subject = (await excluded[0].get("/api/v1/cases/count")).json()["count"]
    assert count_subject < count_colleague
    # Registering a case about oneself or a relative is refused too.
    li_na = excluded[1]
    body = {
        "unit_id": await unit_id(demo_app, "HXP"),
        "source": "audit",
        "category": "integrity",
        "title": "x",
        "received_on": "2026-10-08",
        "subject_ids": [await person_id(demo_app, "HXP0601")],
    }
    assert (await li_na.write("POST", "/api/v1/cases", json=body)).status_code == 403
    for c in [*excluded, colleague, group_inspector]:
        await close(c)


async def test_confidential_cases_show_only_to_their_team_reviewers_and_auditors(demo_app: DemoApp) -> None:
    group_inspector = await new_client(demo_app, "zhang.wei")
    case = await register(group_inspector, demo_app, confidential=True, title="保密线索")
    expectations = {"li.na": 404, "chen.jing": 200, "zhao.min": 200, "zhang.wei": 200}
    for username, status in expectations.items():
        c = await new_client(demo_app, username)
        assert (await c.get(f"/api/v1/cases/{case['id']}")).status_code == status, username
        await close(c)
    await close(group_inspector)


async def test_recusal_hides_the_case_and_is_audited(demo_app: DemoApp, team: Any) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    response = await inspector.write(
        "POST", f"/api/v1/cases/{case['id']}/recusal", json={"reason": "曾与被反映人共事"}
    )
    assert response.status_code == 204
    assert (await inspector.get(f"/api/v1/cases/{case['id']}")).status_code == 404
    assert await audit_events(demo_app, action="case.recuse", object_id=str(case["id"]))


async def test_case_numbers_are_unique_under_50_parallel_registrations(demo_app: DemoApp) -> None:
    db = create_database(demo_app.db.url)
    async with db.read_session() as session:
        access, actor = await access_for(session, "zhang.wei")
    hxt = await unit_id(demo_app, "HXT")

    async def one(i: int) -> str:
        async with db.write_session() as session:
            data = CaseIn(hxt, "audit", "integrity", f"并发登记 {i}", date(2026, 10, 1))
            case = await register_case(session, demo_app.settings, access, actor, data)
            await session.commit()
            return case.number

    numbers = await asyncio.gather(*(one(i) for i in range(50)))
    await db.dispose()
    assert len(set(numbers)) == 50
    assert all(NUMBER.match(n) for n in numbers)
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(sequence[0], sequence[0] + 50))  # no gaps, no reuse
