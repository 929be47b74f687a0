"""Sign-in, sessions, throttling, API tokens and CSRF."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from integrity.app import create_app
from tests.conftest import LOGIN_TOKEN, Client, DemoApp, http_client, new_client
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql

pytestmark = pytest.mark.usefixtures("clear_throttle")


def session_cookie(response: object) -> str:
    header = "; ".join(v for k, v in response.headers.multi_items() if k == "set-cookie")  # type: ignore[attr-defined]
    found = re.search(r"integrity_session=([^;]+)", header)
    assert found, header
    return found.group(1)


async def status_with_cookie(client: Client, cookie: str) -> int:
    """GET /api/v1/me from a browser that holds only this session cookie."""
    async with http_client(client.app) as other:
        other.cookies.set("integrity_session", cookie)
        return (await other.get("/api/v1/me")).status_code


async def test_sign_in_sets_a_safe_cookie_and_reaches_the_dashboard(client: Client) -> None:
    response = await client.sign_in("zhang.wei")
    assert response.status_code == 302
    assert response.headers["location"] == "/"
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "integrity_session" in v
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # test env; production below
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert "张伟" in dashboard.text


async def test_every_sign_in_gets_a_new_session_id_and_the_old_one_dies(client: Client) -> None:
    first = session_cookie(await client.sign_in("zhang.wei"))
    second = session_cookie(await client.sign_in("zhang.wei"))
    assert first != second
    assert await status_with_cookie(client, first) == 401
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_wrong_password_and_unknown_user_look_the_same(client: Client, demo_app: DemoApp) -> None:
    wrong = await client.sign_in("zhang.wei", "not-the-password")
    unknown = await client.sign_in("nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401

    def strip(page: str) -> str:
        return re.sub(r'value="[^"]*"', "", page)

    assert strip(wrong.text) == strip(unknown.text).replace("nobody.here", "zhang.wei")
    assert "用户名或密码错误" in wrong.text
    denied = await audit_events(demo_app, action="auth.login", outcome="denied")
    assert len(denied) >= 2


async def test_repeated_failures_slow_sign_in_down_for_known_and_unknown_names(
    client: Client, demo_app: DemoApp
) -> None:
    for name in ("li.na", "ghost.user"):
        for _ in range(demo_app.settings.login_free_failures):
            assert (await client.sign_in(name, "wrong-password")).status_code == 401
        locked = await client.sign_in(name, "wrong-password")
        assert locked.status_code == 429
        assert "登录失败次数过多" in locked.text
        # While locked, even the right password is not checked.
        assert (await client.sign_in(name, "Integrity-2026")).status_code == 429
    assert await audit_events(demo_app, action="auth.login", outcome="throttled")


async def test_sign_out_ends_the_session_on_the_server(client: Client) -> None:
    cookie = session_cookie(await client.sign_in("zhang.wei"))
    response = await client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert await status_with_cookie(client, cookie) == 401


async def test_disabling_a_user_ends_their_sessions(demo_app: DemoApp) -> None:
    username, user_id = await make_user(demo_app, "member", "HXP-EAST-SH")
    victim = await new_client(demo_app, username, TEST_PASSWORD)
    assert (await victim.get("/api/v1/me")).status_code == 200
    admin = await new_client(demo_app, "admin")
    patched = await admin.write("PATCH", f"/api/v1/users/{user_id}", json={"is_active": False})
    assert patched.status_code == 200
    assert patched.json()["is_active"] is False
    assert (await victim.get("/api/v1/me")).status_code == 401
    assert (await sql(demo_app, "SELECT count(*) FROM sessions WHERE user_id = :u", u=user_id))[0][0] == 0
    assert (await victim.sign_in(username, TEST_PASSWORD)).status_code == 401
    await close(victim)
    await close(admin)


@pytest.mark.parametrize(
    "expire",
    [
        "UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL '31 minutes'",
        "UPDATE sessions SET expires_at = created_at",
    ],
    ids=["idle", "absolute"],
)
async def test_session_timeouts(demo_app: DemoApp, expire: str) -> None:
    username, user_id = await make_user(demo_app, "member", "HXP-EAST-SH")
    c = await new_client(demo_app, username, TEST_PASSWORD)
    assert (await c.get("/api/v1/me")).status_code == 200
    if demo_app.backend == "sqlite":
        expire = expire.replace(
            "last_seen_at - INTERVAL '31 minutes'", "datetime(last_seen_at, '-31 minutes')"
        )
    await sql(demo_app, expire + " WHERE user_id = :u", u=user_id)
    assert (await c.get("/api/v1/me")).status_code == 401
    await close(c)


async def test_api_tokens_are_shown_once_stored_hashed_and_revocable(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "zhang.wei")
    created = await c.write("POST", "/api/v1/tokens", json={"name": "nightly export", "expires_in_days": 30})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    token_id = created.json()["info"]["id"]
    assert token.startswith("itk_")
    listed = await c.get("/api/v1/tokens")
    assert token not in listed.text
    stored = await sql(demo_app, "SELECT token_hash FROM api_tokens WHERE id = :i", i=token_id)
    assert stored[0][0] != token
    assert token not in stored[0][0]

    async with http_client(demo_app.app) as script:
        auth = {"Authorization": f"Bearer {token}"}
        me = await script.get("/api/v1/me", headers=auth)
        assert me.status_code == 200
        assert me.json()["username"] == "zhang.wei"
        # Bearer calls need no CSRF token: browsers never send them on their own.
        relation = await script.get("/api/v1/me/relations", headers=auth)
        assert relation.status_code == 200
        revoked = await c.write("DELETE", f"/api/v1/tokens/{token_id}")
        assert revoked.status_code == 200
        assert (await script.get("/api/v1/me", headers=auth)).status_code == 401
        assert (
            await script.get("/api/v1/me", headers={"Authorization": "Bearer itk_forged"})
        ).status_code == 401
    await close(c)


async def test_state_changes_from_a_browser_session_need_the_csrf_token(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "zhang.wei")
    unit = (await sql(demo_app, "SELECT id FROM units WHERE code = 'HXP'"))[0][0]
    body = {"unit_id": unit, "name": "测试人员"}
    missing = await c.post("/api/v1/persons", json=body)
    assert missing.status_code == 403
    wrong = await c.post("/api/v1/persons", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    assert await audit_events(demo_app, action="access.denied", object_type="csrf")
    ok = await c.write("POST", "/api/v1/persons", json=body)
    assert ok.status_code == 201
    await close(c)


async def test_login_form_without_its_csrf_token_is_refused(client: Client) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": "zhang.wei", "password": "Integrity-2026", "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_next_never_redirects_off_site(client: Client) -> None:
    page = await client.get("/login")
    token = LOGIN_TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    response = await client.post(
        "/login",
        data={
            "username": "zhang.wei",
            "password": "Integrity-2026",
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


async def test_cookies_are_secure_in_production(demo_app: DemoApp) -> None:
    app = create_app(demo_app.db.settings(env="production"))
    async with AsyncTestClient(app, base_url="https://testserver.local") as inner:
        response = await Client(inner, app).sign_in("zhang.wei")
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "integrity_session" in v
    )
    assert "Secure" in cookie
