"""Clock extensions: asked for with a reason, granted by another person who reviews, recorded and audited."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from integrity.domain.cases import workflow
from integrity.lib.workdays import WorkCalendar, add_months
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, approve_a_decision, drive_to
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql


async def hearing_clock(c: Client, case: dict[str, Any]) -> dict[str, Any]:
    clocks = (await c.get(f"/api/v1/cases/{case['id']}")).json()["clocks"]
    running = [k for k in clocks if k["rule"] == "hearing" and k["met_on"] is None]
    assert running, clocks
    return dict(running[0])


async def ask(c: Client, case: dict[str, Any], clock: dict[str, Any], **body: Any) -> Any:
    payload = {"amount": 10, "unit": "working_days", "reason": "涉案人员较多，需补充谈话", **body}
    return await c.write("POST", f"/api/v1/cases/{case['id']}/clocks/{clock['id']}/extensions", json=payload)


async def test_a_reviewer_grants_more_time_and_the_due_date_moves(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.HEARING, demo_app, inspector, reviewer)
    clock = await hearing_clock(inspector, case)
    assert clock["extendable"]
    assert not clock["extension_pending"]

    asked = await ask(inspector, case, clock)
    assert asked.status_code == 201, asked.text
    assert asked.json()["payload"]["proposed_due_on"] == (
        WorkCalendar().add_working_days(date.fromisoformat(clock["due_on"]), 10).isoformat()
    )
    waiting = await hearing_clock(inspector, case)
    assert waiting["due_on"] == clock["due_on"]
    assert waiting["extension_pending"]
    assert (await ask(inspector, case, clock)).status_code == 409  # one request at a time

    inbox = (await reviewer.get("/api/v1/approvals")).json()
    (request,) = [r for r in inbox if r["kind"] == "case.clock_extension" and r["object_id"] == clock["id"]]
    approved = await reviewer.write(
        "POST", f"/api/v1/approvals/{request['id']}/approve", json={"comment": "同意"}
    )
    assert approved.status_code == 200, approved.text

    granted = await hearing_clock(inspector, case)
    assert granted["due_on"] == asked.json()["payload"]["proposed_due_on"]
    assert not granted["extension_pending"]
    rows = await sql(
        demo_app,
        "SELECT previous_due_on, new_due_on, reason, approval_id FROM case_clock_extensions "
        "WHERE clock_id = :k",
        k=clock["id"],
    )
    assert [(str(r[0]), str(r[1]), r[2], r[3]) for r in rows] == [
        (clock["due_on"], granted["due_on"], "涉案人员较多，需补充谈话", request["id"])
    ]
    (extended,) = await audit_events(demo_app, action="case.clock_extend", object_id=str(case["id"]))
    changes = json.loads(extended[5])
    assert changes["before"] == {"due_on": clock["due_on"]}
    assert changes["after"] == {"due_on": granted["due_on"]}

    months = await ask(inspector, case, granted, amount=1, unit="months")
    assert months.status_code == 201
    assert (
        months.json()["payload"]["proposed_due_on"]
        == add_months(date.fromisoformat(granted["due_on"]), 1).isoformat()
    )


async def test_extension_requests_that_are_refused(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.HEARING, demo_app, inspector, reviewer)
    clock = await hearing_clock(inspector, case)
    assert (await ask(inspector, case, clock, reason="  ")).status_code == 422
    assert (await ask(inspector, case, clock, amount=61)).status_code == 422
    assert (await ask(inspector, case, clock, amount=4, unit="months")).status_code == 422
    assert (await ask(inspector, case, clock, unit="weeks")).status_code == 400
    assert (await ask(inspector, case, {"id": 999_999})).status_code == 404
    other = await drive_to(workflow.HEARING, demo_app, inspector, reviewer)
    other_clock = await hearing_clock(inspector, other)
    assert (await ask(inspector, case, other_clock)).status_code == 404  # a clock of another case
    assert (await ask(reviewer, case, clock)).status_code == 403  # reviewers decide, they do not ask

    verifying = await drive_to(workflow.PRELIMINARY_VERIFICATION, demo_app, inspector, reviewer)
    (verification,) = (await inspector.get(f"/api/v1/cases/{verifying['id']}")).json()["clocks"]
    assert not verification["extendable"]
    assert (await ask(inspector, verifying, verification)).status_code == 409  # not an extendable clock


async def test_no_one_grants_their_own_request_and_a_return_changes_nothing(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.HEARING, demo_app, inspector, reviewer)
    both_name, _both_id = await make_user(demo_app, "inspector", "HXP", extra_roles=(("reviewer", "HXP"),))
    both = await new_client(demo_app, both_name, TEST_PASSWORD)
    clock = await hearing_clock(both, case)
    asked = await ask(both, case, clock)
    assert asked.status_code == 201
    own = await both.write("POST", f"/api/v1/approvals/{asked.json()['id']}/approve", json={"comment": ""})
    assert own.status_code == 403
    assert (await both.get("/api/v1/approvals")).json() == [
        r for r in (await both.get("/api/v1/approvals")).json() if r["id"] != asked.json()["id"]
    ]
    returned = await reviewer.write(
        "POST", f"/api/v1/approvals/{asked.json()['id']}/return", json={"comment": "理由不充分"}
    )
    assert returned.status_code == 200
    assert (await hearing_clock(inspector, case))["due_on"] == clock["due_on"]
    assert (
        await sql(demo_app, "SELECT id FROM case_clock_extensions WHERE clock_id = :k", k=clock["id"]) == []
    )
    await close(both)


async def test_a_stopped_clock_cannot_be_granted_time(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.HEARING, demo_app, inspector, reviewer)
    clock = await hearing_clock(inspector, case)
    asked = await ask(inspector, case, clock)
    await approve_a_decision(inspector, reviewer, demo_app, case)
    assert (await act(inspector, case, "conclude_hearing")).status_code == 200  # the clock is met
    late = await reviewer.write(
        "POST", f"/api/v1/approvals/{asked.json()['id']}/approve", json={"comment": ""}
    )
    assert late.status_code == 409
    status = await sql(demo_app, "SELECT status FROM approval_requests WHERE id = :r", r=asked.json()["id"])
    assert status[0][0] == "pending"  # the refused approval wrote nothing
