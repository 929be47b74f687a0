"""Accountability and rectification statistics on a hand-built unit: each figure against counts written out
here by hand, every cell listing exactly the records it counts, and a reader who is one case's subject."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest

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


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> dict[str, Any]:
    """A unit under HXT: decisions, appeals, items and letters on cases A, B, E (E about the reader)."""
    made = await make_office(
        demo_app, {"inspector": "inspector", "reviewer": "reviewer", "rectifier": "rectifier"}
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
        "reader": await new_client(demo_app, reader_name, TEST_PASSWORD),
    }


PERIOD = {"period": "custom", "start": day(-100), "end": day(100)}


def _table(html: str, figure: str) -> dict[str, tuple[int, int, int]]:
    """A figure's rows on the page: key → (this period, period before, same period last year)."""
    section = html.split(f'data-testid="figure-{figure}"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for key, cells in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', section, re.S):
        numbers = re.findall(r'<td data-label="([^"]*)">(?:<a [^>]*>)?([+-]?\d+)', cells)
        by_label = [int(n) for label, n in numbers if label != "占比"]
        rows[key] = (by_label[0], by_label[1], by_label[3])
    return rows


def _shares(html: str, figure: str) -> dict[str, str]:
    section = html.split(f'data-testid="figure-{figure}"', 1)[1].split("</section>", 1)[0]
    return dict(re.findall(r'<tr data-key="([^"]+)">.*?<td data-label="占比">([^<]+)</td>', section, re.S))


async def _page(client: Client, office: dict[str, Any], section: str) -> str:
    page = await client.get(f"/statistics/{section}", params={**PERIOD, "unit_id": office["unit"]})
    assert page.status_code == 200, page.text
    return str(page.text)


async def test_accountability_figures_count_what_was_arranged(office: dict[str, Any]) -> None:
    html = await _page(office["reviewer"], office, "accountability")
    # In force with an effective date in the period: A1 (form 2), A2 (form 1), E (form 2); B is a draft.
    # A year earlier: LY (form 2). The period before (days -301 to -101) holds none.
    assert _table(html, "decisions_by_form") == {"1": (1, 0, 0), "2": (2, 0, 1)}
    assert _table(html, "decisions_by_measure") == {
        "admonishment": (1, 0, 0),
        "party_warning": (1, 0, 0),
        "administrative_warning": (0, 0, 1),
        "demerit": (1, 0, 0),
    }
    assert _table(html, "decisions_by_unit") == {str(office["unit"]): (3, 0, 1)}
    # On day +100: A1 and E run for 12 months from days -40 and -10. On day -265 (a year earlier's last
    # day), LY's 6 months from day -370 still ran; on day -101 they had ended.
    assert _table(html, "restrictions") == {
        "party_warning": (1, 0, 0),
        "demerit": (1, 0, 0),
        "administrative_warning": (0, 0, 1),
    }
    assert _table(html, "appeals") == {"filed": (2, 0, 0)}
    assert _shares(html, "decisions_by_form") == {"1": "33%", "2": "67%"}  # of 3 decisions


async def test_rectification_figures_count_what_was_arranged(office: dict[str, Any]) -> None:
    html = await _page(office["reviewer"], office, "rectification")
    # Set today: late and on_time closed off, E, reopened and the letter's item open.
    assert _table(html, "items_by_status") == {"open": (3, 0, 0), "approved": (2, 0, 0)}
    assert _table(html, "closeout") == {
        "on_time": (1, 0, 0),
        "late": (1, 0, 0),
        "overdue": (2, 0, 0),  # E and the reopened one
        "not_due": (1, 0, 0),  # the letter's item, due on day +50
    }
    assert _table(html, "overdue_by_unit") == {str(office["unit"]): (2, 0, 0)}
    assert _table(html, "reinspections") == {"confirmed": (1, 0, 0), "reopened": (1, 0, 0)}
    assert _table(html, "letters") == {"in_progress": (1, 0, 0), "no_items": (1, 0, 0)}


async def test_a_subject_never_counts_their_own_case(office: dict[str, Any]) -> None:
    """The reader is E's subject: E's decision, its appeal and its item are in none of their figures."""
    html = await _page(office["reader"], office, "accountability")
    assert _table(html, "decisions_by_form") == {"1": (1, 0, 0), "2": (1, 0, 1)}
    assert "demerit" not in _table(html, "decisions_by_measure")
    assert "demerit" not in _table(html, "restrictions")
    assert _table(html, "appeals") == {"filed": (1, 0, 0)}
    html = await _page(office["reader"], office, "rectification")
    assert _table(html, "closeout")["overdue"] == (1, 0, 0)
    assert _table(html, "overdue_by_unit") == {str(office["unit"]): (1, 0, 0)}
    d, i, appeals = office["decisions"], office["items"], office["appeals"]
    for section, figure, key, hidden in (
        ("accountability", "decisions_by_form", "2", d["E"]),
        ("accountability", "restrictions", "party_warning", d["E"]),
        ("accountability", "appeals", "filed", appeals["E"]),
        ("rectification", "closeout", "overdue", i["E"]),
        ("rectification", "items_by_status", "open", i["E"]),
    ):
        params = {**PERIOD, "unit_id": office["unit"], "figure": figure, "key": key}
        listed = await office["reader"].get(f"/statistics/{section}/list", params=params)
        assert listed.status_code == 200
        ids = {int(n) for n in re.findall(r'<tr data-id="(\d+)">', listed.text)}
        assert ids, (figure, key)
        assert hidden not in ids, (figure, key)


@pytest.mark.parametrize("section", ["accountability", "rectification"])
async def test_a_cell_lists_exactly_the_records_it_counts(office: dict[str, Any], section: str) -> None:
    html = await _page(office["reviewer"], office, section)
    links = re.findall(rf'href="(/statistics/{section}/list\?[^"]+)" data-testid="cell">(\d+)<', html)
    d, i = office["decisions"], office["items"]
    expected = {
        ("decisions_by_form", "2"): {d["A1"], d["E"]},
        ("decisions_by_form", "1"): {d["A2"]},
        ("restrictions", "demerit"): {d["E"]},
        ("appeals", "filed"): set(office["appeals"].values()),
        ("closeout", "overdue"): {i["E"], i["reopened"]},
        ("closeout", "late"): {i["late"]},
        ("reinspections", "reopened"): {i["reopened"]},
        ("letters", "no_items"): {office["letters"]["no_items"]},
        ("items_by_status", "open"): {i["E"], i["reopened"], i["letter"]},
    }
    seen = set()
    for href, count in links:
        listed = await office["reviewer"].get(href.replace("&amp;", "&"))
        assert listed.status_code == 200
        ids = {int(n) for n in re.findall(r'<tr data-id="(\d+)">', listed.text)}
        assert len(ids) == int(count), href
        figure = re.search(r"figure=(\w+)", href).group(1)  # type: ignore[union-attr]
        key = re.search(r"key=(\w+)", href).group(1)  # type: ignore[union-attr]
        if (figure, key) in expected:
            assert ids == expected[(figure, key)], (figure, key)
            seen.add((figure, key))
    assert seen == {k for k in expected if f'data-testid="figure-{k[0]}"' in html}


async def test_an_unknown_page_or_figure_is_refused(office: dict[str, Any]) -> None:
    assert (await office["reviewer"].get("/statistics/nothing")).status_code == 404
    wrong = await office["reviewer"].get(
        "/statistics/accountability/list", params={"figure": "disposals", "key": "closed"}
    )
    assert wrong.status_code == 422
