"""The bell, the notifications page and the settings page, as a user meets them."""

from __future__ import annotations

import re
from datetime import date

from tests.conftest import DemoApp, new_client
from tests.support.helpers import close, sql
from tests.support.notify import make_office, settings_for, worker


async def test_the_bell_counts_unread_and_the_page_marks_them_read(demo_app: DemoApp) -> None:
    office = await make_office(demo_app, {"me": "inspector"})
    me = await new_client(demo_app, office.username("me"))
    try:
        for _ in range(2):
            assert (
                await me.post("/account/notifications/test", data={"csrf_token": me.csrf})
            ).status_code == 303
        assert (
            'data-testid="bell-count"' not in (await me.get("/notifications/count")).text
        )  # not fanned out yet
        await worker(demo_app, settings_for(demo_app)).fan_out(date(2026, 12, 1))
        bell = (await me.get("/notifications/count")).text
        assert re.search(r'data-testid="bell-count"[^>]*>2<', bell)
        page = (await me.get("/notifications")).text
        assert page.count('data-testid="notification"') == 2
        assert "来自廉洁监督的测试通知" in page
        ids = re.findall(r'action="/notifications/(\d+)/open"', page)
        opened = await me.post(f"/notifications/{ids[0]}/open", data={"csrf_token": me.csrf})
        assert opened.status_code == 303
        assert opened.headers["location"] == "/account/notifications"
        assert re.search(r">1<", (await me.get("/notifications/count")).text)
        done = await me.post("/notifications/read", data={"csrf_token": me.csrf})
        assert done.status_code == 303
        assert 'data-testid="bell-count"' not in (await me.get("/notifications/count")).text
        assert 'data-testid="no-unread"' in (await me.get("/notifications")).text
        assert (
            await me.post("/notifications/99999999/open", data={"csrf_token": me.csrf})
        ).status_code == 404
    finally:
        await close(me)


async def test_nobody_opens_anothers_notification(demo_app: DemoApp) -> None:
    office = await make_office(demo_app, {"me": "inspector", "other": "inspector"})
    me, other = (
        await new_client(demo_app, office.username("me")),
        await new_client(demo_app, office.username("other")),
    )
    try:
        await me.post("/account/notifications/test", data={"csrf_token": me.csrf})
        await worker(demo_app, settings_for(demo_app)).fan_out(date(2026, 12, 1))
        [(mine,)] = await sql(
            demo_app, "SELECT id FROM notifications WHERE user_id = :u", u=office.users["me"][1]
        )
        assert (
            await other.post(f"/notifications/{mine}/open", data={"csrf_token": other.csrf})
        ).status_code == 404
        assert (await sql(demo_app, "SELECT read_at FROM notifications WHERE id = :i", i=mine))[0][0] is None
    finally:
        await close(me)
        await close(other)


async def test_settings_keep_what_was_typed_on_an_error_and_save_choices(demo_app: DemoApp) -> None:
    office = await make_office(demo_app, {"me": "reviewer"})
    me = await new_client(demo_app, office.username("me"))
    try:
        page = (await me.get("/account/notifications")).text
        assert 'name="mode_approval.requested"' in page
        assert "email-off" in page
        form = {
            "csrf_token": me.csrf,
            "email": "not an address",
            "mode_approval.requested": "digest",
            "mode_case.status": "in_app",
        }
        wrong = await me.post("/account/notifications", data=form)
        assert wrong.status_code == 422
        assert "这不像是一个电子邮箱地址" in wrong.text
        assert 'value="not an address"' in wrong.text
        saved = await me.post("/account/notifications", data={**form, "email": "me@office.test"})
        assert saved.status_code == 303
        rows = await sql(
            demo_app,
            "SELECT type, mode FROM notification_preferences WHERE user_id = :u ORDER BY type",
            u=office.users["me"][1],
        )
        chosen = dict((t, m) for t, m in rows)
        assert chosen["approval.requested"] == "digest"
        assert chosen["case.status"] == "in_app"
        assert (await sql(demo_app, "SELECT email FROM users WHERE id = :u", u=office.users["me"][1]))[0][
            0
        ] == "me@office.test"
        bad = await me.post("/account/notifications", data={**form, "email": "", "mode_case.status": "loud"})
        assert bad.status_code == 422
    finally:
        await close(me)
