"""Every approvable kind: the maker never checks; 50 reviewers at once let exactly one approval through."""

from __future__ import annotations

import pytest

from integrity.domain.wiring import ALL_KINDS
from tests.conftest import Client, DemoApp, new_client
from tests.support.approvable import ARRANGE, MAKER_ROLES, pending_of
from tests.support.concurrency import approve_all_at_once, reviewer_tokens
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user

REVIEWERS = 50


def test_every_approvable_kind_is_covered() -> None:
    assert set(ARRANGE) == {k.name for k in ALL_KINDS}


@pytest.mark.parametrize("kind", sorted(ARRANGE))
async def test_the_maker_never_decides(demo_app: DemoApp, team: tuple[Client, Client], kind: str) -> None:
    _inspector, reviewer = team
    username, maker_id = await make_user(demo_app, "inspector", "HXP", extra_roles=MAKER_ROLES)
    maker = await new_client(demo_app, username, TEST_PASSWORD)
    try:
        await ARRANGE[kind](demo_app, maker, reviewer, username)
        request = await pending_of(demo_app, kind, maker_id)
        assert request not in {r["id"] for r in (await maker.get("/api/v1/approvals")).json()}
        own = await maker.write("POST", f"/api/v1/approvals/{request}/approve", json={"comment": "自己批"})
        assert own.status_code == 403, own.text
        # The refusal is an audit event like the guard's own: who tried, what, and why not.
        denied = await audit_events(demo_app, action="access.denied", actor=username)
        assert [(d[3], d[4]) for d in denied] == [("approval", "denied")], denied
        assert own.json()["detail"] in denied[0][5]
        assert request in {r["id"] for r in (await reviewer.get("/api/v1/approvals")).json()}
        checked = await reviewer.write(
            "POST", f"/api/v1/approvals/{request}/approve", json={"comment": "同意"}
        )
        assert checked.status_code == 200, checked.text
    finally:
        await close(maker)


@pytest.mark.parametrize("kind", sorted(ARRANGE))
async def test_fifty_reviewers_approve_at_once(
    demo_app: DemoApp, team: tuple[Client, Client], kind: str
) -> None:
    _inspector, reviewer = team
    username, maker_id = await make_user(demo_app, "inspector", "HXP", extra_roles=MAKER_ROLES)
    maker = await new_client(demo_app, username, TEST_PASSWORD)
    try:
        await ARRANGE[kind](demo_app, maker, reviewer, username)
    finally:
        await close(maker)
    request = await pending_of(demo_app, kind, maker_id)
    tokens = await reviewer_tokens(demo_app, REVIEWERS)

    codes = await approve_all_at_once(demo_app, request, tokens)

    assert codes == {200: 1, 409: REVIEWERS - 1}, codes
    assert len(await audit_events(demo_app, action="approval.approved", object_id=str(request))) == 1
