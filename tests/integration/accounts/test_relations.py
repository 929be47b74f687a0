"""利益关系申报 on the account's page: declared from a person found by exact name or number, it hides the
person's cases from the next request; withdrawn, they show again; both are audit events."""

from __future__ import annotations

import re

from tests.conftest import DemoApp, new_client
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql


async def test_declaring_and_withdrawing_a_relation_hides_and_shows_the_persons_cases(
    demo_app: DemoApp,
) -> None:
    # A case of the demo at 华夏电力 and one of its subjects; a fresh inspector there sees the case.
    case_id, person_id, name = (
        await sql(
            demo_app,
            "SELECT c.id, p.id, p.name FROM cases c JOIN case_subjects s ON s.case_id = c.id "
            "JOIN persons p ON p.id = s.person_id JOIN units u ON u.id = c.unit_id "
            "WHERE u.code LIKE 'HXP%' AND c.confidential = :no ORDER BY c.id LIMIT 1",
            no=False,
        )
    )[0]
    username, user_id = await make_user(demo_app, "inspector", "HXP")
    me = await new_client(demo_app, username, TEST_PASSWORD)
    assert (await me.get(f"/api/v1/cases/{case_id}")).status_code == 200
    partial = await me.get("/account/relations", params={"q": name[:1]})
    assert 'data-testid="declare-form"' not in partial.text  # no directory to browse
    found = await me.get("/account/relations", params={"q": name})
    assert f'name="person_id" value="{person_id}"' in found.text
    declared = await me.post(
        "/account/relations",
        data={"csrf_token": me.csrf, "person_id": str(person_id), "kind": "kin", "note": "表兄"},
    )
    assert declared.status_code == 303
    assert (await me.get(f"/api/v1/cases/{case_id}")).status_code == 404
    page = await me.get("/account/relations")
    assert name in page.text
    assert "亲属" in page.text
    relation = re.search(r"/account/relations/(\d+)/withdraw", page.text)
    assert relation
    other = await new_client(demo_app, "zhou.li")
    refused = await other.post(
        f"/account/relations/{relation.group(1)}/withdraw", data={"csrf_token": other.csrf}
    )
    assert refused.status_code == 404  # not theirs
    withdrawn = await me.post(
        f"/account/relations/{relation.group(1)}/withdraw", data={"csrf_token": me.csrf}
    )
    assert withdrawn.status_code == 303
    assert (await me.get(f"/api/v1/cases/{case_id}")).status_code == 200
    assert await audit_events(demo_app, action="relation.declare", actor=username)
    assert await audit_events(demo_app, action="relation.withdraw", object_id=relation.group(1))
    assert not await sql(demo_app, "SELECT 1 FROM relations WHERE user_id = :u", u=user_id)
    for c in (me, other):
        await close(c)
