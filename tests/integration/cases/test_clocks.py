"""Legal clocks in working days on the Chinese calendar, across the 2026 National Day holiday."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from integrity.domain.cases import clocks as clock_service
from integrity.domain.cases import workflow
from integrity.lib.workdays import WorkCalendar, add_months
from tests.conftest import DemoApp, new_client
from tests.support.cases import act, decide, drive_to, register
from tests.support.helpers import TEST_PASSWORD, close, make_user, sql


def test_fifteen_working_days_across_national_day() -> None:
    cal = WorkCalendar()
    # Oct 1-7 2026 are holidays; Sat Oct 10 is a make-up workday (调休).
    assert cal.add_working_days(date(2026, 9, 28), 15) == date(2026, 10, 23)
    assert cal.add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 12)  # Mon-Fri counting says Oct 6
    assert not cal.is_workday(date(2026, 10, 5))
    assert cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 9, 20))  # the Sunday make-up day before it
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert cal.guessed == set()


def test_overrides_win_and_unknown_years_fall_back_to_weekdays() -> None:
    plain = WorkCalendar()
    assert plain.add_working_days(date(2030, 1, 1), 1) == date(2030, 1, 2)
    assert plain.guessed == {2030}
    overridden = WorkCalendar({date(2030, 1, 2): False, date(2026, 10, 5): True})
    assert overridden.add_working_days(date(2030, 1, 1), 1) == date(2030, 1, 3)
    assert overridden.is_workday(date(2026, 10, 5))


def test_calendar_months_clamp_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 6) == date(2027, 5, 15)


async def test_entering_verification_starts_its_clock_and_leaving_meets_it(demo_app: DemoApp) -> None:
    inspector, reviewer = await new_client(demo_app, "li.na"), await new_client(demo_app, "chen.jing")
    case = await register(inspector, demo_app)
    assert (
        await act(inspector, case, "propose_disposal", disposal="preliminary_verification")
    ).status_code == 200
    assert (await decide(reviewer, case)).status_code == 200
    detail = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()
    (clock,) = detail["clocks"]
    today = clock_service.local_today()
    assert clock["rule"] == "verification"
    assert clock["started_on"] == today.isoformat()
    assert clock["due_on"] == WorkCalendar().add_working_days(today, 15).isoformat()
    assert clock["state"] == "running"

    # Overdue and due-soon show in the filters and on the case.
    await sql(
        demo_app,
        "UPDATE case_clocks SET due_on = :d WHERE case_id = :c",
        d=today - timedelta(days=1),
        c=case["id"],
    )
    overdue = (await inspector.get("/api/v1/cases", params={"clock": "overdue", "limit": 200})).json()[
        "items"
    ]
    assert case["id"] in {c["id"] for c in overdue}
    assert (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"][0]["state"] == "overdue"
    await sql(demo_app, "UPDATE case_clocks SET due_on = :d WHERE case_id = :c", d=today, c=case["id"])
    due_soon = (await inspector.get("/api/v1/cases", params={"clock": "due_soon", "limit": 200})).json()[
        "items"
    ]
    assert case["id"] in {c["id"] for c in due_soon}
    assert (await inspector.get("/api/v1/cases", params={"clock": "someday"})).status_code == 422

    assert (await act(inspector, case, "shelve")).status_code == 200
    met: list[Any] = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"]
    assert met[0]["met_on"] == today.isoformat()
    assert met[0]["state"] == "met"
    await close(inspector)
    await close(reviewer)


async def test_only_administrators_set_calendar_overrides(demo_app: DemoApp) -> None:
    admin, inspector = await new_client(demo_app, "admin"), await new_client(demo_app, "li.na")
    body = {"is_workday": False, "note": "2030 元旦"}
    assert (
        await inspector.write("PUT", "/api/v1/calendar/overrides/2030-01-01", json=body)
    ).status_code == 403
    response = await admin.write("PUT", "/api/v1/calendar/overrides/2030-01-01", json=body)
    assert response.status_code == 200
    listed = (await inspector.get("/api/v1/calendar/overrides")).json()
    assert {"day": "2030-01-01", "is_workday": False, "note": "2030 元旦"} in listed
    events = await sql(demo_app, "SELECT count(*) FROM audit_events WHERE action = 'calendar.override'")
    assert events[0][0] >= 1
    await close(admin)
    await close(inspector)


async def test_the_reply_clock_starts_when_the_letter_is_sent_and_the_report_clock_after_the_reply(
    demo_app: DemoApp,
) -> None:
    inspector, reviewer = await new_client(demo_app, "li.na"), await new_client(demo_app, "chen.jing")
    case = await drive_to(workflow.TALK_INQUIRY, demo_app, inspector, reviewer)
    url = f"/api/v1/cases/{case['id']}"
    today = clock_service.local_today()
    assert (await inspector.get(url)).json()["clocks"] == []  # entering 谈话函询 starts nothing yet

    assert (await act(inspector, case, "send_inquiry_letter")).status_code == 200
    (reply,) = (await inspector.get(url)).json()["clocks"]
    assert (reply["rule"], reply["state"]) == ("inquiry_reply", "running")
    assert reply["due_on"] == WorkCalendar().add_working_days(today, 15).isoformat()

    assert (await act(inspector, case, "record_talk_or_reply")).status_code == 200
    clocks = {c["rule"]: c for c in (await inspector.get(url)).json()["clocks"]}
    assert clocks["inquiry_reply"]["met_on"] == today.isoformat()
    assert clocks["talk_report"]["state"] in ("running", "due_soon")
    assert clocks["talk_report"]["due_on"] == add_months(today, 1).isoformat()
    await close(inspector)
    await close(reviewer)


async def test_a_reviewer_stops_a_clock_with_a_reason_and_it_no_longer_counts(demo_app: DemoApp) -> None:
    inspector, reviewer = await new_client(demo_app, "li.na"), await new_client(demo_app, "chen.jing")
    case = await drive_to(workflow.PRELIMINARY_VERIFICATION, demo_app, inspector, reviewer)
    (clock,) = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"]
    await sql(
        demo_app,
        "UPDATE case_clocks SET due_on = :d WHERE id = :c",
        d=clock_service.local_today() - timedelta(days=1),
        c=clock["id"],
    )
    stop_url = f"/api/v1/cases/{case['id']}/clocks/{clock['id']}/stop"
    assert (await inspector.write("POST", stop_url, json={"reason": "暂停"})).status_code == 403
    assert (await reviewer.write("POST", stop_url, json={"reason": "  "})).status_code in (400, 422)
    stopped = await reviewer.write("POST", stop_url, json={"reason": "当事人病休，暂停核实"})
    assert stopped.status_code == 200, stopped.text
    (after,) = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"]
    assert (after["state"], after["stop_reason"]) == ("stopped", "当事人病休，暂停核实")
    overdue = (await inspector.get("/api/v1/cases", params={"clock": "overdue", "limit": 200})).json()
    assert case["id"] not in {c["id"] for c in overdue["items"]}
    assert (await reviewer.write("POST", stop_url, json={"reason": "再停"})).status_code == 409
    events = await sql(
        demo_app,
        "SELECT actor, outcome FROM audit_events WHERE action = 'case.clock_stop' AND object_id = :c",
        c=str(case["id"]),
    )
    assert events == [("chen.jing", "ok")]
    await close(inspector)
    await close(reviewer)


async def test_only_root_administrators_change_clock_rules_and_new_clocks_follow(demo_app: DemoApp) -> None:
    admin, inspector = await new_client(demo_app, "admin"), await new_client(demo_app, "li.na")
    reviewer = await new_client(demo_app, "chen.jing")
    rules = {r["code"]: r for r in (await inspector.get("/api/v1/clock-rules")).json()}
    assert {"inquiry_reply", "talk_report", "verification", "hearing"} <= set(rules)
    assert rules["inquiry_reply"]["start_step"] == "send_inquiry_letter"
    assert (rules["talk_report"]["status"], rules["talk_report"]["start_step"]) == (
        "talk_inquiry",
        "record_talk_or_reply",
    )
    body = {"amount": 20, "unit": "working_days"}
    assert (await inspector.write("PATCH", "/api/v1/clock-rules/verification", json=body)).status_code == 403
    company_admin_name, _ = await make_user(demo_app, "admin", "HXP")  # an administrator of a company
    company_admin = await new_client(demo_app, company_admin_name, TEST_PASSWORD)
    try:
        refused = await company_admin.write("PATCH", "/api/v1/clock-rules/verification", json=body)
        assert refused.status_code == 403, refused.text
        assert (await company_admin.get("/admin/clock-rules")).status_code == 403
    finally:
        await close(company_admin)
    assert (
        await admin.write("PATCH", "/api/v1/clock-rules/verification", json={"amount": 999})
    ).status_code == 422
    try:
        changed = await admin.write("PATCH", "/api/v1/clock-rules/verification", json=body)
        assert changed.status_code == 200, changed.text
        assert changed.json()["amount"] == 20
        case = await drive_to(workflow.PRELIMINARY_VERIFICATION, demo_app, inspector, reviewer)
        (clock,) = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"]
        today = clock_service.local_today()
        assert clock["due_on"] == WorkCalendar().add_working_days(today, 20).isoformat()
        events = await sql(
            demo_app,
            "SELECT actor, changes FROM audit_events"
            " WHERE action = 'clock_rule.update' AND object_id = 'verification'",
        )
        assert events
        assert events[-1][0] == "admin"
        assert '"amount":20' in events[-1][1]
    finally:
        restored = await admin.write("PATCH", "/api/v1/clock-rules/verification", json={"amount": 15})
        assert restored.status_code == 200
    assert (await admin.write("PATCH", "/api/v1/clock-rules/nope", json=body)).status_code == 404
    for c in (admin, inspector, reviewer):
        await close(c)
