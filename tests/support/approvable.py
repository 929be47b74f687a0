"""One way to bring each approvable kind to a pending request, so tests can cover every kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from integrity.domain.cases import workflow
from tests.conftest import Client, DemoApp
from tests.integration.cases.test_clock_extensions import ask, hearing_clock
from tests.support.cases import act, drive_to, register
from tests.support.decisions import new_decision
from tests.support.helpers import sql
from tests.support.rectification import new_item, submit_with_evidence

Arrange = Callable[[DemoApp, Client, Client, str], Awaitable[None]]


async def _disposal(demo_app: DemoApp, maker: Client, reviewer: Client, username: str) -> None:
    case = await register(maker, demo_app)
    assert (await act(maker, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200


async def _filing(demo_app: DemoApp, maker: Client, reviewer: Client, username: str) -> None:
    case = await drive_to(workflow.PRELIMINARY_VERIFICATION, demo_app, maker, reviewer)
    assert (await act(maker, case, "propose_investigation")).status_code == 200


async def _extension(demo_app: DemoApp, maker: Client, reviewer: Client, username: str) -> None:
    case = await drive_to(workflow.HEARING, demo_app, maker, reviewer)
    assert (await ask(maker, case, await hearing_clock(maker, case))).status_code == 201


async def _closeout(demo_app: DemoApp, maker: Client, reviewer: Client, username: str) -> None:
    item = await new_item(maker, demo_app, rectifier=username)  # the maker drafts the item and submits it
    assert (await submit_with_evidence(maker, item)).status_code == 201


async def _decision(demo_app: DemoApp, maker: Client, reviewer: Client, username: str) -> None:
    decision = await new_decision(maker, demo_app)
    assert (await maker.write("POST", f"/api/v1/decisions/{decision['id']}/submit")).status_code == 201


ARRANGE: dict[str, Arrange] = {
    "case.disposal": _disposal,
    "case.filing": _filing,
    "case.clock_extension": _extension,
    "rectification.closeout": _closeout,
    "decision.approval": _decision,
}

# A maker who could also check: inspector and reviewer of HXP, rectifier of its East China branch.
MAKER_ROLES = (("reviewer", "HXP"), ("rectifier", "HXP-EAST"))


async def pending_of(demo_app: DemoApp, kind: str, maker_id: int) -> int:
    rows = await sql(
        demo_app,
        "SELECT id FROM approval_requests WHERE kind = :k AND requested_by_id = :u AND status = 'pending' "
        "ORDER BY id DESC",
        k=kind,
        u=maker_id,
    )
    return int(rows[0][0])
