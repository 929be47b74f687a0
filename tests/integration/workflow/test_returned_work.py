"""A returned proposal or close-out leads its page with the reviewer's reason; its maker tries again."""

from __future__ import annotations

import re

from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, decide, register
from tests.support.helpers import close
from tests.support.rectification import closeout_request, new_item, submit_with_evidence


async def test_a_returned_proposal_shows_its_reason_and_can_be_proposed_again(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    case = await register(inspector, demo_app, title="退回后重新提出的线索")
    assert (await act(inspector, case, "propose_disposal", disposal="shelved")).status_code == 200
    assert (await decide(reviewer, case, "return", "请改为初步核实。")).status_code == 200
    page = (await inspector.get(f"/cases/{case['id']}?lang=zh")).text
    assert 'data-testid="returned-proposal"' in page
    assert "请改为初步核实。" in page
    assert 'value="propose_disposal"' in page  # the next steps offer the proposal again
    again = await act(inspector, case, "propose_disposal", disposal="preliminary_verification")
    assert again.status_code == 200
    page = (await inspector.get(f"/cases/{case['id']}?lang=zh")).text
    assert 'data-testid="returned-proposal"' not in page  # proposed again: waiting, not returned
    history = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()
    kept = [h for h in history["history"] if h["transition"].startswith("propose_disposal")]
    assert len(kept) >= 2  # both versions stay in the history


async def test_a_returned_close_out_shows_its_reason_and_keeps_what_was_written(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    rectifier = await new_client(demo_app, "sun.qiang")
    reviewer = await new_client(demo_app, "chen.jing")
    try:
        item = await new_item(inspector, demo_app)
        assert (await submit_with_evidence(rectifier, item, "已修订制度并印发")).status_code == 201
        request = await closeout_request(reviewer, item)
        returned = await reviewer.write(
            "POST", f"/api/v1/approvals/{request['id']}/return", json={"comment": "缺少盖章页。"}
        )
        assert returned.status_code == 200
        page = (await rectifier.get(f"/rectification/items/{item['id']}?lang=zh")).text
        assert 'data-testid="returned-closeout"' in page
        assert "缺少盖章页。" in page
        typed = re.search(r'<textarea name="description"[^>]*>([^<]*)</textarea>', page)
        assert typed
        assert typed.group(1).strip() == "已修订制度并印发"  # what was written, to change, not retype
    finally:
        for c in (inspector, rectifier, reviewer):
            await close(c)
