"""Legal clocks in working days on the Chinese calendar, across the 2026 National Day holiday."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from integrity.domain.cases import clocks as clock_service
from integrity.lib.workdays import WorkCalendar, add_months
from tests.conftest import DemoApp, new_client
from tests.support.cases import act, decide, register
from tests.support.helpers import close, sql


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
