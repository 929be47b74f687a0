"""Group-wide catalogues and the working-day calendar: edited by the root unit's administrators only, in
both languages, each change audited; a company's administrator is refused."""

from __future__ import annotations

import uuid
from datetime import date

from tests.conftest import DemoApp, new_client
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql


async def test_a_root_administrator_adds_renames_and_withdraws_a_source_of_leads(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    inspector = await new_client(demo_app, "zhang.wei")
    code = f"t_{uuid.uuid4().hex[:8]}"
    form = {"csrf_token": admin.csrf, "code": code, "name": "巡视移交", "name_en": "Inspection referral"}
    missing = await admin.post("/admin/catalogues/case_source", data={**form, "name_en": ""})
    assert missing.status_code == 422
    assert "须有中文名称和英文名称" in missing.text
    assert (await admin.post("/admin/catalogues/case_source", data=form)).status_code == 303
    assert (await admin.post("/admin/catalogues/case_source", data=form)).status_code == 409
    assert f'value="{code}"' in (await inspector.get("/cases/new")).text  # offered at once
    renamed = {**form, "name": "巡视巡察移交", "active": ""}  # unticked: no longer offered
    assert (await admin.post(f"/admin/catalogues/case_source/{code}", data=renamed)).status_code == 303
    (row,) = await sql(
        demo_app,
        "SELECT name, active FROM catalogue_items WHERE catalogue = 'case_source' AND code = :c",
        c=code,
    )
    assert row[0] == "巡视巡察移交"
    assert not row[1]
    assert f'value="{code}"' not in (await inspector.get("/cases/new")).text
    assert await audit_events(demo_app, action="catalogue.item.create", object_id=f"case_source:{code}")
    assert await audit_events(demo_app, action="catalogue.item.update", object_id=f"case_source:{code}")
    for c in (admin, inspector):
        await close(c)


async def test_a_calendar_day_is_set_and_put_back_by_a_root_administrator(demo_app: DemoApp) -> None:
    admin = await new_client(demo_app, "admin")
    day = date(2031, 1, 2 + uuid.uuid4().int % 25)  # a day no other test sets
    form = {"csrf_token": admin.csrf, "day": day.isoformat(), "is_workday": "false", "note": "集团统一调休"}
    assert (await admin.post("/admin/calendar", data={**form, "day": "2031-02-30"})).status_code == 422
    assert (await admin.post("/admin/calendar", data=form)).status_code == 303
    (row,) = await sql(demo_app, "SELECT is_workday, note FROM calendar_overrides WHERE day = :d", d=day)
    assert not row[0]
    assert row[1] == "集团统一调休"
    page = await admin.get("/admin/calendar")
    assert f'data-day="{day.isoformat()}"' in page.text
    assert (
        await admin.post(f"/admin/calendar/{day.isoformat()}/remove", data={"csrf_token": admin.csrf})
    ).status_code == 303
    assert not await sql(demo_app, "SELECT 1 FROM calendar_overrides WHERE day = :d", d=day)
    assert await audit_events(demo_app, action="calendar.override_remove", object_id=day.isoformat())
    await close(admin)


async def test_a_company_administrator_cannot_edit_the_group_catalogues(demo_app: DemoApp) -> None:
    username, _ = await make_user(demo_app, "admin", "HXT")
    company_admin = await new_client(demo_app, username, TEST_PASSWORD)
    for path in ("/admin/catalogues", "/admin/calendar", "/admin/measures", "/admin/clock-rules"):
        assert (await company_admin.get(path)).status_code == 403, path
    form = {"csrf_token": company_admin.csrf, "code": "x_company", "name": "公司", "name_en": "Company"}
    assert (await company_admin.post("/admin/catalogues/case_source", data=form)).status_code == 403
    day = {"csrf_token": company_admin.csrf, "day": "2031-03-03", "is_workday": "false"}
    assert (await company_admin.post("/admin/calendar", data=day)).status_code == 403
    assert not await sql(demo_app, "SELECT 1 FROM catalogue_items WHERE code = 'x_company'")
    assert await audit_events(demo_app, action="access.denied", actor=username)
    await close(company_admin)
