"""The ledgers (台账) on the hand-built unit: each lists exactly the records arranged, as Excel and as PDF;
a reader who is one case's subject finds nothing of it in either; the PDF is sealed, in the export ledger
and verifiable, and issuing either is audited. On both engines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Client, DemoApp
from tests.support.helpers import audit_events, sql
from tests.support.statistics import arrange_records, day, ledger_body, ledger_rows
from tests.support.trails import page_texts, run_verifier, service_public_key, trail_json

PERIOD = {"period": "custom", "start": day(-100), "end": day(100)}


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> dict[str, Any]:
    return await arrange_records(demo_app)


async def _workbook(client: Client, office: dict[str, Any], ledger: str) -> list[tuple[Any, ...]]:
    return await ledger_rows(client, ledger, {**PERIOD, "unit_id": office["unit"]})


async def test_the_decisions_ledger_lists_the_decisions_in_force(office: dict[str, Any]) -> None:
    rows = await _workbook(office["reviewer"], office, "decisions")
    assert rows[0][0] == "处分执行台账"
    assert any(str(r[0]).startswith("统计期间") and day(-100) in str(r[0]) for r in rows[1:6])
    body = ledger_body(rows)
    # A1 (警告), A2 (诫勉) and E (记过) take effect in the period; B is a draft and LY a year earlier.
    assert sorted(r[5] for r in body) == sorted(["警告", "诫勉", "记过"])
    assert [r[0] for r in body] == [1, 2, 3]
    assert rows[-1][0] == "合计 3 条"
    reader = ledger_body(await _workbook(office["reader"], office, "decisions"))
    assert sorted(r[5] for r in reader) == sorted(["警告", "诫勉"])


async def test_the_rectification_ledger_and_its_overdue_column(
    office: dict[str, Any], demo_app: DemoApp
) -> None:
    body = ledger_body(await _workbook(office["reviewer"], office, "rectification"))
    requirements = {
        r[0]: r
        for r in await sql(
            demo_app,
            "SELECT requirement, id FROM rectification_items WHERE unit_id = :u",
            u=office["unit"],
        )
    }
    assert {r[1] for r in body} == set(requirements)  # all five were set in the period
    overdue = {r[1] for r in body if r[8] == "是"}
    by_id = {v[1]: k for k, v in requirements.items()}
    assert overdue == {by_id[office["items"]["E"]], by_id[office["items"]["reopened"]]}
    reader = ledger_body(await _workbook(office["reader"], office, "rectification"))
    assert by_id[office["items"]["E"]] not in {r[1] for r in reader}
    assert len(reader) == len(body) - 1


async def test_the_ledger_pdf_is_sealed_in_the_export_ledger_and_verifies(
    office: dict[str, Any], demo_app: DemoApp, tmp_path: Path
) -> None:
    reader = office["reader"]
    await _workbook(reader, office, "decisions")
    got = await reader.get("/statistics/ledgers/decisions/pdf", params={**PERIOD, "unit_id": office["unit"]})
    assert got.status_code == 200, got.text
    assert got.content.startswith(b"%PDF")
    text = "".join(page_texts(got.content))
    assert "处分执行台账" in text
    assert "警告" in text
    assert "记过" not in text  # E's decision: the reader is its subject
    sealed = json.loads(trail_json(got.content))
    assert sealed["export"]["kind"] == "ledger"
    assert len(sealed["export"]["rows"]) == 2
    digest = hashlib.sha256(got.content).hexdigest()
    ((kind, title, unit),) = await sql(
        demo_app, "SELECT kind, title, unit_id FROM trail_exports WHERE pdf_sha256 = :d", d=digest
    )
    assert (kind, unit) == ("ledger", office["unit"])
    assert title.startswith("处分执行台账")
    verdict = (await office["auditor"].get("/api/v1/exports/verify", params={"sha256": digest})).json()
    assert verdict["authentic"] is True
    assert verdict["ledger_title"] == title
    issued = await audit_events(demo_app, action="statistics.ledger_export", object_id=str(office["unit"]))
    assert any(digest in e[5] for e in issued)
    assert any('"xlsx"' in e[5] for e in issued)  # the workbook too
    checked = run_verifier(got.content, tmp_path, service_public_key(demo_app))
    assert checked.returncode == 0, checked.stderr
    assert "2 rows" in checked.stdout


async def test_an_unknown_ledger_is_refused(office: dict[str, Any]) -> None:
    wrong = await office["reviewer"].get(
        "/statistics/ledgers/nothing/xlsx", params={"unit_id": office["unit"]}
    )
    assert wrong.status_code == 422
    assert "leads" in wrong.text  # the page names the ledgers there are
