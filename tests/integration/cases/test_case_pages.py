"""The case page's forms: edit (stale edits lose nothing), links, team, recusal, asking for more time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from integrity.domain.cases import workflow
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import drive_to, register
from tests.support.helpers import close, make_user, sql


async def form(c: Client, url: str, **fields: Any) -> Any:
    return await c.write("POST", url, data={k: str(v) for k, v in fields.items()}, follow_redirects=False)


def edit_fields(case: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "version": case["version"],
        "title": case["title"],
        "summary": case["summary"],
        "source": case["source"],
        "category": case["category"],
        **changes,
    }


async def test_editing_through_the_form_and_a_stale_edit_keeps_the_users_text(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _reviewer = team
    case = await register(inspector, demo_app)
    page = await inspector.get(f"/cases/{case['id']}/edit")
    assert page.status_code == 200
    assert case["title"] in page.text

    saved = await form(
        inspector, f"/cases/{case['id']}/edit", **edit_fields(case, title="公车私用（已核对）")
    )
    assert saved.status_code == 303
    assert (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["case"][
        "title"
    ] == "公车私用（已核对）"

    typed = "我的修改 <b>未保存</b>"
    stale = await form(inspector, f"/cases/{case['id']}/edit", **edit_fields(case, summary=typed))
    assert stale.status_code == 409
    assert "我的修改 &lt;b&gt;未保存&lt;/b&gt;" in stale.text  # the user's text comes back, escaped
    assert 'data-testid="saved-record"' in stale.text
    assert "公车私用（已核对）" in stale.text  # beside what is saved now
    version = re.search(r'name="version" value="(\d+)"', stale.text)
    assert version is not None
    resubmitted = await form(
        inspector, f"/cases/{case['id']}/edit", **edit_fields(case, summary=typed, version=version.group(1))
    )
    assert resubmitted.status_code == 303
    assert (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["case"]["summary"] == typed


async def test_reviewers_see_no_edit_controls(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    case = await register(inspector, demo_app)
    assert 'data-testid="edit-case"' in (await inspector.get(f"/cases/{case['id']}")).text
    page = (await reviewer.get(f"/cases/{case['id']}")).text
    assert 'data-testid="edit-case"' not in page
    assert f'action="/cases/{case["id"]}/links"' not in page
    assert (await reviewer.get(f"/cases/{case['id']}/edit")).status_code == 403


async def test_linking_by_case_number(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, _reviewer = team
    case = await register(inspector, demo_app)
    other = await register(inspector, demo_app, title="同一线索的重复举报")
    linked = await form(inspector, f"/cases/{case['id']}/links", number=other["number"], kind="duplicate_of")
    assert linked.status_code == 303
    assert other["number"] in (await inspector.get(f"/cases/{case['id']}")).text
    assert case["number"] in (await inspector.get(f"/cases/{other['id']}")).text  # shown from both ends
    (listed,) = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["links"]
    assert (listed["kind"], listed["other_number"]) == ("duplicate_of", other["number"])

    missing = await form(inspector, f"/cases/{case['id']}/links", number="JJ-1999-9999", kind="related")
    assert missing.status_code == 404
    assert "没有您可查看的该编号案件" in missing.text


async def test_links_to_cases_the_reader_may_not_see_are_not_shown(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, _reviewer = team
    group = await new_client(demo_app, "zhang.wei")  # group inspector: on the team of both cases
    case = await register(group, demo_app)
    secret = await register(group, demo_app, confidential=True, title="保密线索不应露出")
    assert (
        await form(group, f"/cases/{case['id']}/links", number=secret["number"], kind="related")
    ).status_code == 303
    assert secret["number"] in (await group.get(f"/cases/{case['id']}")).text
    page = (await inspector.get(f"/cases/{case['id']}")).text  # li.na is not on the confidential case's team
    assert secret["number"] not in page
    assert "保密线索不应露出" not in page
    assert (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["links"] == []
    await close(group)


async def test_staffing_recusal_and_asking_for_time_from_the_page(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    case = await drive_to(workflow.HEARING, demo_app, inspector, reviewer)
    _panel_name, panel_id = await make_user(demo_app, "inspector", "HXP")
    assert f'value="{panel_id}"' in (await inspector.get(f"/cases/{case['id']}")).text
    staffed = await form(inspector, f"/cases/{case['id']}/assignments", user_id=panel_id, team="hearing")
    assert staffed.status_code == 303
    _outsider_name, outsider_id = await make_user(demo_app, "inspector", "HXN")
    refused = await form(inspector, f"/cases/{case['id']}/assignments", user_id=outsider_id, team="hearing")
    assert refused.status_code == 422
    assert "只有本案件所属单位" in refused.text

    (clock,) = [
        k for k in (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"] if not k["met_on"]
    ]
    url = f"/cases/{case['id']}/clocks/{clock['id']}/extensions"
    no_reason = await form(inspector, url, amount=5, unit="working_days", reason=" ")
    assert no_reason.status_code == 422
    asked = await form(inspector, url, amount=5, unit="working_days", reason="需补充调查")
    assert asked.status_code == 303
    assert "已申请延长时限" in (await inspector.get(f"/cases/{case['id']}")).text
    inbox = (await reviewer.get("/approvals")).text
    assert 'data-kind="case.clock_extension"' in inbox
    assert case["number"] in inbox

    recused = await form(inspector, f"/cases/{case['id']}/recusal", reason="与被反映人系同学关系")
    assert recused.status_code == 303
    assert recused.headers["location"] == "/cases"
    assert (await inspector.get(f"/cases/{case['id']}")).status_code == 404


async def test_pages_show_times_in_the_organisations_zone(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    """Stored in UTC, read in Beijing time: the case history shows what the PDF trail shows."""
    inspector, _ = team
    case = await register(inspector, demo_app)
    (stored,) = await sql(demo_app, "SELECT at FROM case_transitions WHERE case_id = :c", c=case["id"])
    at = stored[0] if isinstance(stored[0], datetime) else datetime.fromisoformat(str(stored[0]))
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    beijing = (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai has no summer time
    utc = at.strftime("%Y-%m-%d %H:%M")
    page = (await inspector.get(f"/cases/{case['id']}")).text
    assert beijing in page
    if utc != beijing:
        assert utc not in page
