"""Every page change says what happened and what comes next; the words come from one table only."""

from __future__ import annotations

from tests.conftest import Client, DemoApp
from tests.support.cases import register


async def test_a_proposal_says_it_waits_for_a_reviewer(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app, title="反馈测试线索")
    page = (await inspector.get(f"/cases/{case['id']}")).text
    version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    sent = await inspector.write(
        "POST",
        f"/cases/{case['id']}/transitions",
        data={
            "transition": "propose_disposal",
            "version": version,
            "reason": "依据",
            "disposal": "talk_inquiry",
        },
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/cases/{case['id']}?done=submitted"
    shown = (await inspector.get(sent.headers["location"] + "&lang=zh")).text
    assert '<p class="flash" role="status" data-testid="flash">已提交审批，等待审核人处理。</p>' in shown


async def test_a_refused_change_keeps_the_page_and_says_why(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _ = team
    case = await register(inspector, demo_app, title="反馈测试线索二")
    refused = await inspector.write("POST", f"/cases/{case['id']}/notes?lang=zh", data={"body": "   "})
    assert refused.status_code in (400, 422)
    assert 'role="alert"' in refused.text
    assert 'data-testid="flash"' not in refused.text


async def test_only_known_codes_are_shown(team: tuple[Client, Client]) -> None:
    inspector, _ = team
    page = (await inspector.get("/cases?done=<script>alert(1)</script>")).text
    assert 'data-testid="flash"' not in page
    assert "<script>alert(1)" not in page
