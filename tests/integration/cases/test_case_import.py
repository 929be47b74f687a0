"""Importing leads from Excel: all rows or none, a report naming each bad row and column, no formulas."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from integrity.cli import main
from integrity.config import get_settings
from tests.conftest import TEST_SECRET, Client, DemoApp, ScratchDatabase, new_client
from tests.support.helpers import audit_events, close, sql

ZH_HEADER = [
    "单位（代码或名称）",
    "线索来源",
    "问题类别",
    "标题",
    "收到日期",
    "概要",
    "被反映人（工号）",
    "保密",
]
EN_HEADER = ["Unit", "Source", "Category", "Title", "Received on", "Summary", "Subjects", "Confidential"]


def workbook(header: list[str], *rows: list[Any], formula_at: tuple[int, int] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if formula_at:  # a real formula cell, as a spreadsheet user would type it
        sheet.cell(*formula_at).value = '=HYPERLINK("http://evil.example","点击")'
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(tag: str) -> list[list[Any]]:
    return [
        [
            "HXP",
            "信访举报",
            "eight_point_rules",
            f"{tag}公车私用",
            datetime(2026, 10, 8),
            "周末公车私用",
            "HXP0203",
            "否",
        ],
        [
            "华夏电力股份有限公司",
            "letters_visits",
            "中央八项规定精神",
            f"{tag}违规吃喝",
            "2026/10/09",
            "",
            "HXP0203、HXP0204",
            "是",
        ],
        ["HXP", "Letters and visits", "Eight-point rules", f"{tag}=1+2 不是公式", "2026-10-10", "", "", ""],
    ]


async def upload(c: Client, content: bytes, dry_run: bool = False) -> Any:
    files = {
        "file": ("线索.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    }
    params = {"dry_run": "true"} if dry_run else {}
    return await c.write("POST", "/api/v1/cases/import", files=files, params=params)


async def count_titled(demo_app: DemoApp, tag: str) -> int:
    return int((await sql(demo_app, "SELECT count(*) FROM cases WHERE title LIKE :t", t=f"{tag}%"))[0][0])


async def test_a_correct_sheet_registers_every_row(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _reviewer = team
    unit_name = (await sql(demo_app, "SELECT name FROM units WHERE code = 'HXP'"))[0][0]
    rows = good_rows("导入甲")
    rows[1][0] = unit_name
    response = await upload(inspector, workbook(ZH_HEADER, *rows))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 3
    assert len(body["registered"]) == 3
    assert body["errors"] == []
    saved = await sql(
        demo_app,
        "SELECT number, title, received_on, confidential, source, category FROM cases "
        "WHERE title LIKE '导入甲%' ORDER BY id",
    )
    assert [r[0] for r in saved] == body["registered"]
    assert [str(r[2])[:10] for r in saved] == ["2026-10-08", "2026-10-09", "2026-10-10"]
    assert [bool(r[3]) for r in saved] == [False, True, False]
    assert {(r[4], r[5]) for r in saved} == {("letters_visits", "eight_point_rules")}
    assert saved[2][1] == "导入甲=1+2 不是公式"  # text that looks like a formula stays text
    second = (await inspector.get("/api/v1/cases?q=导入甲违规吃喝")).json()["items"]
    assert len(second) == 1
    subjects = (await inspector.get(f"/api/v1/cases/{second[0]['id']}")).json()["subjects"]
    assert sorted(s["employee_no"] for s in subjects) == ["HXP0203", "HXP0204"]
    imports = await audit_events(demo_app, action="case.import")
    (imported,) = [e for e in imports if body["registered"][0] in e[5]]
    assert imported[1] == "li.na"


async def test_english_headers_and_a_dry_run_that_registers_nothing(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _reviewer = team
    events_before = len(await audit_events(demo_app))
    response = await upload(inspector, workbook(EN_HEADER, *good_rows("导入乙")), dry_run=True)
    assert response.status_code == 200, response.text
    assert response.json()["registered"] == []
    assert response.json()["dry_run"] is True
    assert await count_titled(demo_app, "导入乙") == 0
    assert len(await audit_events(demo_app)) == events_before


async def test_every_bad_row_is_reported_and_nothing_is_registered(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _reviewer = team
    rows = [
        *good_rows("导入丙"),
        ["NOPE", "信访举报", "eight_point_rules", "导入丙单位错", "2026-10-08", "", "", ""],
        ["HXP", "信访举报", "eight_point_rules", "导入丙日期错", "10月8日", "", "HXP9999", "也许"],
        ["HXP", "小道消息", "eight_point_rules", "", "2026-10-08", "", "", ""],
        ["HXN", "信访举报", "eight_point_rules", "导入丙无权单位", "2026-10-08", "", "", ""],
        ["HXP", "信访举报", "eight_point_rules", "导入丙公式", "2026-10-08", "", "", ""],
    ]
    response = await upload(inspector, workbook(ZH_HEADER, *rows, formula_at=(9, 6)))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["detail"] == "Some rows cannot be imported; nothing was registered."
    found = {(e["row"], e["column"], e["message"]) for e in problem["errors"]}
    assert found >= {
        (5, "Unit (code or name)", "No unit with this code or name where you may register leads."),
        (6, "Received on", "Not a date; write it as 2026-10-08."),
        (6, "Subjects (employee numbers)", "No person with this employee number."),
        (6, "Confidential", "Write 是 or 否 (yes or no)."),
        (7, "Source", "Not a source in the catalogue."),
        (7, "Title", "Required."),
        (8, "Unit (code or name)", "No unit with this code or name where you may register leads."),
        (9, "Summary", "A formula is not accepted; type the value."),
    }
    assert len([e for e in problem["errors"] if e["row"] == 9]) == 1  # the formula row: nothing else wrong
    assert not [e for e in problem["errors"] if e["row"] in (2, 3, 4)]  # the good rows are not blamed
    assert await count_titled(demo_app, "导入丙") == 0


async def test_files_that_are_not_lead_sheets_are_refused(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    not_excel = await upload(inspector, b"%PDF-1.7 not a workbook")
    assert not_excel.status_code == 422
    assert not_excel.json()["detail"] == "This file is not an Excel (.xlsx) workbook."
    no_title = await upload(inspector, workbook(["单位", "线索来源"], ["HXP", "信访举报"]))
    assert no_title.status_code == 422
    elsewhere = await upload(reviewer, workbook(ZH_HEADER, *good_rows("导入丁")))  # inspector in HXN only
    assert elsewhere.status_code == 422
    assert {e["row"] for e in elsewhere.json()["errors"]} == {2, 3, 4}
    pure_reviewer = await new_client(demo_app, "liu.yang")
    assert (await upload(pure_reviewer, workbook(ZH_HEADER, *good_rows("导入丁")))).status_code == 403
    await close(pure_reviewer)


async def test_the_template_names_the_columns_and_the_codes(team: tuple[Client, Client]) -> None:
    inspector, _reviewer = team
    response = await inspector.get("/api/v1/cases/import-template.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == ZH_HEADER
    codes = {row[0] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert {"HXP", "letters_visits", "eight_point_rules"} <= codes
    assert "HXN" not in codes  # only units where this user may register


async def test_the_import_page_shows_the_report(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _reviewer = team
    assert "批量导入线索" in (await inspector.get("/cases/import")).text
    bad = workbook(ZH_HEADER, ["NOPE", "信访举报", "eight_point_rules", "导入戊 <script>", "2026-10-08"])
    page = await inspector.write(
        "POST", "/cases/import", files={"file": ("a.xlsx", bad)}, data={"csrf_token": inspector.csrf}
    )
    assert page.status_code == 422
    assert 'data-testid="import-errors"' in page.text
    assert "没有该代码或名称、且您可登记线索的单位。" in page.text
    good = workbook(ZH_HEADER, *good_rows("导入戊"))
    page = await inspector.write(
        "POST", "/cases/import", files={"file": ("a.xlsx", good)}, data={"csrf_token": inspector.csrf}
    )
    assert page.status_code == 200
    assert "已登记 3 条线索" in page.text
    assert await count_titled(demo_app, "导入戊") == 3


@pytest.fixture
def demo_cli(empty_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("INTEGRITY_ENV", "test")
    monkeypatch.setenv("INTEGRITY_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("INTEGRITY_DATABASE_URL", empty_db.url)
    monkeypatch.setenv("INTEGRITY_DATA_DIR", str(empty_db.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    for args in (["db", "upgrade"], ["demo"]):
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    yield runner
    get_settings.cache_clear()


def test_the_command_line_import_reports_rows_and_registers(demo_cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(ZH_HEADER, ["NOPE", "信访举报", "eight_point_rules", "命令行", "2026-10-08"]))
    refused = demo_cli.invoke(main, ["cases", "import", str(bad), "--as", "li.na"])
    assert refused.exit_code == 1
    assert "2\t单位（代码或名称）\t没有该代码或名称、且您可登记线索的单位。" in refused.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(ZH_HEADER, *good_rows("命令行")))
    checked = demo_cli.invoke(main, ["cases", "import", str(good), "--as", "li.na", "--dry-run"])
    assert checked.exit_code == 0, checked.output
    assert "3 rows checked" in checked.output
    done = demo_cli.invoke(main, ["cases", "import", str(good), "--as", "li.na"])
    assert done.exit_code == 0, done.output
    assert "registered 3 leads: JJ-" in done.output
    assert "批量导入线索" in done.output  # the progress bar, labelled in li.na's language
    nobody = demo_cli.invoke(main, ["cases", "import", str(good), "--as", "nobody"])
    assert nobody.exit_code == 1
