"""Bad input to the API: a clear problem (RFC 9457), nothing stored, never a 500."""

from __future__ import annotations

import pytest

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp
from tests.support.cases import register
from tests.support.helpers import person_id, sql, unit_id, user_id

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
                "effective_on": local_today().isoformat(),
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
                "due_on": local_today().isoformat(),
            },
        ),
    }
    for what, (url, body) in attempts.items():
        response = await inspector.write("POST", url, json=body)
        assert response.status_code == 400, (what, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), what
        messages = [e["message"] for e in response.json()["errors"]]
        assert "Must not be empty or only white space, nor hold the NUL character." in messages, (
            what,
            messages,
        )
    assert (await sql(demo_app, "SELECT max(seq) FROM audit_events"))[0][0] == events_before


HUGE = "11743289354543058386944"  # beyond 64 bits


async def test_ids_beyond_64_bits_are_not_found(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _ = team
    for url in (
        f"/api/v1/units/{HUGE}",
        f"/api/v1/cases/{HUGE}",
        f"/api/v1/persons/{HUGE}",
        f"/api/v1/decisions/{HUGE}",
        f"/api/v1/rectification/items/{HUGE}",
        f"/cases/{HUGE}",
        f"/api/v1/cases/-{HUGE}",
    ):
        response = await inspector.get(url)
        assert response.status_code == 404, (url, response.status_code, response.text[:200])
    write = await inspector.write("POST", f"/api/v1/cases/{HUGE}/notes", json={"body": "记录"})
    assert write.status_code == 404, write.text


BOUNDARY = "integrity-test-boundary"


def _multipart(*fields: tuple[str, str]) -> bytes:
    """A multipart body with plain fields only (no file part at all)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


async def test_a_multipart_request_without_its_file_is_a_clear_400(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    for url in ("/api/v1/cases/import", f"/api/v1/cases/{case['id']}/evidence"):
        for body in (_multipart(("field", "value")), _multipart(("file", "")), _multipart()):
            headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
            response = await inspector.write("POST", url, content=body, headers=headers)
            assert response.status_code == 400, (url, body, response.status_code, response.text[:300])
            assert response.headers["content-type"].startswith("application/problem+json")


async def test_numbers_beyond_64_bits_in_a_query_or_a_body_are_bad_input(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """Found by the API fuzzer (scripts/fuzz_api.py): such a number reached the database and answered 500."""
    inspector, _ = team
    for params in ({"unit_id": HUGE}, {"assignee_id": HUGE}, {"unit_id": f"-{HUGE}"}):
        response = await inspector.get("/api/v1/cases", params=params)
        assert response.status_code == 400, (params, response.status_code, response.text[:200])
        assert response.headers["content-type"].startswith("application/problem+json")
    relation = await inspector.write(
        "POST", "/api/v1/me/relations", json={"person_id": int(HUGE), "kind": "kin", "note": ""}
    )
    assert relation.status_code == 422, relation.text
    case = await register(inspector, demo_app)
    draft = await inspector.write(
        "POST",
        "/api/v1/decisions",
        json={"case_id": case["id"], "person_id": int(HUGE), "measure_code": "party_warning",
              "effective_on": "2026-11-30", "reasoning": "理由"},
    )  # fmt: skip
    assert draft.status_code in (404, 422), draft.text
    # Past PostgreSQL's 32-bit id columns but within SQLite's: the same answer on both engines.
    for params in ({"unit_id": 3_000_000_000}, {"assignee_id": 2**40}):
        response = await inspector.get("/api/v1/cases", params=params)
        assert response.status_code == 400, (params, response.status_code, response.text[:200])
    assert (await inspector.get("/api/v1/units/3000000000")).status_code == 404
    # The request after them is served as usual: nothing was left half-done.
    assert (await inspector.get("/api/v1/cases", params={"limit": 1})).status_code == 200


async def test_the_nul_character_is_refused_alike_on_both_engines(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """Found by the API fuzzer: PostgreSQL cannot compare text with NUL in it and answered 500."""
    inspector, _ = team
    for url in ("/api/v1/cases/count", "/api/v1/cases"):
        response = await inspector.get(url, params={"category": "\x00F", "sort": "number"})
        assert response.status_code == 422, (url, response.status_code, response.text[:200])
        assert response.headers["content-type"].startswith("application/problem+json")
    page = await inspector.get("/cases", params={"q": "公车\x00", "lang": "zh"})
    assert page.status_code == 422
    assert "空字符" in page.text
    note = await inspector.write(
        "POST",
        f"/api/v1/cases/{(await register(inspector, demo_app))['id']}/notes",
        json={"body": "记录\x00"},
    )
    assert note.status_code in (400, 422), note.text
