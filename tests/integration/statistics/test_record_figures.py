"""Accountability and rectification statistics on a hand-built unit: each figure against counts written out
here by hand, every cell listing exactly the records it counts, and a reader who is one case's subject."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Client, DemoApp
from tests.support.statistics import arrange_records, day


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> dict[str, Any]:
    return await arrange_records(demo_app)


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
