"""我的待办: what the demo gives each persona, overdue first, never a case hidden from the reader."""

from __future__ import annotations

import re
import uuid

from tests.conftest import Client, DemoApp, new_client
from tests.integration.api.test_list_queries import count_statements
from tests.support.cases import act, register
from tests.support.helpers import close, make_user, unit_id

ROW = re.compile(r'<li class="work( overdue)?" data-kind="(\w+)" data-testid="work-row">(.*?)</li>', re.S)


async def rows_of(c: Client) -> list[tuple[bool, str, str]]:
    """(overdue, kind, text) of each row of the signed-in user's list, in the order shown."""
    page = await c.get("/?lang=zh")
    assert page.status_code == 200
    return [
        (bool(o), kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
        for o, kind, body in ROW.findall(page.text)
    ]


async def as_user(demo_app: DemoApp, username: str) -> list[tuple[bool, str, str]]:
    c = await new_client(demo_app, username)
    try:
        return await rows_of(c)
    finally:
        await close(c)


async def test_the_reviewer_finds_the_proposals_waiting_for_them(demo_app: DemoApp) -> None:
    rows = await as_user(demo_app, "liu.yang")
    decide = [text for _o, kind, text in rows if kind == "approval"]
    # The demo's pending proposals in the reviewer's units: a disposal (马俊's car), a filing (the
    # confidential North China case, which a reviewer may see) and a decision (criticism and education).
    assert any("待审：处置方式审批" in t and "公车私用" in t for t in decide), decide
    assert any("待审：立案审批" in t and "工程款支付异常" in t for t in decide), decide
    assert any("待审：问责/处分决定" in t for t in decide), decide


async def test_the_inspector_finds_the_proposal_that_came_back_with_its_reason(demo_app: DemoApp) -> None:
    rows = await as_user(demo_app, "zhang.wei")
    returned = [text for _o, kind, text in rows if kind == "returned"]
    assert any("物资出入库" in t and "不宜暂存待查" in t for t in returned), rows
    decision = [text for _o, kind, text in await as_user(demo_app, "li.na") if kind == "returned"]
    assert any("离岗时长与证人证言不一致" in t for t in decision), decision


async def test_the_rectifier_finds_the_overdue_item_first(demo_app: DemoApp) -> None:
    rows = await as_user(demo_app, "sun.qiang")
    assert rows, "the rectifier's list is empty"
    overdue, kind, text = rows[0]
    assert (overdue, kind) == (True, "item"), rows
    assert "廉洁谈话" in text
    assert "已逾期" in text
    assert [o for o, _k, _t in rows] == sorted((o for o, _k, _t in rows), reverse=True)  # overdue lead


async def test_the_demo_member_finds_a_reflection_to_write_and_an_event_to_make_up(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "zhou.li")
    try:
        page = await c.get("/?lang=zh")
        kinds = re.findall(r'data-kind="([a-z_]+)"', page.text)
        assert kinds == ["reflection", "reflection"]
        assert "待写心得体会" in page.text
        assert "补学：学习材料并提交补学心得" in page.text
        assert ">2</span>" in (await c.get("/work/count")).text
    finally:
        await close(c)


async def test_a_member_with_nothing_waiting_is_told_so(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "qian.yong")  # a demo member who attended and wrote everything
    try:
        page = await c.get("/?lang=zh")
        assert 'data-testid="work-empty"' in page.text
        assert "没有等待你处理的事项" in page.text
        assert (await c.get("/work/count")).text.strip() == ""
    finally:
        await close(c)


async def test_the_navigation_count_is_the_number_of_rows(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "sun.qiang")
    try:
        shown = len(await rows_of(c))
        badge = (await c.get("/work/count")).text
        assert f">{shown}<" in badge, badge
    finally:
        await close(c)


async def a_unit_of_its_own(demo_app: DemoApp) -> tuple[str, int]:
    """A fresh unit under HXT with one person in it: counts there are no one else's (other tests add
    proposals to the demo's units, and the list shows only the 30 most urgent)."""
    admin = await new_client(demo_app, "admin")
    try:
        code = f"HXT-W{uuid.uuid4().hex[:6].upper()}"
        unit = await admin.write(
            "POST",
            "/api/v1/units",
            json={
                "parent_id": await unit_id(demo_app, "HXT"),
                "code": code,
                "name": "待办测试部",
                "kind": "department",
            },
        )
        assert unit.status_code == 201, unit.text
        person = await admin.write(
            "POST",
            "/api/v1/persons",
            json={"unit_id": unit.json()["id"], "name": "赵测试", "employee_no": code},
        )
        assert person.status_code == 201, person.text
        return code, int(person.json()["id"])
    finally:
        await close(admin)


async def test_a_subject_sees_neither_a_row_nor_a_count_of_their_own_case(demo_app: DemoApp) -> None:
    """A reviewer who is the subject of a pending proposal: the proposal is not on their list, nor counted."""
    code, subject = await a_unit_of_its_own(demo_app)
    name, _uid = await make_user(demo_app, "reviewer", code, person_id=subject)
    reviewer = await new_client(demo_app, name)
    inspector = await new_client(demo_app, "zhang.wei")  # a group inspector: every unit in reach
    try:
        assert await rows_of(reviewer) == []
        case = await register(inspector, demo_app, unit=code, subjects=(code,), title="关于本人的线索")
        assert (await act(inspector, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
        assert await rows_of(reviewer) == []  # nothing shown
        assert (await reviewer.get("/work/count")).text.strip() == ""  # nor counted
        other = await register(inspector, demo_app, unit=code, subjects=(), title="另一条线索")
        assert (await act(inspector, other, "propose_disposal", disposal="talk_inquiry")).status_code == 200
        after = await rows_of(reviewer)
        assert len(after) == 1  # the same reviewer, another case of the unit
        assert other["number"] in after[0][2]
        badge = re.search(r">(\d+)<", (await reviewer.get("/work/count")).text)
        assert badge
        assert badge.group(1) == "1"
    finally:
        await close(reviewer)
        await close(inspector)


async def test_the_list_costs_the_same_queries_with_more_rows(demo_app: DemoApp) -> None:
    """One query (and at most a count) per kind of work, never one per row."""
    name, _uid = await make_user(demo_app, "reviewer", "HXN")
    reviewer = await new_client(demo_app, name)
    inspector = await new_client(demo_app, "zhang.wei")
    try:
        await rows_of(reviewer)  # grants loaded once

        async def cost() -> tuple[int, int]:
            statements = count_statements(reviewer)
            rows = await rows_of(reviewer)
            return len(rows), len(statements)

        async def one_more() -> None:
            case = await register(inspector, demo_app, unit="HXN", subjects=("HXN0202",))
            assert (await act(inspector, case, "propose_disposal", disposal="closed")).status_code == 200

        await one_more()
        rows_before, before = await cost()
        for _ in range(3):
            await one_more()
        rows_after, after = await cost()
    finally:
        await close(reviewer)
        await close(inspector)
    assert rows_after == rows_before + 3
    assert after == before


async def test_done_lists_what_the_user_did(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    try:
        case = await register(inspector, demo_app, title="已办测试线索")
        page = (await inspector.get("/done?lang=zh")).text
        assert 'data-testid="audit-events"' in page
        assert f'href="/cases/{case["id"]}"' in page
        chen = await new_client(demo_app, "chen.jing")
        try:  # another user's list does not hold li.na's act
            assert f'href="/cases/{case["id"]}"' not in (await chen.get("/done")).text
        finally:
            await close(chen)
    finally:
        await close(inspector)
