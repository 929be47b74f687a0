"""Every audit event that belongs to a case follows the case's visibility, whatever its object type."""

from __future__ import annotations

import re

from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import act, decide, register
from tests.support.helpers import TEST_PASSWORD, all_pages, close, make_user, person_id, sql

# The events of a case, found here by their objects' own tables (not by the service's link table).
EVENTS_OF_CASES = """
WITH objects(kind, object_id, case_id) AS (
    SELECT 'case', id, id FROM cases
    UNION ALL SELECT 'rectification', id, case_id FROM rectification_items WHERE case_id IS NOT NULL
    UNION ALL SELECT 'recommendation_letter', id, case_id FROM recommendation_letters
        WHERE case_id IS NOT NULL
    UNION ALL SELECT 'decision', id, case_id FROM decisions
    UNION ALL SELECT 'case_clock', id, case_id FROM case_clocks
)
SELECT e.seq, e.object_type, e.action FROM audit_events e
LEFT JOIN approval_requests r ON e.object_type = 'approval' AND CAST(r.id AS VARCHAR(64)) = e.object_id
JOIN objects o ON CAST(o.object_id AS VARCHAR(64)) = e.object_id AND o.kind = e.object_type
    OR (r.id IS NOT NULL AND o.kind = r.object_type AND o.object_id = r.object_id)
JOIN case_subjects s ON s.case_id = o.case_id
WHERE s.person_id IN (:a, :b)
"""
# Subjects of the demo cases with follow-up: HXP0303 (a recommendation letter and its items),
# HXP0402 (decisions, one approved, one waiting for a reviewer).
SUBJECTS = ("HXP0303", "HXP0402")


async def _all_seqs(c: Client) -> set[int]:
    return {e["seq"] for e in await all_pages(c, "/api/v1/audit/events", 200)}


async def _first_form_closing_with_a_stopped_clock(demo_app: DemoApp, subject: str) -> None:
    """A case about the subject whose letter clock a reviewer stops and which closes with a first-form
    measure: the events a demo does not have (case.clock_stop, decision.first_form)."""
    inspector, reviewer = await new_client(demo_app, "li.na"), await new_client(demo_app, "chen.jing")
    try:
        case = await register(inspector, demo_app, subjects=(subject,))
        assert (await act(inspector, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
        assert (await decide(reviewer, case)).status_code == 200
        assert (await act(inspector, case, "send_inquiry_letter")).status_code == 200
        (clock,) = (await inspector.get(f"/api/v1/cases/{case['id']}")).json()["clocks"]
        stop = f"/api/v1/cases/{case['id']}/clocks/{clock['id']}/stop"
        assert (await reviewer.write("POST", stop, json={"reason": "当事人病休"})).status_code == 200
        measure = {"person_id": await person_id(demo_app, subject), "measure_code": "talk_reminder"}
        assert (await act(inspector, case, "close_first_form", **measure)).status_code == 200
    finally:
        await close(inspector)
        await close(reviewer)


async def test_an_auditor_related_to_the_subject_sees_no_event_of_the_case(demo_app: DemoApp) -> None:
    await _first_form_closing_with_a_stopped_clock(demo_app, SUBJECTS[1])
    subjects = [await person_id(demo_app, n) for n in SUBJECTS]
    related, _ = await make_user(demo_app, "auditor", "HX")
    unrelated, _ = await make_user(demo_app, "auditor", "HX")
    c = await new_client(demo_app, related, TEST_PASSWORD)
    for person in subjects:
        declared = await c.write("POST", "/api/v1/me/relations", json={"person_id": person, "kind": "kin"})
        assert declared.status_code == 201, declared.text
    control = await new_client(demo_app, unrelated, TEST_PASSWORD)
    try:
        rows = await sql(demo_app, EVENTS_OF_CASES, a=subjects[0], b=subjects[1])
        of_cases = {int(r[0]) for r in rows}
        kinds = {r[1] for r in rows}
        # Every kind of object that belongs to a case has events here, so each is checked.
        assert {"case", "approval", "rectification", "recommendation_letter", "decision"} <= kinds, kinds
        actions = {r[2] for r in rows}
        assert {"case.register", "approval.request", "rectification.create", "decision.draft"} <= actions
        assert {"case.clock_stop", "decision.first_form", "case.transition"} <= actions
        seen_by_related = await _all_seqs(c)
        seen_by_control = await _all_seqs(control)
        assert of_cases <= seen_by_control  # the same events are there for an auditor without the tie
        leaked = sorted(of_cases & seen_by_related)
        assert not leaked, [r for r in rows if r[0] in leaked]
        # Asked for by object, the items and decisions of those cases give nothing either.
        seqs = ",".join(str(s) for s in of_cases)
        for kind in ("rectification", "decision", "approval"):
            query = f"SELECT DISTINCT object_id FROM audit_events WHERE object_type=:k AND seq IN ({seqs})"

            for (object_id,) in await sql(demo_app, query, k=kind):
                params = {"object_type": kind, "object_id": object_id}
                page = await c.get("/api/v1/audit/events", params=params)
                assert page.json()["items"] == [], params
    finally:
        await close(c)
        await close(control)


async def test_the_audit_page_reads_newest_first_in_words_and_narrows_by_case(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    auditor_name, _ = await make_user(demo_app, "auditor", "HX")
    auditor = await new_client(demo_app, auditor_name, TEST_PASSWORD)
    try:
        case = await register(inspector, demo_app, title="审计页面测试线索")
        assert (await act(inspector, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
        page = await auditor.get("/audit", params={"case_number": case["number"]})
        assert page.status_code == 200
        seqs = [int(s) for s in re.findall(r'data-seq="(\d+)"', page.text)]
        assert len(seqs) >= 3  # registered, the proposal's request, the transition
        assert seqs == sorted(seqs, reverse=True)  # newest first
        assert set(re.findall(r'data-action="([a-z_.]+)"', page.text)) >= {"case.register", "case.transition"}
        assert "登记案件" in page.text  # the action in words, not case.register
        assert "李娜" in page.text  # the actor's name
        assert "状态：受理登记 → 拟处置" in page.text  # the changed field in words
        assert f'href="/cases/{case["id"]}"' in page.text
        # Older and newer: the next page holds only older events, the filters kept.
        everything = await auditor.get("/audit")
        first = [int(s) for s in re.findall(r'data-seq="(\d+)"', everything.text)]
        older = re.search(r'href="(/audit\?cursor=[^"]+)" data-testid="older"', everything.text)
        assert older, "more than a page of events in the demo"
        second = await auditor.get(older.group(1).replace("&amp;", "&"))
        following = [int(s) for s in re.findall(r'data-seq="(\d+)"', second.text)]
        assert following
        assert max(following) < min(first)
        bad = await auditor.get("/audit", params={"since": "yesterday"})
        assert bad.status_code == 200
        assert "2026-11-30" in bad.text  # says how to write a date, in Chinese, and keeps the page
    finally:
        await close(inspector)
        await close(auditor)
