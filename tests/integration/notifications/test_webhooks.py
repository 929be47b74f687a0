"""Work-chat webhooks: only an entered URL on an allowed host, no redirects, retries, then failed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from integrity.db.types import utcnow
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.cases.clocks import local_today, work_calendar
from integrity.domain.notifications import admin
from integrity.domain.notifications.delivery import BACKOFF
from integrity.domain.notifications.webhook import check_url
from integrity.lib.errors import InvalidInput
from tests.conftest import DemoApp, new_client
from tests.support.cases import act
from tests.support.helpers import close, sql, unit_id
from tests.support.notify import (
    HookReceiver,
    Office,
    make_office,
    make_person,
    new_case,
    running_clock,
    settings_for,
    worker,
)


async def _hook(demo_app: DemoApp, office: Office, url: str, flavour: str = "wecom") -> int:
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, "admin", "test")
        data = admin.WebhookIn(office.unit_id, "纪检群", url, flavour, ("approval.requested",))
        hook = await admin.add_webhook(session, settings_for(demo_app), access, actor, data)
        await session.commit()
    assert hook.id is not None
    return hook.id


async def _proposal(demo_app: DemoApp, office: Office, title: str) -> dict[str, object]:
    person = await make_person(demo_app, await unit_id(demo_app, "HXT"), "群消息对象")
    maker = await new_client(demo_app, office.username("maker"))
    try:
        case = await new_case(maker, office, [person], title)
        assert (await act(maker, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
        return dict(case)
    finally:
        await close(maker)


async def _deliveries(demo_app: DemoApp, hook_id: int) -> list[tuple[str, int, str]]:
    rows = await sql(
        demo_app,
        "SELECT status, attempts, last_error FROM notification_deliveries WHERE webhook_id = :h",
        h=hook_id,
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def test_a_robot_hears_the_kind_the_number_and_a_link_never_the_title(
    demo_app: DemoApp, hooks: HookReceiver
) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    prefix = f"/{uuid.uuid4().hex[:8]}"
    hook_id = await _hook(demo_app, office, hooks.url(f"{prefix}/ok?key=secret"))
    case = await _proposal(demo_app, office, "食堂采购中的虚报冒领")
    await worker(demo_app, settings_for(demo_app)).run_once()
    [hit] = hooks.at(prefix)
    content = hit.body["text"]["content"]
    assert hit.body["msgtype"] == "text"
    assert case["number"] in content
    assert "待您审核" in content
    assert "食堂采购中的虚报冒领" not in content
    assert "群消息对象" not in content
    assert await _deliveries(demo_app, hook_id) == [("sent", 0, "")]


async def test_a_failing_webhook_is_retried_with_pauses_then_marked_failed(
    demo_app: DemoApp, hooks: HookReceiver
) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    prefix = f"/{uuid.uuid4().hex[:8]}"
    hook_id = await _hook(demo_app, office, hooks.url(f"{prefix}/fail"))
    await _proposal(demo_app, office, "失败重试测试")
    work = worker(demo_app, settings_for(demo_app))
    await work.run_once()
    assert len(hooks.at(prefix)) == 1
    [(status, attempts, error)] = await _deliveries(demo_app, hook_id)
    assert (status, attempts) == ("retrying", 1)
    assert "HTTP 500" in error
    await work.deliver(utcnow() + timedelta(seconds=30))  # not yet due again
    assert len(hooks.at(prefix)) == 1
    at = utcnow()
    for pause in BACKOFF:
        at += pause + timedelta(seconds=1)
        await work.deliver(at)
    assert len(hooks.at(prefix)) == 1 + len(BACKOFF)
    [(status, attempts, error)] = await _deliveries(demo_app, hook_id)
    assert (status, attempts) == ("failed", 1 + len(BACKOFF))
    assert "HTTP 500" in error
    await work.deliver(at + timedelta(days=1))  # failed for good: never tried again
    assert len(hooks.at(prefix)) == 1 + len(BACKOFF)
    # The administrators see it failed, with the reason; nobody else sees the page.
    admin_client = await new_client(demo_app, "admin")
    inspector = await new_client(demo_app, office.username("maker"))
    try:
        page = await admin_client.get("/admin/notifications?status=failed")
        assert page.status_code == 200
        assert "纪检群" in page.text
        assert "HTTP 500" in page.text
        assert (await inspector.get("/admin/notifications")).status_code == 403
    finally:
        await close(admin_client)
        await close(inspector)


async def test_a_redirect_is_not_followed(demo_app: DemoApp, hooks: HookReceiver) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    prefix = f"/{uuid.uuid4().hex[:8]}"
    hook_id = await _hook(demo_app, office, hooks.url(f"{prefix}/redirect"))
    await _proposal(demo_app, office, "重定向测试")
    await worker(demo_app, settings_for(demo_app)).run_once()
    assert [h.path for h in hooks.at(prefix)] == [f"{prefix}/redirect"]  # never on to {prefix}/ok
    [(status, _attempts, error)] = await _deliveries(demo_app, hook_id)
    assert status == "retrying"
    assert "redirect not followed" in error


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/hook",  # a host the operator did not allow
        "http://10.0.0.8/hook",
        "file:///etc/passwd",
        "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "qyapi.weixin.qq.com/cgi-bin/webhook/send",
    ],
)
def test_only_an_allowed_host_may_be_entered(url: str) -> None:
    from integrity.config import Settings

    with pytest.raises(InvalidInput):
        check_url(Settings(env="development"), url)
    assert check_url(Settings(env="development"), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")


async def test_an_administrator_adds_a_webhook_on_the_page_and_a_refused_host_is_explained(
    demo_app: DemoApp,
) -> None:
    office = await make_office(demo_app, {"maker": "inspector"})
    page = await new_client(demo_app, "admin")
    try:
        form = {
            "csrf_token": page.csrf,
            "unit_id": str(office.unit_id),
            "name": "华通群",
            "flavour": "wecom",
            "types": ["reminder.overdue"],
            "include_below": "on",
        }
        refused = await page.post(
            "/admin/notifications/webhooks", data={**form, "url": "https://hooks.example.com/x"}
        )
        assert refused.status_code == 422
        assert "INTEGRITY_WEBHOOK_HOSTS" in refused.text
        assert "华通群" in refused.text
        added = await page.post(
            "/admin/notifications/webhooks",
            data={**form, "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY"},
        )
        assert added.status_code == 303
        shown = (await page.get("/admin/notifications")).text
        assert "华通群" in shown
        assert "SECRETKEY" not in shown
        [(hook_id,)] = await sql(demo_app, "SELECT id FROM webhooks WHERE unit_id = :u", u=office.unit_id)
        off = await page.post(
            f"/admin/notifications/webhooks/{hook_id}/active", data={"csrf_token": page.csrf, "active": "0"}
        )
        assert off.status_code == 303
        assert (await sql(demo_app, "SELECT active FROM webhooks WHERE id = :h", h=hook_id))[0][0] in (
            False,
            0,
        )
        actions = [
            r[0]
            for r in await sql(
                demo_app,
                "SELECT action FROM audit_events"
                " WHERE object_type = 'webhook' AND object_id = :h ORDER BY seq",
                h=str(hook_id),
            )
        ]
        assert actions == ["webhook.create", "webhook.update"]
    finally:
        await close(page)


async def test_a_robot_hears_a_deadline_with_its_clock_and_the_working_days_left(
    demo_app: DemoApp, hooks: HookReceiver
) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    prefix = f"/{uuid.uuid4().hex[:8]}"
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, "admin", "test")
        data = admin.WebhookIn(
            office.unit_id, "期限群", hooks.url(f"{prefix}/ok"), "json", ("reminder.soon",)
        )
        await admin.add_webhook(session, settings_for(demo_app), access, actor, data)
        await session.commit()
    async with demo_app.app.state.db.read_session() as session:  # the post counts days left when sent
        due = (await work_calendar(session)).add_working_days(local_today(), 3)
    case, _clock = await running_clock(demo_app, office, due)
    work = worker(demo_app, settings_for(demo_app))
    await work.scan(local_today())
    await work.run_once(scan=False)
    [hit] = hooks.at(prefix)
    assert hit.body["event"] == "reminder.soon"
    assert hit.body["case_number"] == case["number"]
    assert "初步核实：还有 3 个工作日到期" in hit.body["text"]
