"""Case statistics on a hand-built unit: each figure against counts written out here by hand, the period
comparisons, the drill-down listing exactly what a cell counts, and a reader who is a case's subject."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from integrity.domain.cases.clocks import local_today
from integrity.domain.statistics import tallies
from integrity.domain.statistics.periods import Period
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, decide
from tests.support.helpers import TEST_PASSWORD, close, make_user, sql, unit_id
from tests.support.notify import make_office, make_person, new_case


async def _dispose(
    inspector: Client, reviewer: Client, case: dict[str, Any], how: str, approve: bool = True
) -> None:
    assert (await act(inspector, case, "propose_disposal", disposal=how)).status_code == 200
    assert (await decide(reviewer, case, "approve" if approve else "return")).status_code == 200


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> dict[str, Any]:
    """A new unit under HXT with five leads (A–E, below); E is about the person the reader is."""
    made = await make_office(demo_app, {"inspector": "inspector", "reviewer": "reviewer"})
    people = [await make_person(demo_app, made.unit_id, f"统计对象{n}") for n in range(3)]
    # The reader: a reviewer here who is also the person E is about.
    reader_name, _ = await make_user(demo_app, "reviewer", made.code, person_id=people[2])
    inspector = await new_client(demo_app, made.username("inspector"))
    reviewer = await new_client(demo_app, made.username("reviewer"))
    year = local_today().year

    async def lead(received: date, source: str, category: str, subject: int) -> dict[str, Any]:
        title = f"统计测试线索 {uuid.uuid4().hex[:6]}"
        return await new_case(
            inspector,
            made,
            [subject],
            title,
            received_on=received.isoformat(),
            source=source,
            category=category,
        )

    a = await lead(date(year, 1, 15), "letters_visits", "eight_point_rules", people[0])
    b = await lead(date(year, 2, 10), "letters_visits", "integrity", people[1])
    c = await lead(date(year, 3, 5), "audit", "eight_point_rules", people[0])
    d = await lead(date(year - 1, 2, 1), "letters_visits", "eight_point_rules", people[1])
    e = await lead(date(year, 4, 1), "letters_visits", "work", people[2])
    await _dispose(inspector, reviewer, a, "talk_inquiry")
    await _dispose(inspector, reviewer, b, "preliminary_verification")
    assert (await act(inspector, b, "propose_investigation")).status_code == 200
    assert (await decide(reviewer, b)).status_code == 200  # filed (立案)
    await _dispose(inspector, reviewer, c, "shelved", approve=False)  # returned: not disposed of
    await _dispose(inspector, reviewer, e, "closed")
    await close(inspector)
    # The pages below read these months from the worker's tallies (what a change after marks stale is
    # counted from the cases).
    await tallies.count_stale(demo_app.app.state.db)
    return {
        "unit": made.unit_id,
        "year": year,
        "cases": {"A": a, "B": b, "C": c, "D": d, "E": e},
        "reviewer": reviewer,
        "reader": await new_client(demo_app, reader_name, TEST_PASSWORD),
    }


def _table(html: str, figure: str) -> dict[str, tuple[int, int, int]]:
    """A figure's rows on the page: key → (this period, period before, same period last year)."""
    section = html.split(f'data-testid="figure-{figure}"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for key, cells in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', section, re.S):
        numbers = re.findall(r'<td data-label="([^"]*)">(?:<a [^>]*>)?([+-]?\d+)', cells)
        by_label = [int(n) for label, n in numbers if label != "占比"]  # the share is a percentage
        rows[key] = (by_label[0], by_label[1], by_label[3])
    return rows


async def _page(client: Client, office: dict[str, Any], **params: Any) -> str:
    query = {"period": "year", "start": f"{office['year']}-06-01", "unit_id": office["unit"], **params}
    page = await client.get("/statistics/cases", params=query)
    assert page.status_code == 200, page.text
    return str(page.text)


async def test_each_figure_counts_what_was_arranged(office: dict[str, Any]) -> None:
    html = await _page(office["reviewer"], office)
    # Received this year: A, B, E by letters (D was last year), C by audit.
    assert _table(html, "received_by_source") == {"letters_visits": (3, 1, 1), "audit": (1, 0, 0)}
    assert _table(html, "received_by_category") == {
        "integrity": (1, 0, 0),
        "eight_point_rules": (2, 1, 1),
        "work": (1, 0, 0),
    }
    # Disposed of (approved): A by talk, B by verification, E closed; C's proposal was returned.
    assert _table(html, "disposals") == {
        "talk_inquiry": (1, 0, 0),
        "preliminary_verification": (1, 0, 0),
        "closed": (1, 0, 0),
    }
    assert _table(html, "outcomes") == {"filed": (1, 0, 0), "closed": (1, 0, 0)}


async def test_a_subject_never_counts_their_own_case(office: dict[str, Any]) -> None:
    """The reader is E's subject: E is in no figure and no drill-down of theirs."""
    html = await _page(office["reader"], office)
    assert _table(html, "received_by_source") == {"letters_visits": (2, 1, 1), "audit": (1, 0, 0)}
    assert "work" not in _table(html, "received_by_category")
    assert "closed" not in _table(html, "disposals")
    assert _table(html, "outcomes") == {"filed": (1, 0, 0)}
    e = office["cases"]["E"]
    for figure, key in (
        ("received_by_source", "letters_visits"),
        ("disposals", "closed"),
        ("outcomes", "closed"),
    ):
        listed = await office["reader"].get(
            "/statistics/cases/list",
            params={
                "figure": figure,
                "key": key,
                "period": "year",
                "start": f"{office['year']}-06-01",
                "unit_id": office["unit"],
            },
        )
        assert listed.status_code == 200
        assert e["number"] not in listed.text


async def test_a_cell_lists_exactly_the_cases_it_counts(office: dict[str, Any]) -> None:
    html = await _page(office["reviewer"], office)
    links = re.findall(r'href="(/statistics/cases/list\?[^"]+)" data-testid="cell">(\d+)<', html)
    assert len(links) >= 8
    cases = office["cases"]
    expected = {
        ("received_by_source", "letters_visits"): {"A", "B", "E"},
        ("received_by_source", "audit"): {"C"},
        ("disposals", "talk_inquiry"): {"A"},
        ("disposals", "preliminary_verification"): {"B"},
        ("outcomes", "filed"): {"B"},
        ("outcomes", "closed"): {"E"},
    }
    seen = set()
    for href, count in links:
        href = href.replace("&amp;", "&")
        listed = await office["reviewer"].get(href)
        assert listed.status_code == 200
        numbers = set(re.findall(r'<a href="/cases/\d+">([^<]+)</a>', listed.text))
        assert len(numbers) == int(count)
        figure = re.search(r"figure=(\w+)", href).group(1)  # type: ignore[union-attr]
        key = re.search(r"key=(\w+)", href).group(1)  # type: ignore[union-attr]
        if (figure, key) in expected:
            assert numbers == {cases[n]["number"] for n in expected[(figure, key)]}
            seen.add((figure, key))
    assert seen == set(expected)


async def test_periods_compare_across_a_year_boundary() -> None:
    q1 = Period.containing("quarter", date(2026, 2, 14))
    assert (q1.start, q1.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (q1.previous().start, q1.previous().end) == (date(2025, 10, 1), date(2025, 12, 31))
    assert (q1.a_year_earlier().start, q1.a_year_earlier().end) == (date(2025, 1, 1), date(2025, 3, 31))
    jan = Period.containing("month", date(2026, 1, 31))
    assert (jan.previous().start, jan.previous().end) == (date(2025, 12, 1), date(2025, 12, 31))
    span = Period.asked("custom", date(2024, 2, 29), date(2024, 3, 9), date(2026, 1, 1))
    assert (span.previous().start, span.previous().end) == (date(2024, 2, 19), date(2024, 2, 28))
    assert (span.a_year_earlier().start, span.a_year_earlier().end) == (date(2023, 2, 28), date(2023, 3, 9))


async def test_a_unit_out_of_reach_is_not_found(office: dict[str, Any], demo_app: DemoApp) -> None:
    page = await office["reader"].get("/statistics/cases", params={"unit_id": await unit_id(demo_app, "HX")})
    assert page.status_code == 404
    listed = await office["reader"].get(
        "/statistics/cases/list",
        params={"figure": "outcomes", "key": "closed", "unit_id": await unit_id(demo_app, "HX")},
    )
    assert listed.status_code == 404


async def test_deadlines_due_in_the_period_by_how_they_ended(
    office: dict[str, Any], demo_app: DemoApp
) -> None:
    """Clocks arranged with dates: A's reply met in time, B's verification overdue, E's report met late."""
    today = local_today()
    ids = {name: c["id"] for name, c in office["cases"].items()}
    await sql(
        demo_app, "DELETE FROM case_clocks WHERE case_id IN (:a, :b, :e)", a=ids["A"], b=ids["B"], e=ids["E"]
    )
    for case_id, rule, due, met in (
        (ids["A"], "inquiry_reply", today - timedelta(days=30), today - timedelta(days=35)),
        (ids["B"], "verification", today - timedelta(days=20), None),
        (ids["E"], "talk_report", today - timedelta(days=15), today - timedelta(days=5)),
        (ids["B"], "hearing", today + timedelta(days=5), None),  # not due yet: in no count
    ):
        await sql(
            demo_app,
            "INSERT INTO case_clocks (case_id, rule_code, started_on, due_on, met_on, stop_reason)"
            " VALUES (:c, :r, :s, :d, :m, '')",
            c=case_id, r=rule, s=due - timedelta(days=10), d=due, m=met,
        )  # fmt: skip
    span = {"period": "custom", "start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat()}
    html = await _page(office["reviewer"], office, **span)
    assert {k: v[0] for k, v in _table(html, "clocks").items()} == {
        "inquiry_reply.met": 1,
        "verification.overdue": 1,
        "talk_report.met_late": 1,
    }
    mine = await _page(office["reader"], office, **span)
    assert {k: v[0] for k, v in _table(mine, "clocks").items()} == {
        "inquiry_reply.met": 1,
        "verification.overdue": 1,
    }


async def test_time_taken_in_working_days(office: dict[str, Any], demo_app: DemoApp) -> None:
    """A, B and E were disposed of today; B was filed and, here, decided: medians and 90th percentiles."""
    from integrity.domain.cases.clocks import work_calendar

    async with demo_app.app.state.db.read_session() as session:
        calendar = await work_calendar(session)
    today, year = local_today(), office["year"]
    taken = sorted(
        calendar.working_days_between(date(year, m, d), today) for m, d in ((1, 15), (2, 10), (4, 1))
    )
    html = await _page(office["reviewer"], office)
    row = html.split('data-measure="receipt_to_disposal"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'data-label="[^"]*">([^<]*)<', row)
    # Three cases: the median is the middle one; the 90th percentile (nearest rank) is the largest.
    assert cells[:3] == ["3", str(taken[1]), str(taken[2])]
    mine = await _page(office["reader"], office)  # without E, received on 1 April
    row = mine.split('data-measure="receipt_to_disposal"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'data-label="[^"]*">([^<]*)<', row)
    two = sorted(calendar.working_days_between(date(year, m, d), today) for m, d in ((1, 15), (2, 10)))
    median = (two[0] + two[1]) / 2
    assert cells[:3] == ["2", f"{median:g}", str(two[1])]


async def test_time_from_filing_to_decision(office: dict[str, Any], demo_app: DemoApp) -> None:
    """B was filed today; a decision step arranged today: one case, none of the others, zero days."""
    b = office["cases"]["B"]
    html = await _page(office["reviewer"], office)
    row = html.split('data-measure="filing_to_decision"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'data-label="[^"]*">([^<]*)<', row)[:3] == ["0", "—", "—"]
    await sql(
        demo_app,
        "INSERT INTO case_transitions (case_id, transition, from_status, to_status, reason, at)"
        " VALUES (:c, 'conclude_hearing', 'hearing', 'decided', '', :at)",
        c=b["id"], at=datetime.now(UTC),
    )  # fmt: skip
    html = await _page(office["reviewer"], office)
    row = html.split('data-measure="filing_to_decision"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'data-label="[^"]*">([^<]*)<', row)[:3] == ["1", "0", "0"]
