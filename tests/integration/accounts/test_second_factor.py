"""The second factor: mandatory for the roles configured (admin and auditor by default), set up with a
QR code, each code good once, wrong codes throttled like passwords, recovery codes, an administrator's
reset. These sign in for real: the sign-in steps are what they test."""

from __future__ import annotations

import asyncio
import re
import time

import pyotp
import pytest
from litestar import Litestar

from tests.conftest import Client, DemoApp, http_client, new_client
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, sql

pytestmark = pytest.mark.usefixtures("clear_throttle")

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def page_csrf(c: Client, path: str) -> tuple[str, str]:
    page = await c.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = CSRF_FIELD.search(page.text)
    assert found
    return page.text, found.group(1)


def code_at(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def enrol(c: Client) -> tuple[str, list[str], str]:
    """Set up the second factor from its page as a person with an app would; the key, the recovery codes
    and the code enrolment used."""
    text, csrf = await page_csrf(c, "/account/second-factor")
    key = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', text)
    sealed = re.search(r'name="enrolment" value="([^"]+)"', text)
    assert key
    assert sealed
    assert "<svg" in text  # the QR code, drawn inline
    first = code_at(key.group(1).replace(" ", ""))
    done = await c.post(
        "/account/second-factor/enable",
        data={
            "csrf_token": csrf,
            "enrolment": sealed.group(1),
            "code": first,
        },
    )
    assert done.status_code == 200, done.text
    assert done.headers["cache-control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", done.text)
    assert len(codes) == 10
    return key.group(1).replace(" ", ""), codes, first


async def send_code(c: Client, code: str) -> object:
    _, csrf = await page_csrf(c, "/login/second-factor")
    return await c.post(
        "/login/second-factor", data={"csrf_token": csrf, "code": code}, follow_redirects=False
    )


async def test_an_auditor_must_set_up_a_second_factor_and_then_sign_in_with_a_code_each_good_once(
    demo_app: DemoApp, client: Client
) -> None:
    username, user_id = await make_user(demo_app, "auditor", "HXT")
    assert (await client.sign_in(username, TEST_PASSWORD)).status_code == 302
    held = await client.get("/audit", follow_redirects=False)
    assert held.headers["location"] == "/account/second-factor"
    assert (await client.get("/api/v1/me")).json()["type"] == "/problems/sign-in-incomplete"
    key, codes, first = await enrol(client)
    assert (await client.get("/api/v1/me")).status_code == 200
    assert await audit_events(demo_app, action="user.second_factor", object_id=str(user_id))
    async with http_client(demo_app.app) as inner:
        again = Client(inner, demo_app.app)
        assert (await again.sign_in(username, TEST_PASSWORD)).status_code == 302
        assert (await again.get("/audit", follow_redirects=False)).headers[
            "location"
        ] == "/login/second-factor"
        used = await send_code(again, first)  # the step enrolment already used
        assert used.status_code == 403  # type: ignore[attr-defined]
        assert "已被使用" in used.text  # type: ignore[attr-defined]
        # Codes are kept as sent: a code computed again after a 30-second step has passed is a new one.
        next_code = code_at(key, 1)
        fresh = await send_code(again, next_code)
        assert fresh.status_code == 303  # type: ignore[attr-defined]
        assert fresh.headers["location"] == "/"  # type: ignore[attr-defined]
        assert (await again.get("/api/v1/me")).status_code == 200
    async with http_client(demo_app.app) as inner:
        third = Client(inner, demo_app.app)
        assert (await third.sign_in(username, TEST_PASSWORD)).status_code == 302
        assert (await send_code(third, next_code)).status_code == 403  # type: ignore[attr-defined]
        by_recovery = await send_code(third, codes[0].upper())
        assert by_recovery.status_code == 303  # type: ignore[attr-defined]
    async with http_client(demo_app.app) as inner:
        fourth = Client(inner, demo_app.app)
        assert (await fourth.sign_in(username, TEST_PASSWORD)).status_code == 302
        assert (await send_code(fourth, codes[0])).status_code == 403  # type: ignore[attr-defined]
    ways = [e[5] for e in await audit_events(demo_app, action="auth.second_factor", object_id=str(user_id))]
    assert any("recovery_code" in str(w) for w in ways)
    assert await audit_events(demo_app, action="auth.second_factor", object_id=str(user_id), outcome="denied")


async def test_the_same_code_sent_twice_at_once_signs_in_once(demo_app: DemoApp) -> None:
    username, user_id = await make_user(demo_app, "member", "HXT")
    setup = await new_client(demo_app, username, TEST_PASSWORD)
    key, _, _ = await enrol(setup)
    halves = []
    for _ in range(2):
        inner = http_client(demo_app.app)
        await inner.__aenter__()
        half = Client(inner, demo_app.app)
        assert (await half.sign_in(username, TEST_PASSWORD)).status_code == 302
        _, half.csrf = await page_csrf(half, "/login/second-factor")
        halves.append(half)
    code = code_at(key, 1)
    answers = await asyncio.gather(
        *(
            h.post("/login/second-factor", data={"csrf_token": h.csrf, "code": code}, follow_redirects=False)
            for h in halves
        )
    )
    assert sorted(a.status_code for a in answers) == [303, 403]
    (step,) = await sql(demo_app, "SELECT totp_last_step FROM users WHERE id = :i", i=user_id)
    assert step[0] == int(time.time()) // 30 + 1 or step[0] == int(time.time()) // 30
    for c in (setup, *halves):
        await close(c)


async def test_wrong_codes_are_throttled_like_wrong_passwords(demo_app: DemoApp, client: Client) -> None:
    username, _ = await make_user(demo_app, "member", "HXT")
    setup = await new_client(demo_app, username, TEST_PASSWORD)
    key, _, _ = await enrol(setup)
    assert (await client.sign_in(username, TEST_PASSWORD)).status_code == 302
    for _ in range(demo_app.settings.login_free_failures):
        assert (await send_code(client, "000000")).status_code == 403  # type: ignore[attr-defined]
    locked = await send_code(client, code_at(key, 1))
    assert locked.status_code == 429  # type: ignore[attr-defined]
    await close(setup)


async def test_an_administrator_resets_a_second_factor_and_the_user_is_told(demo_app: DemoApp) -> None:
    username, user_id = await make_user(demo_app, "inspector", "HXT")
    user = await new_client(demo_app, username, TEST_PASSWORD)
    await enrol(user)
    admin = await new_client(demo_app, "admin")
    page = await admin.get(f"/admin/users/{user_id}")
    assert 'data-testid="reset-second-factor"' in page.text
    reset = await admin.post(f"/admin/users/{user_id}/second-factor-reset", data={"csrf_token": admin.csrf})
    assert reset.status_code == 303
    assert (await user.get("/api/v1/me")).status_code == 401  # signed out everywhere
    (row,) = await sql(demo_app, "SELECT totp_secret, totp_enabled_at FROM users WHERE id = :i", i=user_id)
    assert row[0] == ""
    assert row[1] is None
    assert not await sql(demo_app, "SELECT 1 FROM recovery_codes WHERE user_id = :i", i=user_id)
    told = await sql(
        demo_app,
        "SELECT 1 FROM notification_events WHERE type = 'account.second_factor_reset' AND object_id = :i",
        i=user_id,
    )
    assert told
    assert await audit_events(demo_app, action="user.second_factor_reset", object_id=str(user_id))
    for c in (user, admin):
        await close(c)


async def test_a_reset_password_of_an_account_with_a_second_factor_asks_the_code_first(
    demo_app: DemoApp, client: Client
) -> None:
    username, user_id = await make_user(demo_app, "member", "HXT")
    setup = await new_client(demo_app, username, TEST_PASSWORD)
    key, _, _ = await enrol(setup)
    admin = await new_client(demo_app, "admin")
    temporary = (await admin.write("POST", f"/api/v1/users/{user_id}/password-reset")).json()
    assert (await client.sign_in(username, temporary["temporary_password"])).status_code == 302
    # Whoever holds only the temporary password does not get to choose the next one.
    for path in ("/account/password", "/cases"):
        held = await client.get(path, follow_redirects=False)
        assert held.headers["location"] == "/login/second-factor"
    assert (await send_code(client, code_at(key, 1))).headers["location"] == "/account/password"  # type: ignore[attr-defined]
    for c in (setup, admin):
        await close(c)


async def test_by_default_no_browser_is_remembered(demo_app: DemoApp, client: Client) -> None:
    username, _ = await make_user(demo_app, "member", "HXT")
    setup = await new_client(demo_app, username, TEST_PASSWORD)
    await enrol(setup)
    client.cookies.set("integrity_device", "forged-or-old", path="/login")
    assert (await client.sign_in(username, TEST_PASSWORD)).status_code == 302
    page = await client.get("/login/second-factor")
    assert page.status_code == 200
    assert 'name="remember"' not in page.text
    await close(setup)


async def test_a_remembered_browser_skips_the_code_until_the_second_factor_changes(
    demo_app: DemoApp, remembering_app: Litestar
) -> None:
    username, user_id = await make_user(demo_app, "member", "HXT")
    setup = await new_client(demo_app, username, TEST_PASSWORD)
    key, _, _ = await enrol(setup)
    async with http_client(remembering_app) as inner:
        browser = Client(inner, remembering_app)
        assert (await browser.sign_in(username, TEST_PASSWORD)).status_code == 302
        text, csrf = await page_csrf(browser, "/login/second-factor")
        assert 'name="remember"' in text
        form = {"csrf_token": csrf, "code": code_at(key, 1), "remember": "true"}
        passed = await browser.post("/login/second-factor", data=form, follow_redirects=False)
        assert passed.status_code == 303
        device = browser.cookies.get("integrity_device")
        assert device
        await browser.post("/logout", data={"csrf_token": (await page_csrf(browser, "/account/sessions"))[1]})
        assert (await browser.sign_in(username, TEST_PASSWORD)).status_code == 302
        assert (await browser.get("/api/v1/me")).status_code == 200  # no code asked
    # Another user's sign-in in that browser still asks for theirs.
    other, _ = await make_user(demo_app, "member", "HXT")
    other_setup = await new_client(demo_app, other, TEST_PASSWORD)
    await enrol(other_setup)
    async with http_client(remembering_app) as inner:
        shared = Client(inner, remembering_app)
        shared.cookies.set("integrity_device", device, path="/login")
        assert (await shared.sign_in(other, TEST_PASSWORD)).status_code == 302
        assert (await shared.get("/api/v1/me")).status_code == 401
    # A reset and a new set-up forget the browser.
    admin = await new_client(demo_app, "admin")
    await admin.post(f"/admin/users/{user_id}/second-factor-reset", data={"csrf_token": admin.csrf})
    again = await new_client(demo_app, username, TEST_PASSWORD)
    await enrol(again)
    async with http_client(remembering_app) as inner:
        returning = Client(inner, remembering_app)
        returning.cookies.set("integrity_device", device, path="/login")
        assert (await returning.sign_in(username, TEST_PASSWORD)).status_code == 302
        assert (await returning.get("/api/v1/me")).status_code == 401
    for c in (setup, other_setup, admin, again):
        await close(c)
