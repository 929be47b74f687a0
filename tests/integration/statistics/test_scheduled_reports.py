"""Scheduled reports: a reviewer orders a ledger; on the first working day of the next period the worker
issues it once, as the reviewer sees it, keeps it, and tells only them with a link (never the file); the
order and its stop are audited; who may not order is told why. On both engines."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import Any

import pytest

from integrity.domain.cases.clocks import local_today
from integrity.domain.ledgers import subscriptions
from integrity.domain.statistics.periods import Period
from tests.conftest import DemoApp
from tests.support.helpers import audit_events, close, sql
from tests.support.notify import worker
from tests.support.statistics import arrange_records


@pytest.fixture(scope="module")
async def office(demo_app: DemoApp) -> dict[str, Any]:
    return await arrange_records(demo_app)


async def _first_working_day_after(demo_app: DemoApp, period: Period) -> date:
    async with demo_app.app.state.db.read_session() as session:
        return await subscriptions.first_working_day(
            session, Period.containing("month", period.end + timedelta(days=1))
        )


async def test_an_ordered_ledger_is_issued_once_and_told_to_its_subscriber(
    office: dict[str, Any], demo_app: DemoApp
) -> None:
    reviewer, auditor = office["reviewer"], office["auditor"]
    order = {"ledger": "decisions", "unit_id": str(office["unit"]), "cadence": "month", "descendants": "1"}
    order["csrf_token"] = reviewer.csrf
    made = await reviewer.post("/statistics/reports/", data=order)
    assert made.status_code == 303, made.text
    again = await reviewer.post("/statistics/reports/", data=order)
    assert again.status_code == 409
    assert "已按此频率订阅" in again.text
    ((sub_id, last),) = await sql(
        demo_app,
        "SELECT id, last_period_end FROM report_subscriptions WHERE unit_id = :u AND ledger = 'decisions'",
        u=office["unit"],
    )
    this_month = Period.containing("month", local_today())
    assert str(last) == this_month.previous().end.isoformat()  # the first report is this month's
    state = demo_app.app.state
    # Before this month has ended nothing is due; on the first working day after it, one report.
    assert await subscriptions.produce_due(state.db, demo_app.settings, state.pdf_pool, local_today()) == 0
    due = await _first_working_day_after(demo_app, this_month)
    assert await subscriptions.produce_due(state.db, demo_app.settings, state.pdf_pool, due) == 1
    assert await subscriptions.produce_due(state.db, demo_app.settings, state.pdf_pool, due) == 0
    ((export_id, title, user_id),) = await sql(
        demo_app,
        "SELECT id, title, user_id FROM trail_exports WHERE stored AND unit_id = :u AND kind = 'ledger'",
        u=office["unit"],
    )
    assert title.startswith("处分执行台账")
    assert this_month.start.isoformat() in title
    # The notification: fanned out to the subscriber only, linking to their reports.
    await worker(demo_app, demo_app.settings).run_once(scan=False)
    told = await sql(
        demo_app,
        "SELECT n.user_id, n.href FROM notifications n JOIN notification_events e ON e.id = n.event_id"
        " WHERE e.type = 'report.ready' AND e.object_id = :s",
        s=sub_id,
    )
    assert [(u, h) for u, h in told] == [(user_id, "/statistics/reports")]
    page = await reviewer.get("/statistics/reports/")
    assert f'href="/statistics/reports/{export_id}/pdf"' in page.text
    got = await reviewer.get(f"/statistics/reports/{export_id}/pdf")
    assert got.status_code == 200
    ((digest,),) = await sql(demo_app, "SELECT pdf_sha256 FROM trail_exports WHERE id = :i", i=export_id)
    assert hashlib.sha256(got.content).hexdigest() == digest  # the very PDF in the export ledger
    assert (await auditor.get(f"/statistics/reports/{export_id}/pdf")).status_code == 404  # not theirs
    # Stopping the order is audited too.
    stopped = await reviewer.post(f"/statistics/reports/{sub_id}/cancel", data={"csrf_token": reviewer.csrf})
    assert stopped.status_code == 303
    actions = {e[2] for e in await audit_events(demo_app, object_id=str(office["unit"]))}
    assert {
        "statistics.report_subscribe",
        "statistics.report_unsubscribe",
        "statistics.ledger_export",
    } <= actions


async def test_only_a_reviewer_or_auditor_orders_and_only_within_reach(
    office: dict[str, Any], demo_app: DemoApp
) -> None:
    from tests.conftest import new_client

    inspector = await new_client(demo_app, "li.na")
    try:
        page = await inspector.get("/statistics/reports/")
        assert page.status_code == 200
        assert 'data-testid="order"' not in page.text  # nothing li.na may order: she is an inspector
        refused = await inspector.post(
            "/statistics/reports/",
            data={"ledger": "leads", "unit_id": "3", "cadence": "month", "csrf_token": inspector.csrf},
        )
        assert refused.status_code == 403
        assert re.search("审核人或审计人员", refused.text)
    finally:
        await close(inspector)
    reviewer = office["reviewer"]
    outside = await reviewer.post(
        "/statistics/reports/",
        data={"ledger": "leads", "unit_id": "1", "cadence": "quarter", "csrf_token": reviewer.csrf},
    )
    assert outside.status_code == 404
