"""Persons: recorded and corrected from their page, the HR roster imported all or nothing with a row
report, and a person's page that lists only the cases its reader may see."""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from tests.conftest import DemoApp, new_client
from tests.integration.admin.test_units import new_unit
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql, unit_id

HEADERS = ["员工编号", "姓名", "单位（代码或名称）", "职务", "干部级别", "是否党员"]


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_person_is_recorded_and_corrected_from_their_page(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    team = await new_unit(admin, await unit_id(demo_app, "HXT"))
    number = f"T{uuid.uuid4().hex[:8]}"
    form = {"csrf_token": admin.csrf, "name": "韩冰", "unit_id": str(team["id"]), "employee_no": number}
    made = await admin.post("/persons/new", data=form)
    assert made.status_code == 303
    person_id = int(re.search(r"/persons/(\d+)", made.headers["location"]).group(1))  # type: ignore[union-attr]
    blank = await admin.post(f"/persons/{person_id}", data={**form, "name": " "})
    assert blank.status_code == 422
    changed = await admin.post(
        f"/persons/{person_id}", data={**form, "position": "采购员", "party_member": "true"}
    )
    assert changed.status_code == 303
    (row,) = await sql(demo_app, "SELECT position, party_member FROM persons WHERE id = :i", i=person_id)
    assert row[0] == "采购员"
    assert row[1]
    assert await audit_events(demo_app, action="person.update", object_id=str(person_id))
    await close(admin)


async def test_a_persons_page_lists_only_the_cases_its_reader_may_see(demo_app: DemoApp) -> None:
    # 郑芳 (HXP0303) is the subject of a demo case at 华东分公司; a fresh inspector there declares her kin.
    (subject,) = await sql(demo_app, "SELECT id FROM persons WHERE employee_no = 'HXP0303'")
    about = await sql(
        demo_app,
        "SELECT c.number FROM cases c JOIN case_subjects s ON s.case_id = c.id WHERE s.person_id = :p",
        p=subject[0],
    )
    assert about
    username, _ = await make_user(demo_app, "inspector", "HXP-EAST")
    kin = await new_client(demo_app, username, TEST_PASSWORD)
    declared = await kin.write("POST", "/api/v1/me/relations", json={"person_id": subject[0], "kind": "kin"})
    assert declared.status_code == 201
    readers = {"zhang.wei": await new_client(demo_app, "zhang.wei"), "kin": kin}
    readers["admin"] = await new_client(demo_app, "admin")
    pages = {name: (await c.get(f"/persons/{subject[0]}")).text for name, c in readers.items()}
    assert all(number in pages["zhang.wei"] for (number,) in about)
    assert not any(number in pages["kin"] for (number,) in about)  # a relation: not even a number
    assert not any(number in pages["admin"] for (number,) in about)  # no case role, no case
    for c in readers.values():
        await close(c)


async def test_the_hr_roster_is_imported_all_or_nothing_with_a_row_report(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    team = await new_unit(admin, await unit_id(demo_app, "HXT"))
    known, same = f"R{uuid.uuid4().hex[:7]}", f"S{uuid.uuid4().hex[:7]}"
    for number, name in ((known, "秦岭"), (same, "江河")):
        form = {"csrf_token": admin.csrf, "name": name, "unit_id": str(team["id"]), "employee_no": number}
        assert (await admin.post("/persons/new", data=form)).status_code == 303
    fresh = f"N{uuid.uuid4().hex[:7]}"
    rows = [
        [fresh, "新同事", team["code"], "出纳", "", "否"],
        [known, "秦岭", team["name"], "财务主管", "正科级", "是"],
        [same, "江河", team["code"], "", "", "否"],
        ["", "无编号", "NO-SUCH-UNIT", "", "", "也许"],
    ]

    async def upload(content: bytes) -> Any:
        files = {"file": ("roster.xlsx", content, "application/octet-stream")}
        return await admin.post("/persons/import", data={"csrf_token": admin.csrf}, files=files)

    refused = await upload(workbook(rows))
    assert refused.status_code == 422
    assert refused.text.count("<tr><td>5</td>") == 3  # row 5: number, unit and party member
    assert not await sql(demo_app, "SELECT 1 FROM persons WHERE employee_no = :n", n=fresh)
    done = await upload(workbook(rows[:3]))
    assert done.status_code == 200, done.text
    assert "新增 1 人，更正 1 人，1 人无变化" in done.text
    (corrected,) = await sql(
        demo_app, "SELECT position, cadre_level FROM persons WHERE employee_no = :n", n=known
    )
    assert tuple(corrected) == ("财务主管", "正科级")
    assert await sql(demo_app, "SELECT 1 FROM persons WHERE employee_no = :n", n=fresh)
    assert await audit_events(demo_app, action="person.import")
    template = await admin.get("/persons/roster-template.xlsx")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    await close(admin)
