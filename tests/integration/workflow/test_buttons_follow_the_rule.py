"""A page offers a step exactly when the service accepts it: for every status of each lifecycle and
each demo role, the page's buttons are compared with the step tried through the service (and rolled
back). Both come from the lifecycle's one refusal rule (lib/workflow.py); this shows they agree."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from integrity.domain.cases import workflow as case_workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.schemas import TransitionIn
from integrity.domain.cases.transitions import apply_transition
from integrity.domain.decisions import services as decisions
from integrity.domain.decisions.schemas import DecisionPatch
from integrity.domain.rectification import closeout, items, reinspection
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import drive_to
from tests.support.decisions import appeal_of, approved_decision, new_decision, panel_member, pending_request
from tests.support.helpers import close, person_id
from tests.support.rectification import closeout_request, new_item, submit_with_evidence
from tests.support.rule import Attempt, accepted, database, offered_on_page

# The demo's roles: drafter/handler, a reviewer, an inspector elsewhere in the group, an auditor, a rectifier.
USERS = ("li.na", "chen.jing", "zhang.wei", "zhao.min", "sun.qiang")


async def _compare(demo_app: DemoApp, objects: dict[str, tuple[str, dict[str, Attempt]]]) -> int:
    """For each status's object and each user: offered on the page == accepted by the service."""
    db = database(demo_app)
    compared = 0
    try:
        for user in USERS:
            c = await new_client(demo_app, user)
            try:
                for status, (url, attempts) in objects.items():
                    page = await c.get(url)
                    if page.status_code in (403, 404):  # no role on this kind, or out of sight
                        assert await accepted(db, user, attempts) == set(), (user, status)
                        continue
                    offered = await offered_on_page(c, url) & set(attempts)
                    taken = await accepted(db, user, attempts)
                    assert offered == taken, (user, status, offered, taken)
                    compared += 1
            finally:
                await close(c)
    finally:
        await db.dispose()
    return compared


async def test_case_page_buttons_follow_the_rule(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    subject = await person_id(demo_app, "HXP0203")
    objects: dict[str, tuple[str, dict[str, Attempt]]] = {}
    for status in case_workflow.STATUSES:
        case = await drive_to(status, demo_app, inspector, reviewer)

        def attempt(name: str, case: dict[str, Any] = case) -> Attempt:
            body = TransitionIn(name, case["version"], "依据核查情况", "shelved", subject, "talk_reminder")
            return lambda s, a, actor: apply_transition(s, a, actor, case["id"], body)

        steps = [t.name for t in case_workflow.TRANSITIONS if t.target and t.action]
        objects[status] = (f"/cases/{case['id']}", {name: attempt(name) for name in steps})
    assert await _compare(demo_app, objects) >= len(case_workflow.STATUSES) * 3


async def test_rectification_page_buttons_follow_the_rule(
    demo_app: DemoApp, team: tuple[Client, Client]
) -> None:
    inspector, reviewer = team
    rectifier = await new_client(demo_app, "sun.qiang")
    try:
        arranged = {"open": await new_item(inspector, demo_app)}
        for status, verb in (("submitted", None), ("approved", "approve"), ("returned", "return")):
            item = await new_item(inspector, demo_app)
            assert (await submit_with_evidence(rectifier, item)).status_code == 201
            if verb:
                request = await closeout_request(reviewer, item)
                decided = await reviewer.write(
                    "POST", f"/api/v1/approvals/{request['id']}/{verb}", json={"comment": "复核意见"}
                )
                assert decided.status_code == 200, decided.text
            arranged[status] = item
    finally:
        await close(rectifier)
    later = local_today() + timedelta(days=7)
    objects: dict[str, tuple[str, dict[str, Attempt]]] = {}
    for status, item in arranged.items():
        i = item["id"]
        objects[status] = (
            f"/rectification/items/{i}",
            {
                "submit": lambda s, a, actor, i=i: closeout.submit(s, a, actor, i, "已整改"),
                "reopen": lambda s, a, actor, i=i: closeout.reopen(s, a, actor, i, "复查发现未完成"),
                "comment": lambda s, a, actor, i=i: items.comment(s, a, actor, i, "请补充材料"),
                "schedule_reinspection": lambda s, a, actor, i=i: reinspection.schedule_reinspection(
                    s, a, actor, i, later
                ),
            },
        )
    assert await _compare(demo_app, objects) >= len(objects) * 3


async def test_decision_page_buttons_follow_the_rule(demo_app: DemoApp, team: tuple[Client, Client]) -> None:
    inspector, reviewer = team
    arranged = {"draft": await new_decision(inspector, demo_app)}
    submitted = await new_decision(inspector, demo_app)
    assert (await inspector.write("POST", f"/api/v1/decisions/{submitted['id']}/submit")).status_code == 201
    arranged["submitted"] = submitted
    returned = await new_decision(inspector, demo_app)
    assert (await inspector.write("POST", f"/api/v1/decisions/{returned['id']}/submit")).status_code == 201
    request = await pending_request(reviewer, returned)
    back = await reviewer.write("POST", f"/api/v1/approvals/{request}/return", json={"comment": "事实不清"})
    assert back.status_code == 200, back.text
    arranged["returned"] = returned
    arranged["approved"] = await approved_decision(inspector, reviewer, demo_app)
    today = local_today().isoformat()
    announced = await approved_decision(inspector, reviewer, demo_app)
    url = f"/api/v1/decisions/{announced['id']}"
    assert (await inspector.write("POST", f"{url}/announce", json={"announced_on": today})).status_code == 201
    arranged["announced"] = announced
    executed = await approved_decision(inspector, reviewer, demo_app)
    url = f"/api/v1/decisions/{executed['id']}"
    assert (await inspector.write("POST", f"{url}/announce", json={"announced_on": today})).status_code == 201
    report = {"reported_on": today, "report": "已宣布并执行"}
    assert (await inspector.write("POST", f"{url}/execution", json=report)).status_code == 201
    arranged["executed"] = executed
    revoked = await approved_decision(inspector, reviewer, demo_app)
    member = await panel_member(demo_app, reviewer, await appeal_of(inspector, revoked))
    try:
        appeal = (await inspector.get(f"/api/v1/decisions/{revoked['id']}")).json()["appeals"][-1]
        outcome = {"outcome": "revoked", "reason": "撤销原决定"}
        done = await member.write("POST", f"/api/v1/decisions/appeals/{appeal['id']}/outcome", json=outcome)
        assert done.status_code == 201, done.text
    finally:
        await close(member)
    arranged["revoked"] = revoked

    on = local_today()

    async def edit(session: Any, access: Any, actor: Any, i: int) -> Any:
        current = await decisions.get_decision(session, access, i)
        return await decisions.edit(
            session, access, actor, i, DecisionPatch(current.version, reasoning="补充说明")
        )

    objects: dict[str, tuple[str, dict[str, Attempt]]] = {}
    for status, d in arranged.items():
        i = d["id"]
        objects[status] = (
            f"/decisions/{i}",
            {
                "submit": lambda s, a, actor, i=i: decisions.submit(s, a, actor, i),
                "announce": lambda s, a, actor, i=i: decisions.announce(s, a, actor, i, on),
                "report_execution": lambda s, a, actor, i=i: decisions.report_execution(
                    s, a, actor, i, on, "已执行"
                ),
                "edit": lambda s, a, actor, i=i: edit(s, a, actor, i),
            },
        )
    assert await _compare(demo_app, objects) >= len(objects) * 3
