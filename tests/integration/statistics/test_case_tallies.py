"""The case figures' monthly tallies: triggers mark the months a change touches, the worker counts them
again, and a page read from tallies shows what counting the cases shows, special cases included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from integrity.db.models import Unit
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.statistics import case_durations, case_figures, figures, tallied_figures, tallies
from integrity.domain.statistics.figures import Reach
from integrity.domain.statistics.periods import Period
from tests.conftest import DemoApp, new_client
from tests.support.helpers import close, make_user, sql
from tests.support.notify import make_office, make_person, new_case, worker


async def _stale(demo_app: DemoApp) -> set[date]:
    rows = await sql(demo_app, "SELECT DISTINCT month FROM statistics_stale_months")
    return {r[0] if isinstance(r[0], date) else date.fromisoformat(r[0]) for r in rows}


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # noon in Beijing


async def _step(demo_app: DemoApp, case_id: int, name: str, a: str, b: str, day: date) -> None:
    await sql(
        demo_app,
        "INSERT INTO case_transitions (case_id, transition, from_status, to_status, reason, at)"
        " VALUES (:c, :n, :a, :b, '', :at)",
        c=case_id, n=name, a=a, b=b, at=_at(day),
    )  # fmt: skip


@pytest.fixture(scope="module")
async def arranged(demo_app: DemoApp) -> dict[str, Any]:
    """Leads of 2024 in a new unit: one disposed of, reopened and disposed of again in the same quarter,
    one confidential on a reader's team, one about a reader's person, and a clock set twice."""
    made = await make_office(demo_app, {"inspector": "inspector"})
    people = [await make_person(demo_app, made.unit_id, f"月度统计对象{n}") for n in range(3)]
    subject_name, _ = await make_user(demo_app, "reviewer", made.code, person_id=people[2])
    plain_name, _ = await make_user(demo_app, "inspector", made.code)
    inspector = await new_client(demo_app, made.username("inspector"))
    try:
        cases = [
            await new_case(inspector, made, [people[n % 2]], f"月度统计线索{n}", received_on=day)
            for n, day in enumerate(("2024-01-20", "2024-02-11", "2024-02-29", "2024-03-31", "2024-04-02"))
        ]
        secret = await new_case(
            inspector, made, [people[0]], "月度统计保密线索", confidential=True, received_on="2024-02-05"
        )
        about = await new_case(inspector, made, [people[2]], "月度统计关于读者", received_on="2024-03-03")
    finally:
        await close(inspector)
    again, once = cases[0]["id"], cases[1]["id"]
    for case_id, disposal, day in (
        (again, "closed", date(2024, 1, 25)),
        (once, "shelved", date(2024, 2, 15)),
    ):
        await _step(demo_app, case_id, "approve", "disposal_proposed", disposal, day)
    await _step(demo_app, again, "reopen", "closed", "registered", date(2024, 2, 1))
    await _step(demo_app, again, "approve", "disposal_proposed", "closed", date(2024, 3, 10))
    await _step(demo_app, about["id"], "approve", "disposal_proposed", "talk_inquiry", date(2024, 3, 12))
    await _step(demo_app, secret["id"], "approve", "disposal_proposed", "talk_inquiry", date(2024, 2, 20))
    for due, met in ((date(2024, 1, 31), None), (date(2024, 3, 29), date(2024, 3, 1))):
        await sql(
            demo_app,
            "INSERT INTO case_clocks (case_id, rule_code, started_on, due_on, met_on, stop_reason)"
            " VALUES (:c, 'talk_report', :s, :d, :m, '')",
            c=once, s=date(2024, 1, 2), d=due, m=met,
        )  # fmt: skip
    return {
        "office": made,
        "unit": made.unit_id,
        "readers": [plain_name, subject_name, made.username("inspector")],
        "secret": secret["id"],
    }


async def test_a_change_marks_its_months_and_the_worker_counts_them_again(
    demo_app: DemoApp, arranged: dict[str, Any]
) -> None:
    await tallies.count_stale(demo_app.app.state.db)
    assert await _stale(demo_app) == set()
    # A step at 02:00 on 1 March in Beijing is still February in UTC: both months are marked.
    await _step(demo_app, arranged["secret"], "edit", "talk_inquiry", "talk_inquiry", date(2024, 2, 29))
    await sql(demo_app, "UPDATE case_transitions SET at = :at WHERE case_id = :c AND transition = 'edit'",
              at=datetime(2024, 2, 29, 18, tzinfo=UTC), c=arranged["secret"])  # fmt: skip
    assert await _stale(demo_app) == {date(2024, 2, 1), date(2024, 3, 1)}
    # The worker's pass counts them again (its upkeep, installed by the wiring).
    await worker(demo_app, demo_app.settings).run_once(scan=False)
    assert await _stale(demo_app) == set()
    tallied = await sql(
        demo_app,
        "SELECT sum(n) FROM statistics_tallies WHERE figure = 'received_by_source'"
        " AND unit_id = :u AND month = :m",
        u=arranged["unit"], m=date(2024, 2, 1),
    )  # fmt: skip
    assert tallied[0][0] == 3  # received in February: the 11th, the 29th, and the confidential one


async def _both(demo_app: DemoApp, username: str, reach: Reach, period: Period) -> tuple[Any, Any]:
    async with demo_app.app.state.db.read_session() as session:
        access, _ = await offline_access(session, username, "test")
        read = await tallied_figures.case_page(session, access, case_figures.FIGURES, reach, period)
        counted = (
            await figures.compared(session, access, case_figures.FIGURES, reach, period),
            await case_durations.compared(session, access, reach, period),
        )
    return read, counted


@pytest.mark.parametrize(
    "period",
    [
        Period.containing("quarter", date(2024, 3, 1)),
        Period.containing("year", date(2024, 3, 1)),
        Period("custom", date(2024, 1, 22), date(2024, 3, 11)),
    ],
    ids=["quarter", "year", "days"],
)
async def test_figures_from_tallies_are_what_counting_the_cases_gives(
    demo_app: DemoApp, arranged: dict[str, Any], period: Period
) -> None:
    await tallies.count_stale(demo_app.app.state.db)
    async with demo_app.app.state.db.read_session() as session:
        unit = await session.get(Unit, arranged["unit"])
    assert unit is not None
    for username in (*arranged["readers"], "zhao.min"):
        for reach in (Reach(unit), Reach(unit, descendants=False)):
            (read, read_durations), (counted, counted_durations) = await _both(
                demo_app, username, reach, period
            )
            assert [(c.figure.name, c.now, c.before, c.year_before) for c in read] == [
                (c.figure.name, c.now, c.before, c.year_before) for c in counted
            ], username
            assert read_durations == counted_durations, username


async def test_a_case_disposed_of_twice_in_a_quarter_counts_once(
    demo_app: DemoApp, arranged: dict[str, Any]
) -> None:
    """Reopened in February, disposed of in January and in March: one case closed in the quarter (and
    the other disposal, shelved); the auditor sees the confidential one too."""
    await tallies.count_stale(demo_app.app.state.db)
    async with demo_app.app.state.db.read_session() as session:
        unit = await session.get(Unit, arranged["unit"])
    assert unit is not None
    quarter = Period.containing("quarter", date(2024, 1, 1))
    (read, _), _ = await _both(demo_app, arranged["readers"][0], Reach(unit), quarter)
    by_name = {c.figure.name: c.now for c in read}
    assert by_name["disposals"] == {"closed": 1, "shelved": 1, "talk_inquiry": 1}  # not the confidential
    assert by_name["received_by_source"] == {"letters_visits": 5}
    # The subject of one lead, a reviewer who may open confidential ones: that lead gone, the other in.
    (read, _), _ = await _both(demo_app, arranged["readers"][1], Reach(unit), quarter)
    assert {c.figure.name: c.now for c in read}["disposals"] == {"closed": 1, "shelved": 1, "talk_inquiry": 1}
    (read, _), _ = await _both(demo_app, "zhao.min", Reach(unit), quarter)
    assert {c.figure.name: c.now for c in read}["disposals"] == {"closed": 1, "shelved": 1, "talk_inquiry": 2}
