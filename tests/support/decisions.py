"""Arranging accountability decisions through the API, shared by the decision and browser tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import TEST_PASSWORD, make_user, person_id


async def new_decision(
    inspector: Client,
    demo_app: DemoApp,
    *,
    measure: str = "party_warning",
    effective_on: date | None = None,
    case: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A draft decision about the case's subject (HXP0203) in a fresh case."""
    case = case or await register(inspector, demo_app)
    body = {
        "case_id": case["id"],
        "person_id": await person_id(demo_app, "HXP0203"),
        "measure_code": measure,
        "effective_on": (effective_on or local_today()).isoformat(),
        "reasoning": "经审理，违反中央八项规定精神，公车私用。",
        **extra,
    }
    created = await inspector.write("POST", "/api/v1/decisions", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json()["decision"])


async def pending_request(c: Client, decision: dict[str, Any]) -> int:
    got = (await c.get(f"/api/v1/decisions/{decision['id']}")).json()
    assert got["pending_approval_id"], got
    return int(got["pending_approval_id"])


async def approved_decision(
    inspector: Client, reviewer: Client, demo_app: DemoApp, **kw: Any
) -> dict[str, Any]:
    decision = await new_decision(inspector, demo_app, **kw)
    assert (await inspector.write("POST", f"/api/v1/decisions/{decision['id']}/submit")).status_code == 201
    request = await pending_request(reviewer, decision)
    approved = await reviewer.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": "同意"})
    assert approved.status_code == 200, approved.text
    return dict((await inspector.get(f"/api/v1/decisions/{decision['id']}")).json()["decision"])


async def appeal_of(inspector: Client, decision: dict[str, Any]) -> dict[str, Any]:
    filed = await inspector.write(
        "POST",
        f"/api/v1/decisions/{decision['id']}/appeals",
        json={"filed_on": local_today().isoformat(), "grounds": "认为处分过重，申请复查"},
    )
    assert filed.status_code == 201, filed.text
    return dict(filed.json()["appeals"][-1])


async def panel_member(demo_app: DemoApp, reviewer: Client, appeal: dict[str, Any]) -> Client:
    name, uid = await make_user(demo_app, "reviewer", "HXP")
    assert (
        await reviewer.write("POST", f"/api/v1/decisions/appeals/{appeal['id']}/panel", json={"user_id": uid})
    ).status_code == 201
    return await new_client(demo_app, name, TEST_PASSWORD)
