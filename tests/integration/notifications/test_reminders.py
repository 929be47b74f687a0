"""Reminders by the office calendar: each threshold of each deadline once, however often it is scanned."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

from integrity.db.engine import create_database
from integrity.domain.notifications.worker import Worker
from tests.conftest import DemoApp, new_client
from tests.support.helpers import close, sql
from tests.support.notify import SmtpSink, make_office, running_clock, settings_for, worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _reminders(demo_app: DemoApp, clock_id: int) -> list[str]:
    rows = await sql(
        demo_app,
        "SELECT type FROM notification_events WHERE dedupe_key LIKE :k ORDER BY id",
        k=f"case_clock:{clock_id}:%",
    )
    return [r[0] for r in rows]


async def _bell(demo_app: DemoApp, user_id: int, case_id: object) -> list[str]:
    rows = await sql(
        demo_app,
        "SELECT n.type FROM notifications n JOIN notification_events e ON e.id = n.event_id"
        " WHERE n.user_id = :u AND e.case_id = :c AND n.type LIKE 'reminder.%' ORDER BY n.id",
        u=user_id,
        c=case_id,
    )
    return [r[0] for r in rows]


async def test_the_three_days_before_reminder_counts_across_the_national_day_holiday(
    demo_app: DemoApp,
) -> None:
    # Due Friday 9 October 2026. The State Council's 2026 arrangement: 1-7 October off, Saturday 10
    # October worked; 25-27 September off (Mid-Autumn). Three working days before the 9th is Tuesday 29
    # September (30 Sep, 8 Oct, 9 Oct), not Tuesday 6 October as a plain week would have it.
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    case, clock = await running_clock(demo_app, office, date(2026, 10, 9))
    work = worker(demo_app, settings_for(demo_app))
    await work.scan(date(2026, 9, 28))
    assert await _reminders(demo_app, clock) == []
    await work.scan(date(2026, 9, 29))
    assert await _reminders(demo_app, clock) == ["reminder.soon"]
    await work.scan(date(2026, 9, 30))
    await work.scan(date(2026, 10, 8))
    assert await _reminders(demo_app, clock) == ["reminder.soon"]
    await work.scan(date(2026, 10, 9))
    assert await _reminders(demo_app, clock) == ["reminder.soon", "reminder.today"]
    await work.scan(date(2026, 10, 10))  # a Saturday, worked: one working day late
    await work.scan(date(2026, 10, 14))  # four working days late (10, 12, 13, 14)
    assert (await _reminders(demo_app, clock))[-1:] == ["reminder.overdue"]
    await work.scan(date(2026, 10, 15))  # five: the unit's reviewers hear of it too
    assert await _reminders(demo_app, clock) == [
        "reminder.soon",
        "reminder.today",
        "reminder.overdue",
        "reminder.escalated",
    ]
    await work.run_once(datetime(2026, 10, 15, 9, tzinfo=SHANGHAI))
    maker_id, reviewer_id = office.users["maker"][1], office.users["r1"][1]
    assert await _bell(demo_app, maker_id, case["id"]) == [
        "reminder.soon",
        "reminder.today",
        "reminder.overdue",
        "reminder.escalated",
    ]
    assert await _bell(demo_app, reviewer_id, case["id"]) == ["reminder.escalated"]


async def test_a_scan_run_twice_and_after_a_restart_sends_each_reminder_once(
    demo_app: DemoApp, smtp: SmtpSink
) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    _case, clock = await running_clock(demo_app, office, date(2026, 12, 3))
    settings = settings_for(demo_app, smtp)
    today = datetime(2026, 12, 3, 9, tzinfo=SHANGHAI)
    await worker(demo_app, settings).run_once(today)
    await worker(demo_app, settings).run_once(today)
    restarted = create_database(demo_app.db.url)  # a new process: its own engine and authorizer
    try:
        await Worker(restarted, settings).run_once(today)
    finally:
        await restarted.dispose()
    assert await _reminders(demo_app, clock) == ["reminder.today"]
    mails = [m for m in smtp.to(office.email("maker")) if "今天到期" in str(m.message["Subject"])]
    assert len(mails) == 1


async def test_two_workers_racing_deliver_each_notification_once(demo_app: DemoApp, smtp: SmtpSink) -> None:
    """Two instances (each its own engine) share the queue; on PostgreSQL they really run at once."""
    office = await make_office(demo_app, {"me": "inspector"})
    me = await new_client(demo_app, office.username("me"))
    try:
        for _ in range(12):
            assert (
                await me.post("/account/notifications/test", data={"csrf_token": me.csrf})
            ).status_code == 303
    finally:
        await close(me)
    settings = settings_for(demo_app, smtp)
    await worker(demo_app, settings).fan_out(date(2026, 12, 1))
    first, second = create_database(demo_app.db.url), create_database(demo_app.db.url)
    try:
        await asyncio.gather(Worker(first, settings).deliver(), Worker(second, settings).deliver())
    finally:
        await first.dispose()
        await second.dispose()
    assert len(smtp.to(office.email("me"))) == 12
    statuses = await sql(
        demo_app,
        "SELECT d.status, count(*) FROM notification_deliveries d WHERE d.user_id = :u GROUP BY d.status",
        u=office.users["me"][1],
    )
    assert [(s, int(n)) for s, n in statuses] == [("sent", 12)]


async def test_two_scans_racing_add_each_reminder_once(demo_app: DemoApp) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    _made, clock = await running_clock(demo_app, office, date(2026, 12, 10))
    settings = settings_for(demo_app)
    first, second = create_database(demo_app.db.url), create_database(demo_app.db.url)
    try:
        await asyncio.gather(
            Worker(first, settings).scan(date(2026, 12, 8)), Worker(second, settings).scan(date(2026, 12, 8))
        )
    finally:
        await first.dispose()
        await second.dispose()
    assert await _reminders(demo_app, clock) == ["reminder.soon"]
