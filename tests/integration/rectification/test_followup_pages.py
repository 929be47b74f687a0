"""Follow-up pages: an item and a decision from the case page, the register, the measure catalogue."""

from __future__ import annotations

from datetime import timedelta

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import register
from tests.support.decisions import approved_decision
from tests.support.helpers import close, person_id, sql, unit_id, user_id


async def test_item_and_decision_from_the_case_page(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app)
    page = await inspector.get(f"/cases/{case['id']}")
    east, rectifier = await unit_id(demo_app, "HXP-EAST"), await user_id(demo_app, "sun.qiang")
    assert f'value="{east}:{rectifier}"' in page.text  # the rectifier is offered
    form = {
        "csrf_token": inspector.csrf,
        "requirement": "整改公车管理台账",
        "due_on": local_today().isoformat(),
    }
    bad = await inspector.write(
        "POST", f"/cases/{case['id']}/rectification-items", data={**form, "assignee": "x"}
    )
    assert bad.status_code == 400
    assert "请选择责任单位和责任人" in bad.text
    added = await inspector.write(
        "POST",
        f"/cases/{case['id']}/rectification-items",
        data={**form, "assignee": f"{east}:{rectifier}"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "整改公车管理台账" in (await inspector.get(f"/cases/{case['id']}")).text

    draft = await inspector.write(
        "POST",
        "/decisions/new",
        data={
            "csrf_token": inspector.csrf,
            "case_id": case["id"],
            "person_id": await person_id(demo_app, "HXP0203"),
            "measure_code": "party_probation",
            "effective_on": local_today().isoformat(),
            "reasoning": "情节严重",
            "period_months": "",
        },
    )
    assert draft.status_code == 422  # probation needs its period chosen
    assert "请选择该处理措施允许的影响期" in draft.text
    assert "情节严重" in draft.text  # what was typed is kept


async def test_register_and_statistics_pages(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    day = local_today() - timedelta(days=3)
    await approved_decision(inspector, reviewer, demo_app, measure="party_warning", effective_on=day)
    person = await person_id(demo_app, "HXP0203")
    page = await reviewer.get(f"/register/persons/{person}")
    assert page.status_code == 200
    assert "警告" in page.text
    assert "第二种形态" in page.text  # the form of supervision in words, not "2"
    stats = await reviewer.get(
        "/register/units", params={"unit_id": await unit_id(demo_app, "HXP"), "start": day.isoformat()}
    )
    assert stats.status_code == 200
    assert 'data-testid="by-form"' in stats.text
    for heading in ("第一种形态", "第二种形态", "第三种形态", "第四种形态"):
        assert heading in stats.text


async def test_admins_edit_the_catalogue_on_its_page(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _ = team
    admin = await new_client(demo_app, "admin")
    try:
        assert 'data-code="party_probation"' in (await admin.get("/admin/measures")).text
        form = {
            "csrf_token": admin.csrf,
            "form": "2",
            "name": "政务警告",
            "name_en": "Administrative warning",
            "period_months": "6",
            "period_choices": "",
            "active": "true",
        }
        wrong = await admin.write(
            "POST", "/admin/measures/administrative_warning", data={**form, "period_choices": "3,9"}
        )
        assert wrong.status_code == 422
        saved = await admin.write(
            "POST",
            "/admin/measures/administrative_warning",
            data={**form, "name_en": "Government warning"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        row = await sql(demo_app, "SELECT name_en FROM measures WHERE code = 'administrative_warning'")
        assert row[0][0] == "Government warning"
        await admin.write("POST", "/admin/measures/administrative_warning", data=form)
    finally:
        await close(admin)
    assert (await inspector.get("/admin/measures")).status_code == 403
