"""A hand-built unit for the accountability and rectification statistics and the ledgers: decisions,
appeals, items and letters on cases A, B and E, where E is about the reader (a reviewer of the unit)."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp, new_client
from tests.support.helpers import TEST_PASSWORD, close, make_user, sql
from tests.support.notify import make_office, make_person, new_case
from tests.support.rectification import EVIDENCE

T = local_today()


def day(offset: int) -> str:
    return (T + timedelta(days=offset)).isoformat()


async def _approve(reviewer: Client, request_id: int) -> None:
    done = await reviewer.write("POST", f"/api/v1/approvals/{request_id}/approve", json={"comment": "同意"})
    assert done.status_code == 200, done.text


async def _decision(
    inspector: Client, reviewer: Client, case: dict[str, Any], person: int, measure: str, effective: int
) -> int:
    """A decision drafted and, unless `reviewer` is None, approved: its id."""
    body = {
        "case_id": case["id"],
        "person_id": person,
        "measure_code": measure,
        "effective_on": day(effective),
        "reasoning": "经审理，违反中央八项规定精神。",
    }
    made = await inspector.write("POST", "/api/v1/decisions", json=body)
    assert made.status_code == 201, made.text
    decision_id = int(made.json()["decision"]["id"])
    if reviewer is not None:
        assert (await inspector.write("POST", f"/api/v1/decisions/{decision_id}/submit")).status_code == 201
        got = (await reviewer.get(f"/api/v1/decisions/{decision_id}")).json()
        await _approve(reviewer, int(got["pending_approval_id"]))
    return decision_id


async def _appeal(inspector: Client, decision_id: int) -> int:
    filed = await inspector.write(
        "POST",
        f"/api/v1/decisions/{decision_id}/appeals",
        json={"filed_on": day(0), "grounds": "认为处分过重，申请复查"},
    )
    assert filed.status_code == 201, filed.text
    return int(filed.json()["appeals"][-1]["id"])


async def arrange_records(demo_app: DemoApp) -> dict[str, Any]:
    """A unit under HXT: decisions, appeals, items and letters on cases A, B, E (E about the reader)."""
    made = await make_office(
        demo_app,
        {"inspector": "inspector", "reviewer": "reviewer", "rectifier": "rectifier", "auditor": "auditor"},
    )
    people = [await make_person(demo_app, made.unit_id, f"统计对象{n}") for n in range(3)]
    reader_name, _ = await make_user(demo_app, "reviewer", made.code, person_id=people[2])
    inspector = await new_client(demo_app, made.username("inspector"))
    reviewer = await new_client(demo_app, made.username("reviewer"))
    rectifier = await new_client(demo_app, made.username("rectifier"))

    async def lead(subject: int, received: int) -> dict[str, Any]:
        title = f"统计测试 {uuid.uuid4().hex[:6]}"
        return await new_case(inspector, made, [subject], title, received_on=day(received))

    a, b, e = await lead(people[0], -50), await lead(people[1], -50), await lead(people[2], -50)
    last_year = await lead(people[1], -380)
    decisions = {
        "A1": await _decision(inspector, reviewer, a, people[0], "party_warning", -40),  # form 2, 12 months
        "A2": await _decision(inspector, reviewer, a, people[0], "admonishment", -30),  # form 1
        "B": await _decision(inspector, None, b, people[1], "talk_reminder", -20),  # a draft: in no count
        "E": await _decision(inspector, reviewer, e, people[2], "demerit", -10),  # form 2, 12 months
        "LY": await _decision(inspector, reviewer, last_year, people[1], "administrative_warning", -370),
    }
    appeals = {"A1": await _appeal(inspector, decisions["A1"]), "E": await _appeal(inspector, decisions["E"])}

    rectifier_id = made.users["rectifier"][1]

    async def item(case: dict[str, Any] | None, due: int) -> int:
        body: dict[str, Any] = {
            "unit_id": made.unit_id,
            "requirement": f"整改事项 {uuid.uuid4().hex[:6]}",
            "responsible_user_id": rectifier_id,
            "due_on": day(due),
        }
        if case:
            body["case_id"] = case["id"]
        created = await inspector.write("POST", "/api/v1/rectification/items", json=body)
        assert created.status_code == 201, created.text
        return int(created.json()["item"]["id"])

    async def close_off(item_id: int) -> None:
        url = f"/api/v1/rectification/items/{item_id}"
        assert (await rectifier.write("POST", f"{url}/evidence", files={"file": EVIDENCE})).status_code == 201
        assert (
            await rectifier.write("POST", f"{url}/submit", json={"description": "已整改完毕"})
        ).status_code == 201
        await _approve(reviewer, int((await reviewer.get(url)).json()["pending_approval_id"]))

    async def reinspect(item_id: int, outcome: str) -> None:
        url = f"/api/v1/rectification/items/{item_id}/reinspections"
        visit = await inspector.write("POST", url, json={"scheduled_on": day(0)})
        assert visit.status_code == 201, visit.text
        found = await inspector.write(
            "POST", f"{url}/{visit.json()['id']}/outcome", json={"outcome": outcome, "findings": "现场抽查"}
        )
        assert found.status_code == 201, found.text

    items = {
        "late": await item(a, -20),  # closed off today, 20 days late; a re-inspection confirms it
        "on_time": await item(a, 20),  # closed off today, before its due date
        "E": await item(e, -5),  # open and overdue; about the reader's case
        "reopened": await item(b, -30),  # closed off, then reopened by a re-inspection: overdue again
    }
    await close_off(items["late"])
    await reinspect(items["late"], "confirmed")
    await close_off(items["on_time"])
    await close_off(items["reopened"])
    await reinspect(items["reopened"], "reopened")
    letter = await inspector.write(
        "POST",
        "/api/v1/rectification/letters",
        json={
            "unit_id": made.unit_id,
            "title": "关于加强公务用车管理的纪检监察建议书",
            "issued_on": day(-3),
            "items": [
                {"requirement": "建立派车登记台账", "responsible_user_id": rectifier_id, "due_on": day(50)}
            ],
        },
    )
    assert letter.status_code == 201, letter.text
    bare = await inspector.write(
        "POST",
        "/api/v1/rectification/letters",
        json={
            "unit_id": made.unit_id,
            "title": "关于规范会议费管理的建议书",
            "issued_on": day(-2),
            "case_id": a["id"],
        },
    )
    assert bare.status_code == 201, bare.text
    letter_item = int(
        (
            await sql(
                demo_app, "SELECT id FROM rectification_items WHERE letter_id = :l", l=letter.json()["id"]
            )
        )[0][0]
    )
    items["letter"] = letter_item
    for c in (inspector, rectifier):
        await close(c)
    return {
        "unit": made.unit_id,
        "decisions": decisions,
        "appeals": appeals,
        "items": items,
        "letters": {"in_progress": int(letter.json()["id"]), "no_items": int(bare.json()["id"])},
        "reviewer": reviewer,
        "auditor": await new_client(demo_app, made.username("auditor")),
        "reader": await new_client(demo_app, reader_name, TEST_PASSWORD),
    }


async def ledger_rows(client: Client, ledger: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A ledger's workbook as its reader downloads it: the first sheet's rows."""
    got = await client.get(f"/statistics/ledgers/{ledger}/xlsx", params=params)
    assert got.status_code == 200, got.text
    assert "attachment" in got.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(got.content)).worksheets[0]
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def ledger_body(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The table's rows: after the header (the row starting 序号), up to the blank line before the total."""
    start = next(i for i, r in enumerate(rows) if r[0] == "序号") + 1
    end = next(i for i in range(start, len(rows)) if not any(rows[i]))
    return rows[start:end]
