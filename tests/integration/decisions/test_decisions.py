"""Accountability decisions: lifecycle and clocks, effect periods, appeals and their panels, the register."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from integrity.db.models import Measure
from integrity.domain.cases import workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.decisions.measures import effect_end, effect_period
from integrity.lib.errors import InvalidInput
from integrity.lib.workdays import add_months
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, drive_to, register
from tests.support.decisions import (
    appeal_of,
    approved_decision,
    new_decision,
    panel_member,
    pending_request,
)
from tests.support.helpers import (
    TEST_PASSWORD,
    audit_events,
    close,
    make_user,
    person_id,
    sql,
    unit_id,
    user_id,
)


def measure(months: int | None, choices: str = "") -> Measure:
    return Measure(code="m", form=2, name="m", name_en="m", period_months=months, period_choices=choices)


@pytest.mark.parametrize(
    ("months", "effective", "ends"),
    [
        (12, date(2026, 3, 15), date(2027, 3, 15)),  # party warning: 1 year
        (18, date(2026, 3, 15), date(2027, 9, 15)),  # serious warning: 18 months
        (6, date(2026, 8, 31), date(2027, 2, 28)),  # administrative warning: the month is shorter
        (12, date(2028, 2, 29), date(2029, 2, 28)),  # from a leap day
        (60, date(2026, 1, 1), date(2031, 1, 1)),  # expulsion: 5 years before readmission
        (None, date(2026, 1, 1), None),  # admonishment: no effect period
    ],
)
def test_effect_period_end(months: int | None, effective: date, ends: date | None) -> None:
    assert effect_end(effective, effect_period(measure(months), None)) == ends


def test_probation_is_one_or_two_years_and_must_be_chosen() -> None:
    probation = measure(12, "12,24")
    assert effect_end(date(2026, 5, 10), effect_period(probation, 12)) == date(2027, 5, 10)
    assert effect_end(date(2026, 5, 10), effect_period(probation, 24)) == date(2028, 5, 10)
    for wrong in (None, 18, 36):
        with pytest.raises(InvalidInput):
            effect_period(probation, wrong)
    with pytest.raises(InvalidInput):
        effect_period(measure(12), 24)  # a fixed period cannot be changed per decision


async def test_draft_submit_return_approve_announce_execute(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    d = await new_decision(inspector, demo_app, measure="party_serious_warning")
    assert d["status"] == "draft"
    assert d["form"] == 2
    assert d["effect_ends_on"] == add_months(date.fromisoformat(d["effective_on"]), 18).isoformat()
    url = f"/api/v1/decisions/{d['id']}"
    assert (
        await inspector.write("POST", f"{url}/announce", json={"announced_on": "2026-01-01"})
    ).status_code == 409

    assert (await inspector.write("POST", f"{url}/submit")).status_code == 201
    assert (await inspector.write("PATCH", url, json={"version": 2, "reasoning": "改"})).status_code == 409
    request = await pending_request(reviewer, d)
    returned = await reviewer.write(
        "POST", f"/api/v1/approvals/{request}/return", json={"comment": "事实认定需补充"}
    )
    assert returned.status_code == 200
    current = (await inspector.get(url)).json()["decision"]
    assert current["status"] == "returned"
    edited = await inspector.write(
        "PATCH",
        url,
        json={"version": current["version"], "measure_code": "party_warning", "reasoning": "补充后"},
    )
    assert edited.status_code == 200, edited.text
    assert (
        edited.json()["decision"]["effect_ends_on"]
        == add_months(date.fromisoformat(d["effective_on"]), 12).isoformat()
    )
    assert (await inspector.write("POST", f"{url}/submit")).status_code == 201
    approved = await reviewer.write(
        "POST", f"/api/v1/approvals/{await pending_request(reviewer, d)}/approve", json={"comment": "同意"}
    )
    assert approved.status_code == 200

    got = (await inspector.get(url)).json()
    assert got["decision"]["status"] == "approved"
    today = date.fromisoformat(got["decision"]["approved_on"])
    due = {c["rule"]: c["due_on"] for c in got["clocks"]}
    assert due == {
        "decision_announcement": add_months(today, 1).isoformat(),
        "decision_execution": add_months(today, 6).isoformat(),
    }
    execution = {"reported_on": today.isoformat(), "report": "已在支部大会宣布并存档"}
    assert (await inspector.write("POST", f"{url}/execution", json=execution)).status_code == 409
    announced = await inspector.write("POST", f"{url}/announce", json={"announced_on": today.isoformat()})
    assert announced.status_code == 201, announced.text
    met = {c["rule"]: c["met_on"] for c in announced.json()["clocks"]}
    assert met == {"decision_announcement": today.isoformat(), "decision_execution": None}
    executed = await inspector.write("POST", f"{url}/execution", json=execution)
    assert executed.status_code == 201
    assert executed.json()["decision"]["status"] == "executed"
    assert all(c["met_on"] for c in executed.json()["clocks"])
    actions = [e[2] for e in await audit_events(demo_app, object_type="decision", object_id=str(d["id"]))]
    expected = ("draft", "submit", "return", "update", "approve", "announce", "report_execution")
    for action in expected:
        assert f"decision.{action}" in actions


async def test_the_drafter_never_approves_and_only_subjects_are_named(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _reviewer = team
    both, _ = await make_user(demo_app, "inspector", "HXP", extra_roles=(("reviewer", "HXP"),))
    drafter = await new_client(demo_app, both, TEST_PASSWORD)
    try:
        d = await new_decision(drafter, demo_app)
        assert (
            await inspector.write("POST", f"/api/v1/decisions/{d['id']}/submit")
        ).status_code == 403  # not the drafter
        assert (await drafter.write("POST", f"/api/v1/decisions/{d['id']}/submit")).status_code == 201
        inbox = (await drafter.get("/api/v1/approvals")).json()
        assert all(r["object_id"] != d["id"] for r in inbox if r["kind"] == "decision.approval")
        request = (
            await sql(
                demo_app,
                "SELECT id FROM approval_requests WHERE kind = 'decision.approval' AND object_id = :d",
                d=d["id"],
            )
        )[0][0]
        own = await drafter.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": "自己批"})
        assert own.status_code == 403
        page = await drafter.get(f"/decisions/{d['id']}")
        assert page.status_code == 200
        assert 'data-decision="approve"' not in page.text

        case = await register(drafter, demo_app)
        body = {
            "case_id": case["id"],
            "person_id": await person_id(demo_app, "HXP0301"),  # not a subject of this case
            "measure_code": "party_warning",
            "effective_on": local_today().isoformat(),
            "reasoning": "x",
        }
        assert (await drafter.write("POST", "/api/v1/decisions", json=body)).status_code == 422
        body |= {"person_id": await person_id(demo_app, "HXP0203"), "measure_code": "party_probation"}
        assert (
            await drafter.write("POST", "/api/v1/decisions", json=body)
        ).status_code == 422  # period not chosen
        body |= {"period_months": 24}
        probation = await drafter.write("POST", "/api/v1/decisions", json=body)
        assert probation.status_code == 201
        assert probation.json()["decision"]["effect_ends_on"] == add_months(local_today(), 24).isoformat()
    finally:
        await close(drafter)


async def test_appeal_panel_excludes_everyone_involved(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    draft = await new_decision(inspector, demo_app)
    early = await inspector.write(
        "POST",
        f"/api/v1/decisions/{draft['id']}/appeals",
        json={"filed_on": local_today().isoformat(), "grounds": "x"},
    )
    assert early.status_code == 409  # only a decision in force is appealed
    d = await approved_decision(inspector, reviewer, demo_app)
    appeal = await appeal_of(inspector, d)
    clock = [
        c
        for c in (await inspector.get(f"/api/v1/decisions/{d['id']}")).json()["clocks"]
        if c["rule"] == "appeal_review"
    ]
    assert clock[0]["due_on"] == add_months(local_today(), 3).isoformat()
    assert (
        await inspector.write(
            "POST",
            f"/api/v1/decisions/{d['id']}/appeals",
            json={"filed_on": local_today().isoformat(), "grounds": "y"},
        )
    ).status_code == 409

    panel = f"/api/v1/decisions/appeals/{appeal['id']}/panel"
    hearing_member = (
        await sql(demo_app, "SELECT user_id FROM case_assignments WHERE case_id = :c", c=d["case_id"])
    )[0][0]
    investigated, _ = await make_user(demo_app, "inspector", "HXP")
    investigated_id = await user_id(demo_app, investigated)
    await inspector.write(
        "POST",
        f"/api/v1/cases/{d['case_id']}/assignments",
        json={"user_id": investigated_id, "team": "investigation"},
    )
    for excluded in (
        await user_id(demo_app, "li.na"),  # drafted it and handles the case
        await user_id(demo_app, "chen.jing"),  # approved it
        hearing_member,
        investigated_id,  # investigated
    ):
        before = len(await audit_events(demo_app, action="access.denied", actor="chen.jing"))
        refused = await reviewer.write("POST", panel, json={"user_id": excluded})
        assert refused.status_code == 422, (excluded, refused.text)
        denied = await audit_events(demo_app, action="access.denied", actor="chen.jing")
        assert len(denied) == before + 1  # the refusal is audited, outcome "denied"
        assert denied[-1][4] == "denied"
        assert refused.json()["detail"] in denied[-1][5]
    outsider = await user_id(demo_app, "zhou.li")  # not staff
    assert (await reviewer.write("POST", panel, json={"user_id": outsider})).status_code == 422
    fresh, fresh_id = await make_user(demo_app, "reviewer", "HXP")
    assert (
        await inspector.write("POST", panel, json={"user_id": fresh_id})
    ).status_code == 403  # inspectors don't staff panels
    accepted = await reviewer.write("POST", panel, json={"user_id": fresh_id})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "under_review"
    assert accepted.json()["panel"] == [fresh_id]

    outcome = f"/api/v1/decisions/appeals/{appeal['id']}/outcome"
    not_on_panel = await reviewer.write("POST", outcome, json={"outcome": "upheld", "reason": "维持"})
    assert not_on_panel.status_code == 403
    member = await new_client(demo_app, fresh, TEST_PASSWORD)
    try:
        upheld = await member.write(
            "POST", outcome, json={"outcome": "upheld", "reason": "事实清楚，维持原决定"}
        )
        assert upheld.status_code == 201, upheld.text
        assert upheld.json()["status"] == "upheld"
        again = await member.write("POST", outcome, json={"outcome": "revoked", "reason": "x"})
        assert again.status_code == 409
    finally:
        await close(member)
    after = (await inspector.get(f"/api/v1/decisions/{d['id']}")).json()
    assert after["decision"]["status"] == "approved"
    assert [c["met_on"] for c in after["clocks"] if c["rule"] == "appeal_review"] == [
        local_today().isoformat()
    ]


async def test_appeal_modifies_or_revokes_and_the_register_follows(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    subject = await person_id(demo_app, "HXP0203")
    base = local_today() - timedelta(days=10)
    d = await approved_decision(
        inspector, reviewer, demo_app, measure="party_serious_warning", effective_on=base
    )
    register = (await reviewer.get(f"/api/v1/register/persons/{subject}")).json()
    assert {
        "decision_id": d["id"],
        "measure_code": "party_serious_warning",
        "until": add_months(base, 18).isoformat(),
    } in register["active"]

    # Modified: a new decision goes to a reviewer; once approved, it supersedes the old one.
    appeal = await appeal_of(inspector, d)
    member = await panel_member(demo_app, reviewer, appeal)
    try:
        modified = await member.write(
            "POST",
            f"/api/v1/decisions/appeals/{appeal['id']}/outcome",
            json={"outcome": "modified", "reason": "情节较轻，改为警告",
                  "new_measure": {"measure_code": "party_warning", "effective_on": base.isoformat()}},
        )  # fmt: skip
        assert modified.status_code == 201, modified.text
        new_id = modified.json()["new_decision_id"]
        request = await pending_request(reviewer, {"id": new_id})
        own = await member.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": ""})
        assert own.status_code == 403  # the panel member drafted the new decision
    finally:
        await close(member)
    assert (
        await reviewer.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": "同意"})
    ).status_code == 200
    old_file = (await inspector.get(f"/api/v1/decisions/{d['id']}")).json()
    old = old_file["decision"]
    new = (await inspector.get(f"/api/v1/decisions/{new_id}")).json()["decision"]
    assert old["status"] == "superseded"
    # A superseded decision owes nothing more: its announcement and execution clocks stopped.
    assert {c["rule"]: c["state"] for c in old_file["clocks"] if c["rule"] != "appeal_review"} == {
        "decision_announcement": "stopped",
        "decision_execution": "stopped",
    }
    assert new["supersedes_id"] == d["id"]
    assert new["effect_ends_on"] == add_months(base, 12).isoformat()
    active = (await reviewer.get(f"/api/v1/register/persons/{subject}")).json()["active"]
    ids = {a["decision_id"] for a in active}
    assert new_id in ids
    assert d["id"] not in ids

    # Revoked: the restriction ends.
    appeal = await appeal_of(inspector, new)
    member = await panel_member(demo_app, reviewer, appeal)
    try:
        revoked = await member.write(
            "POST",
            f"/api/v1/decisions/appeals/{appeal['id']}/outcome",
            json={"outcome": "revoked", "reason": "撤销"},
        )
        assert revoked.status_code == 201
    finally:
        await close(member)
    revoked_file = (await inspector.get(f"/api/v1/decisions/{new_id}")).json()
    assert revoked_file["decision"]["status"] == "revoked"
    assert {c["state"] for c in revoked_file["clocks"] if c["rule"] != "appeal_review"} == {"stopped"}
    active = (await reviewer.get(f"/api/v1/register/persons/{subject}")).json()["active"]
    assert new_id not in {a["decision_id"] for a in active}


async def test_unit_statistics_count_the_four_forms(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    day = date(2025, 6, 3)  # a day no other test uses (each engine has its own database)
    hxp = await unit_id(demo_app, "HXP")
    url = f"/api/v1/register/units/{hxp}"
    before = (await reviewer.get(url, params={"start": day.isoformat(), "end": day.isoformat()})).json()
    await approved_decision(inspector, reviewer, demo_app, measure="admonishment", effective_on=day)
    await approved_decision(inspector, reviewer, demo_app, measure="party_warning", effective_on=day)
    await approved_decision(inspector, reviewer, demo_app, measure="party_warning", effective_on=day)
    await new_decision(inspector, demo_app, measure="demotion", effective_on=day)  # a draft does not count
    after = (await reviewer.get(url, params={"start": day.isoformat(), "end": day.isoformat()})).json()
    assert after["total"] - before["total"] == 3
    assert after["by_form"]["1"] - before["by_form"]["1"] == 1
    assert after["by_form"]["2"] - before["by_form"]["2"] == 2
    assert after["by_form"]["3"] == before["by_form"]["3"]
    counts = {m["measure_code"]: m["count"] for m in after["by_measure"]}
    assert counts["party_warning"] >= 2
    hxn = await unit_id(demo_app, "HXN")
    other = await inspector.get(
        f"/api/v1/register/units/{hxn}", params={"start": day.isoformat(), "end": day.isoformat()}
    )
    assert other.status_code == 404  # li.na has no role at HXN


async def test_admins_edit_the_catalogue_and_drafted_decisions_keep_theirs(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """A measure of its own (the shared demerit stays as seeded): drafted at 12 months, changed to 13."""
    inspector, _ = team
    code = f"demerit_{uuid.uuid4().hex[:6]}"
    body = {
        "form": 2,
        "name": "记过（试）",
        "name_en": "Demerit (trial)",
        "period_months": 12,
        "period_choices": "",
        "active": True,
        "sort": 99,
    }
    admin = await new_client(demo_app, "admin")
    try:
        measures = {m["code"]: m for m in (await admin.get("/api/v1/measures")).json()}
        assert measures["party_probation"]["period_choices"] == [12, 24]
        assert measures["admonishment"]["name"] == "诫勉"
        assert (await admin.write("POST", f"/api/v1/measures/{code}", json=body)).status_code in (200, 201)
        d = await new_decision(inspector, demo_app, measure=code)
        assert d["period_months"] == 12
        assert (await inspector.write("PUT", f"/api/v1/measures/{code}", json=body)).status_code == 403
        changed = await admin.write("PUT", f"/api/v1/measures/{code}", json=body | {"period_months": 13})
        assert changed.status_code == 200, changed.text
        assert changed.json()["period_months"] == 13
        bad = await admin.write("PUT", f"/api/v1/measures/{code}", json=body | {"form": 7})
        assert bad.status_code == 422
    finally:
        await close(admin)
    kept = (await inspector.get(f"/api/v1/decisions/{d['id']}")).json()["decision"]
    assert kept["period_months"] == 12  # drafted before the change, kept as drafted
    assert await audit_events(demo_app, action="catalogue.measure.update", object_id=code)


async def test_only_an_administrator_of_the_root_unit_edits_group_wide_catalogues(demo_app: DemoApp) -> None:
    """An administrator of a company administers that company, not the group's measures or calendar."""
    company_admin, _ = await make_user(demo_app, "admin", "HXP")
    c = await new_client(demo_app, company_admin, TEST_PASSWORD)
    root = await new_client(demo_app, "admin")
    try:
        body = {"form": 2, "name": "记过", "name_en": "Demerit", "period_months": 1, "period_choices": ""}
        denied_before = len(await audit_events(demo_app, action="access.denied", object_type="catalogue"))
        assert (await c.write("PUT", "/api/v1/measures/demerit", json=body)).status_code == 403
        day = "2031-01-02"
        override = {"is_workday": False, "note": "试"}
        assert (await c.write("PUT", f"/api/v1/calendar/overrides/{day}", json=override)).status_code == 403
        assert (await c.get("/admin/measures")).status_code == 403
        assert len(await audit_events(demo_app, action="access.denied", object_type="catalogue")) == (
            denied_before + 3
        )
        demerit = next(m for m in (await c.get("/api/v1/measures")).json() if m["code"] == "demerit")
        assert demerit["period_months"] == 12  # unchanged
        # The group's administrator may (on a measure of this test's own).
        code = f"m_{uuid.uuid4().hex[:6]}"
        assert (await root.write("POST", f"/api/v1/measures/{code}", json=body)).status_code in (200, 201)
        assert (await root.write("PUT", f"/api/v1/measures/{code}", json=body)).status_code == 200
        assert (await root.get("/admin/measures")).status_code == 200
    finally:
        await close(c)
        await close(root)


async def test_closing_with_a_first_form_measure_records_it_as_a_decision(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    today = local_today()
    hxp = await unit_id(demo_app, "HXP")
    stats_url, window = (
        f"/api/v1/register/units/{hxp}",
        {"start": today.isoformat(), "end": today.isoformat()},
    )
    before = (await reviewer.get(stats_url, params=window)).json()
    case = await drive_to(workflow.TALK_INQUIRY, demo_app, inspector, reviewer)
    subject = await person_id(demo_app, "HXP0203")

    no_measure = await act(inspector, case, "close_first_form", person_id=subject)
    assert no_measure.status_code == 422, no_measure.text
    second_form = await act(
        inspector, case, "close_first_form", person_id=subject, measure_code="party_warning"
    )
    assert second_form.status_code == 422, second_form.text
    outsider = await person_id(demo_app, "HXP0601")
    not_a_subject = await act(
        inspector, case, "close_first_form", person_id=outsider, measure_code="talk_reminder"
    )
    assert not_a_subject.status_code == 422, not_a_subject.text
    assert (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["case"][
        "status"
    ] == workflow.TALK_INQUIRY

    closed = await act(inspector, case, "close_first_form", person_id=subject, measure_code="talk_reminder")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == workflow.CLOSED
    found = (await reviewer.get("/api/v1/decisions", params={"case_id": case["id"]})).json()
    assert [(d["person_id"], d["measure_code"], d["form"], d["status"]) for d in found] == [
        (subject, "talk_reminder", 1, "approved")
    ]
    person = (await reviewer.get(f"/api/v1/register/persons/{subject}")).json()
    assert found[0]["id"] in {d["id"] for d in person["decisions"]}
    after = (await reviewer.get(stats_url, params=window)).json()
    assert after["by_form"]["1"] - before["by_form"]["1"] == 1
    assert after["total"] - before["total"] == 1
    events = await audit_events(demo_app, action="decision.first_form", object_id=str(found[0]["id"]))
    assert len(events) == 1


async def test_a_returned_decision_shows_why_and_its_drafter_changes_and_resubmits_it(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    d = await new_decision(inspector, demo_app)
    assert (await inspector.write("POST", f"/api/v1/decisions/{d['id']}/submit")).status_code == 201
    request = await pending_request(reviewer, d)
    reason = "事实认定部分缺少证据，请补充后再报"
    back = await reviewer.write("POST", f"/api/v1/approvals/{request}/return", json={"comment": reason})
    assert back.status_code == 200, back.text

    page = (await inspector.get(f"/decisions/{d['id']}")).text
    assert 'data-testid="returned-reason"' in page
    assert reason in page
    assert 'data-step="edit"' in page
    # Another inspector of the unit sees why, but only the drafter changes it.
    colleague_name, _ = await make_user(demo_app, "inspector", "HXP")
    colleague = await new_client(demo_app, colleague_name, TEST_PASSWORD)
    try:
        assert 'data-step="edit"' not in (await colleague.get(f"/decisions/{d['id']}")).text
    finally:
        await close(colleague)

    current = (await inspector.get(f"/api/v1/decisions/{d['id']}")).json()["decision"]
    fields = {
        "version": current["version"],
        "measure_code": "party_warning",
        "effective_on": current["effective_on"],
        "reasoning": "经补充核实，违反中央八项规定精神，公车私用三次。",
        "period_months": "",
    }
    changed = await inspector.write("POST", f"/decisions/{d['id']}/edit", data=fields, follow_redirects=False)
    assert changed.status_code == 303, changed.text
    second = {**fields, "reasoning": "第二稿：另补充两名证人证言。"}
    stale = await inspector.write("POST", f"/decisions/{d['id']}/edit", data=second, follow_redirects=False)
    assert stale.status_code == 409  # the same version again: someone changed it since
    assert "第二稿：另补充两名证人证言。" in stale.text  # and nothing typed is lost
    resubmitted = await inspector.write(
        "POST", f"/decisions/{d['id']}/submit", data={}, follow_redirects=False
    )
    assert resubmitted.status_code == 303, resubmitted.text
    after = (await inspector.get(f"/api/v1/decisions/{d['id']}")).json()["decision"]
    assert after["status"] == "submitted"
    assert after["reasoning"] == fields["reasoning"]
    history = await sql(
        demo_app, "SELECT step FROM decision_steps WHERE decision_id = :d ORDER BY id", d=d["id"]
    )
    assert [h[0] for h in history] == ["submit", "return", "edit", "submit"]
    edits = await audit_events(demo_app, action="decision.update", object_id=str(d["id"]))
    assert len(edits) == 1
    assert "公车私用三次" in edits[0][5]  # both versions kept: the event holds before and after
