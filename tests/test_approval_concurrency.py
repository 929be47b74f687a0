"""Fifty reviewers approve the same pending item at once: one succeeds, 49 get 409, one audit event."""

from __future__ import annotations

from tests.concurrency import approve_all_at_once, reviewer_tokens
from tests.conftest import Client, DemoApp, new_client
from tests.helpers import audit_events, close, sql
from tests.rectification_helpers import closeout_request, new_item, submit_with_evidence

REVIEWERS = 50


async def test_fifty_reviewers_close_off_one_item(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    rectifier = await new_client(demo_app, "sun.qiang")
    try:
        item = await new_item(inspector, demo_app)
        assert (await submit_with_evidence(rectifier, item)).status_code == 201
    finally:
        await close(rectifier)
    request = await closeout_request(reviewer, item)
    tokens = await reviewer_tokens(demo_app, REVIEWERS)

    codes = await approve_all_at_once(demo_app, request["id"], tokens)

    assert codes == {200: 1, 409: REVIEWERS - 1}, codes
    approvals = await audit_events(demo_app, action="approval.approved", object_id=str(request["id"]))
    assert len(approvals) == 1
    closeouts = await audit_events(demo_app, action="rectification.approve", object_id=str(item["id"]))
    assert len(closeouts) == 1
    steps = await sql(
        demo_app,
        "SELECT COUNT(*) FROM rectification_steps WHERE item_id = :i AND action = 'approve'",
        i=item["id"],
    )
    assert steps[0][0] == 1
