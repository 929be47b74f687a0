"""Picking subjects: search as you type, a new person in place, choices kept on an error, changed later."""

from __future__ import annotations

import re

from tests.conftest import Client, DemoApp
from tests.support.cases import act, decide, register
from tests.support.helpers import audit_events, person_id, sql, unit_id


async def form(c: Client, demo_app: DemoApp, **fields: object) -> dict[str, object]:
    base = {
        "unit_id": await unit_id(demo_app, "HXP"),
        "source": "letters_visits",
        "category": "eight_point_rules",
        "title": "选人测试线索",
        "received_on": "2026-11-02",
    }
    return {**base, **fields}


async def test_search_shows_name_unit_and_position(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _ = team
    found = (await inspector.get("/cases/subjects", params={"subject_q": "马", "lang": "zh"})).text
    ma = (await sql(demo_app, "SELECT id, position FROM persons WHERE employee_no = 'HXP0203'"))[0]
    assert f'data-pick-id="{ma[0]}"' in found
    assert "马俊" in found
    assert ma[1] in found  # the position tells two people of one name apart
    assert "华夏电力" in found  # and the unit
    own = (await inspector.get("/cases/subjects", params={"subject_q": "李"})).text
    for never in ("HXP0201", "HXP0601"):  # li.na herself and 李明, her declared kin: never offered
        assert f'data-pick-id="{await person_id(demo_app, never)}"' not in own
    nobody = (await inspector.get("/cases/subjects", params={"subject_q": "查无此人", "lang": "zh"})).text
    assert "没有匹配的人员" in nobody


async def test_a_failed_form_keeps_the_chosen_subjects(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    ma = await person_id(demo_app, "HXP0203")
    sent = await inspector.write(
        "POST", "/cases/new?lang=zh", data=await form(inspector, demo_app, title="   ", subject_ids=str(ma))
    )
    assert sent.status_code in (400, 422)
    assert f'data-chip="{ma}"' in sent.text
    assert f'name="subject_ids" value="{ma}"' in sent.text


async def test_a_new_person_is_recorded_with_the_case(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _ = team
    fields = await form(
        inspector, demo_app, title="新人员测试线索", new_person_name="欧阳明", new_person_position="项目经理",
        new_person_unit_id=str(await unit_id(demo_app, "HXP")),
    )  # fmt: skip
    sent = await inspector.write("POST", "/cases/new", data=fields)
    assert sent.status_code == 303, sent.text
    case_id = int(re.search(r"/cases/(\d+)", sent.headers["location"]).group(1))  # type: ignore[union-attr]
    rows = await sql(
        demo_app,
        "SELECT p.id, p.name, p.position FROM case_subjects s JOIN persons p ON p.id = s.person_id"
        " WHERE s.case_id = :c",
        c=case_id,
    )
    assert [tuple(r)[1:] for r in rows] == [("欧阳明", "项目经理")]
    assert await audit_events(demo_app, action="person.create", object_id=str(rows[0][0]))


async def test_subjects_change_later_audited_never_to_a_relation_and_not_once_decided(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    case = await register(inspector, demo_app, title="调整被反映人测试")
    other = await person_id(demo_app, "HXP0302")
    added = await inspector.write("POST", f"/cases/{case['id']}/subjects", data={"subject_ids": str(other)})
    assert added.status_code == 303
    assert added.headers["location"].endswith("?done=subjects#subjects")
    subjects = {
        r[0]
        for r in await sql(demo_app, "SELECT person_id FROM case_subjects WHERE case_id = :c", c=case["id"])
    }
    assert other in subjects
    changed = await audit_events(demo_app, action="case.subjects", object_id=str(case["id"]))
    assert changed

    kin = await person_id(demo_app, "HXP0601")  # li.na declared 李明 her kin
    refused = await inspector.write(
        "POST", f"/cases/{case['id']}/subjects?lang=zh", data={"subject_ids": str(kin)}
    )
    assert refused.status_code == 403
    assert "不能添加本人或与您有申报关系的人员" in refused.text

    removed = await inspector.write("POST", f"/cases/{case['id']}/subjects/{other}/remove")
    assert removed.status_code == 303
    left = {
        r[0]
        for r in await sql(demo_app, "SELECT person_id FROM case_subjects WHERE case_id = :c", c=case["id"])
    }
    assert other not in left

    assert (await act(inspector, case, "propose_disposal", disposal="closed")).status_code == 200
    assert (await decide(reviewer, case)).status_code == 200  # closed now: the subjects are fixed
    late = await inspector.write("POST", f"/cases/{case['id']}/subjects", data={"subject_ids": str(other)})
    assert late.status_code == 409
