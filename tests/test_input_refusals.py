"""Bad input to the API: a clear problem (RFC 9457), nothing stored, never a 500."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Client, DemoApp
from tests.helpers import person_id, sql, unit_id, user_id
from tests.test_cases import register

BLANKS = ("   ", "\t\n", "\u3000")  # spaces, tabs and newlines, an ideographic space


@pytest.mark.parametrize("blank", BLANKS, ids=["spaces", "tab-newline", "ideographic-space"])
async def test_whitespace_only_text_is_refused(
    demo_app: DemoApp, team: tuple[Client, Client], blank: str
) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    events_before = (await sql(demo_app, "SELECT max(seq) FROM audit_events"))[0][0]
    attempts = {
        "case title": (
            "/api/v1/cases",
            {
                "unit_id": await unit_id(demo_app, "HXP"),
                "source": "letters_visits",
                "category": "eight_point_rules",
                "title": blank,
                "summary": "",
                "received_on": "2026-10-08",
                "subject_ids": [await person_id(demo_app, "HXP0203")],
            },
        ),
        "note": (f"/api/v1/cases/{case['id']}/notes", {"body": blank}),
        "decision reasoning": (
            "/api/v1/decisions",
            {
                "case_id": case["id"],
                "person_id": await person_id(demo_app, "HXP0203"),
                "measure_code": "party_warning",
                "effective_on": date.today().isoformat(),
                "reasoning": blank,
            },
        ),
        "rectification requirement": (
            "/api/v1/rectification/items",
            {
                "unit_id": await unit_id(demo_app, "HXP-EAST"),
                "case_id": case["id"],
                "requirement": blank,
                "responsible_user_id": await user_id(demo_app, "sun.qiang"),
                "due_on": date.today().isoformat(),
            },
        ),
    }
    for what, (url, body) in attempts.items():
        response = await inspector.write("POST", url, json=body)
        assert response.status_code == 400, (what, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), what
        messages = [e["message"] for e in response.json()["errors"]]
        assert "Must not be empty or only white space." in messages, (what, messages)
    assert (await sql(demo_app, "SELECT max(seq) FROM audit_events"))[0][0] == events_before
