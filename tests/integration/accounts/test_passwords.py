"""Passwords: an administrator's reset to a temporary one that must be changed at sign-in; changing
one's own (current password, strength, other sessions ended); sessions one can see and end.

These sign in for real (the password round is what they test)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Client, DemoApp, http_client, new_client
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql

pytestmark = pytest.mark.usefixtures("clear_throttle")

STRONG = "lantern-orchard-47-violet"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def form_csrf(c: Client, path: str) -> str:
    page = await c.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_FIELD.search(page.text)
    assert found, page.text
    return found.group(1)


async def change(c: Client, current: str, new: str, repeat: str | None = None) -> object:
    csrf = await form_csrf(c, "/account/password")
    return await c.post(
        "/account/password",
        data={
            "current": current,
            "new": new,
            "repeat": new if repeat is None else repeat,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )


async def test_a_reset_password_works_once_and_must_be_replaced_before_anything_else(
    demo_app: DemoApp, client: Client
) -> None:
    username, user_id = await make_user(demo_app, "inspector", "HXT")
    admin = await new_client(demo_app, "admin")
    old_session = await new_client(demo_app, username, TEST_PASSWORD)
    reset = await admin.write("POST", f"/api/v1/users/{user_id}/password-reset")
    assert reset.status_code == 201, reset.text
    temporary = reset.json()["temporary_password"]
    assert reset.json()["user"]["must_change_password"] is True
    assert (await old_session.get("/api/v1/me")).status_code == 401  # its sessions ended
    assert (await client.sign_in(username, TEST_PASSWORD)).status_code == 401
    assert (await client.sign_in(username, temporary)).status_code == 302
    # Half signed in: every page leads to the password page, the API answers 401 and says why.
    home = await client.get("/cases", follow_redirects=False)
    assert home.status_code == 302
    assert home.headers["location"] == "/account/password"
    me = await client.get("/api/v1/me")
    assert me.status_code == 401
    assert me.json()["type"] == "/problems/sign-in-incomplete"
    page = await client.get("/account/password")
    assert "临时密码" in page.text
    assert 'data-nav="cases"' not in page.text  # no navigation until the step is done
    weak = await change(client, temporary, "password123")
    assert weak.status_code == 422  # type: ignore[attr-defined]
    assert "太容易被猜到" in weak.text  # type: ignore[attr-defined]
    own_name = await change(client, temporary, f"{username}-2026")
    assert own_name.status_code == 422  # type: ignore[attr-defined]
    differ = await change(client, temporary, STRONG, STRONG + "x")
    assert differ.status_code == 422  # type: ignore[attr-defined]
    done = await change(client, temporary, STRONG)
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == "/?done=password"  # type: ignore[attr-defined]
    assert (await client.get("/api/v1/me")).status_code == 200
    (flag,) = await sql(demo_app, "SELECT must_change_password FROM users WHERE id = :i", i=user_id)
    assert not flag[0]
    async with http_client(demo_app.app) as other:
        again = Client(other, demo_app.app)
        assert (await again.sign_in(username, temporary)).status_code == 401
        assert (await again.sign_in(username, STRONG)).status_code == 302
    assert await audit_events(demo_app, action="user.password_reset", object_id=str(user_id))
    assert await audit_events(demo_app, action="user.password", object_id=str(user_id), outcome="ok")
    for c in (admin, old_session):
        await close(c)


async def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(
    demo_app: DemoApp, client: Client
) -> None:
    username, user_id = await make_user(demo_app, "member", "HXT")
    elsewhere = await new_client(demo_app, username, TEST_PASSWORD)
    assert (await client.sign_in(username, TEST_PASSWORD)).status_code == 302
    wrong = await change(client, "not-my-password", STRONG)
    assert wrong.status_code == 403  # type: ignore[attr-defined]
    assert "当前密码不正确" in wrong.text  # type: ignore[attr-defined]
    assert await audit_events(demo_app, action="user.password", object_id=str(user_id), outcome="denied")
    assert (await elsewhere.get("/api/v1/me")).status_code == 200
    done = await change(client, TEST_PASSWORD, STRONG)
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert (await client.get("/api/v1/me")).status_code == 200  # this session goes on
    assert (await elsewhere.get("/api/v1/me")).status_code == 401  # the other one ended
    await close(elsewhere)


async def test_wrong_current_passwords_are_throttled_like_sign_in(demo_app: DemoApp, client: Client) -> None:
    username, _ = await make_user(demo_app, "member", "HXT")
    assert (await client.sign_in(username, TEST_PASSWORD)).status_code == 302
    for _ in range(demo_app.settings.login_free_failures):
        assert (await change(client, "wrong-password", STRONG)).status_code == 403  # type: ignore[attr-defined]
    locked = await change(client, TEST_PASSWORD, STRONG)
    assert locked.status_code == 429  # type: ignore[attr-defined]


async def test_my_sessions_lists_each_browser_and_ends_one_or_all_others(demo_app: DemoApp) -> None:
    username, user_id = await make_user(demo_app, "member", "HXT")
    phone = await new_client(demo_app, username, TEST_PASSWORD)
    laptop = await new_client(demo_app, username, TEST_PASSWORD)
    desk = await new_client(demo_app, username, TEST_PASSWORD)
    page = await desk.get("/account/sessions")
    rows = re.findall(r'data-testid="session"( data-current="true")?', page.text)
    assert len(rows) == 3
    assert sum(1 for r in rows if r) == 1
    handles = re.findall(r'action="/account/sessions/([0-9a-f]+)/end"', page.text)
    assert len(handles) == 2
    ended = await desk.post(f"/account/sessions/{handles[0]}/end", data={"csrf_token": desk.csrf})
    assert ended.status_code == 303
    alive = [(await c.get("/api/v1/me")).status_code for c in (phone, laptop)]
    assert sorted(alive) == [200, 401]
    # Another user's handle ends nothing.
    other = await new_client(demo_app, "zhou.li")
    assert (
        await other.post(f"/account/sessions/{handles[1]}/end", data={"csrf_token": other.csrf})
    ).status_code == 303
    assert sorted([(await c.get("/api/v1/me")).status_code for c in (phone, laptop)]) == [200, 401]
    await desk.post("/account/sessions/end-others", data={"csrf_token": desk.csrf})
    assert [(await c.get("/api/v1/me")).status_code for c in (phone, laptop, desk)] == [401, 401, 200]
    assert len(await audit_events(demo_app, action="user.sessions_end", object_id=str(user_id))) == 2
    for c in (phone, laptop, desk, other):
        await close(c)
