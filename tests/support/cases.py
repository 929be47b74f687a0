"""Arranging supervision cases through the API: register, press a transition, decide, bring to a status."""

from __future__ import annotations

from typing import Any

from integrity.domain.cases import workflow
from tests.conftest import Client, DemoApp
from tests.support.helpers import person_id, unit_id, user_id


async def register(
    c: Client,
    demo_app: DemoApp,
    *,
    unit: str = "HXP",
    subjects: tuple[str, ...] = ("HXP0203",),
    confidential: bool = False,
    title: str = "公车私用问题线索",
) -> dict[str, Any]:
    body = {
        "unit_id": await unit_id(demo_app, unit),
        "source": "letters_visits",
        "category": "eight_point_rules",
        "title": title,
        "summary": "群众反映某领导干部周末公车私用。",
        "received_on": "2026-10-08",
        "confidential": confidential,
        "subject_ids": [await person_id(demo_app, n) for n in subjects],
    }
    response = await c.write("POST", "/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def act(c: Client, case: dict[str, Any], transition: str, **fields: Any) -> Any:
    current = (await c.get(f"/api/v1/cases/{case['id']}")).json()["case"]
    body = {"transition": transition, "version": current["version"], "reason": "依据核查情况", **fields}
    return await c.write("POST", f"/api/v1/cases/{case['id']}/transitions", json=body)


async def decide(c: Client, case: dict[str, Any], verb: str = "approve", comment: str = "同意") -> Any:
    inbox = (await c.get("/api/v1/approvals")).json()
    pending = [r for r in inbox if r["object_type"] == "case" and r["object_id"] == case["id"]]
    assert pending, "the proposal is not in the reviewer's inbox"
    return await c.write("POST", f"/api/v1/approvals/{pending[0]['id']}/{verb}", json={"comment": comment})


async def seat_on_panel(c: Client, demo_app: DemoApp, case: dict[str, Any], username: str = "li.na") -> None:
    panel_id = await user_id(demo_app, username)
    assigned = await c.write(
        "POST", f"/api/v1/cases/{case['id']}/assignments", json={"user_id": panel_id, "team": "hearing"}
    )
    assert assigned.status_code == 201, assigned.text


async def drive_to(status: str, demo_app: DemoApp, inspector: Client, reviewer: Client) -> dict[str, Any]:
    """A new case brought to `status` through the table (and the reviewer where it needs approval)."""
    case = await register(inspector, demo_app)
    path: dict[str, list[tuple[str, dict[str, Any], bool]]] = {
        workflow.REGISTERED: [],
        workflow.DISPOSAL_PROPOSED: [("propose_disposal", {"disposal": "talk_inquiry"}, False)],
        workflow.TALK_INQUIRY: [("propose_disposal", {"disposal": "talk_inquiry"}, True)],
        workflow.PRELIMINARY_VERIFICATION: [
            ("propose_disposal", {"disposal": "preliminary_verification"}, True)
        ],
        workflow.CLOSED: [("propose_disposal", {"disposal": "closed"}, True)],
    }
    pv = path[workflow.PRELIMINARY_VERIFICATION]
    path[workflow.SHELVED] = [*pv, ("shelve", {}, False)]
    path[workflow.TRANSFERRED] = [*pv, ("transfer", {}, False)]
    path[workflow.INVESTIGATION_PROPOSED] = [*pv, ("propose_investigation", {}, False)]
    path[workflow.INVESTIGATION] = [*pv, ("propose_investigation", {}, True)]
    for name, fields, needs_approval in path.get(status, path[workflow.INVESTIGATION]):
        response = await act(inspector, case, name, **fields)
        assert response.status_code == 200, (name, response.text)
        if needs_approval:
            assert (await decide(reviewer, case)).status_code == 200
    if status in (workflow.HEARING, workflow.DECIDED):
        # The inspector who registered the case did not investigate it, so she may sit on the panel.
        await seat_on_panel(inspector, demo_app, case)
        assert (await act(inspector, case, "start_hearing")).status_code == 200
        if status == workflow.DECIDED:
            await approve_a_decision(inspector, reviewer, demo_app, case)
            assert (await act(inspector, case, "conclude_hearing")).status_code == 200
    current = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["case"]
    assert current["status"] == status
    return dict(current)


async def approve_a_decision(
    inspector: Client, reviewer: Client, demo_app: DemoApp, case: dict[str, Any]
) -> dict[str, Any]:
    """A decision on the case's subject, drafted by the inspector and approved by the reviewer."""
    from tests.support.decisions import approved_decision  # it arranges its cases with register() above

    return await approved_decision(inspector, reviewer, demo_app, measure="admonishment", case=case)
