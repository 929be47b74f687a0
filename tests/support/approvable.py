"""One way to bring each approvable kind to a pending request, so tests can cover every kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from integrity.db.types import utcnow
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.cases import workflow
from integrity.domain.education import teaching
from integrity.domain.education.events import EventDraft, create_event
from tests.conftest import Client, DemoApp
from tests.integration.cases.test_clock_extensions import ask, hearing_clock
from tests.support.cases import act, drive_to, register
from tests.support.decisions import new_decision
from tests.support.helpers import sql, unit_id
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


async def _teaching_case(demo_app: DemoApp, maker: Client, reviewer: Client, username: str) -> None:
    """A closed case of HXP as teaching material of an HXP event, its summary by the maker."""
    case = await drive_to(workflow.CLOSED, demo_app, maker, reviewer)
    hxp = await unit_id(demo_app, "HXP")
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, username, "test")
        start = utcnow() + timedelta(days=3)
        draft = EventDraft(hxp, "lecture", "廉政讲座", start, start + timedelta(hours=1))
        event = await create_event(session, actor, draft, access=access)
        summary = (
            "某公司一名领导干部多次在周末驾驶公务用车处理私人事务，受到批评教育并退赔相关费用，"
            "警示我们公私分明。"
        )
        await teaching.link_case(session, actor, event.id or 0, case["number"], summary, access=access)
        await session.commit()


ARRANGE: dict[str, Arrange] = {
    "case.disposal": _disposal,
    "case.filing": _filing,
    "case.clock_extension": _extension,
    "rectification.closeout": _closeout,
    "decision.approval": _decision,
    "education.teaching_case": _teaching_case,
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
