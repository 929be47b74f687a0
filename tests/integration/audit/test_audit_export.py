"""The audit trail as Excel: the filtered events in words, under the same visibility as the page."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import audit_events, close, make_user, person_id, sql, unit_id


async def export(c: Client, **filters: str) -> list[tuple[object, ...]]:
    response = await c.get("/audit/export.xlsx", params={"lang": "zh", **filters})
    assert response.status_code == 200, response.text
    today = local_today().isoformat()
    assert f"filename*=UTF-8''{quote(f'审计日志-{today}.xlsx')}" in response.headers["content-disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


async def test_an_auditor_exports_the_events_of_one_case_in_words(demo_app: DemoApp) -> None:
    inspector, auditor = await new_client(demo_app, "li.na"), await new_client(demo_app, "zhao.min")
    try:
        case = await register(inspector, demo_app, title="审计导出测试线索")
        rows = await export(auditor, case_number=case["number"])
        assert rows[0] == ("序号", "时间", "操作人", "操作", "对象", "单位", "结果", "变更内容")
        assert len(rows) == 2  # the registration, and nothing of any other case
        seq, when, who, what, target, _unit, outcome, changes = rows[1]
        registered = await audit_events(demo_app, action="case.register", object_id=str(case["id"]))
        assert seq == registered[0][0]
        assert who == "李娜"
        assert what == "登记案件"
        assert target == f"案件 {case['id']}"
        assert outcome == "完成"
        assert "审计导出测试线索" in str(changes)
        assert str(when).startswith(local_today().isoformat()[:4])
        assert await audit_events(demo_app, action="audit.export")
    finally:
        await close(inspector)
        await close(auditor)


async def test_an_auditor_who_is_the_subject_exports_nothing_of_that_case(demo_app: DemoApp) -> None:
    name, _uid = await make_user(demo_app, "auditor", "HX", person_id=await person_id(demo_app, "HXP0502"))
    inspector, auditor = await new_client(demo_app, "li.na"), await new_client(demo_app, name)
    try:
        case = await register(inspector, demo_app, subjects=("HXP0502",), title="关于审计员本人的线索")
        assert len(await export(auditor, case_number=case["number"])) == 1  # the header only
        assert len(await export(auditor, object_type="case")) > 1  # other cases' events are there
    finally:
        await close(inspector)
        await close(auditor)


async def test_the_trail_narrows_to_a_unit_and_the_units_below_it(demo_app: DemoApp) -> None:
    auditor = await new_client(demo_app, "zhao.min")
    try:
        east = await unit_id(demo_app, "HXP-EAST")
        rows = await export(auditor, unit=str(east))
        below = {
            name
            for (name,) in await sql(
                demo_app,
                "SELECT u.name FROM units u, units r WHERE r.id = :r AND u.path LIKE r.path || '%'",
                r=east,
            )
        }
        shown = {row[5] for row in rows[1:]}
        assert shown, "the demo records events in the East China branch (its items, its case)"
        assert shown <= below
        page = (await auditor.get("/audit", params={"unit": str(east), "lang": "zh"})).text
        assert f'<option value="{east}" selected>' in page
        assert f"unit={east}" in page  # the export and the pages keep the filter
    finally:
        await close(auditor)
