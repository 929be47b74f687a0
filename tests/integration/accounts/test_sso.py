"""Single sign-on against a real OpenID provider on loopback (tests/support/oidc.py): a linked user gets
in; an unknown user, a token for another audience, with a bad signature, an expired one, a replayed
nonce and a forged state are refused, each audited; nobody unknown ever gets an account or a role."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from litestar import Litestar

from tests.conftest import DemoApp, http_client
from tests.support.helpers import audit_events, sql
from tests.support.oidc import Login, OpenIdProvider

pytestmark = pytest.mark.usefixtures("clear_throttle")


async def through_provider(c: httpx.AsyncClient, provider: OpenIdProvider, login: Login) -> httpx.Response:
    """The browser's trip: to the provider (real HTTP), which signs `login` in and sends it back."""
    provider.next_login = login
    leave = await c.get("/login/sso", follow_redirects=False)
    assert leave.status_code == 302, leave.text
    assert leave.headers["location"].startswith(f"{provider.issuer}/authorize?")
    async with httpx.AsyncClient(trust_env=False) as browser:
        at_provider = await browser.get(leave.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    return await c.get(f"{back.path}?{back.query}", follow_redirects=False)


async def test_a_linked_user_signs_in_with_single_sign_on(sso_app: Litestar, oidc: OpenIdProvider) -> None:
    async with http_client(sso_app) as c:
        answer = await through_provider(c, oidc, Login({"sub": "u-0001", "preferred_username": "li.na"}))
        assert answer.status_code == 302
        assert answer.headers["location"] == "/"
        me = await c.get("/api/v1/me")
        assert me.status_code == 200
        assert me.json()["username"] == "li.na"


async def test_an_unknown_user_gets_no_access_no_account_and_no_role(
    sso_app: Litestar, oidc: OpenIdProvider, demo_app: DemoApp
) -> None:
    stranger = f"new.{uuid.uuid4().hex[:6]}"
    (before,) = await sql(demo_app, "SELECT COUNT(*) FROM users")
    async with http_client(sso_app) as c:
        answer = await through_provider(c, oidc, Login({"sub": "u-9", "preferred_username": stranger}))
        assert answer.status_code == 403
        assert "尚未关联本系统账号" in answer.text
        assert "integrity_session" not in answer.headers.get("set-cookie", "")
        assert (await c.get("/api/v1/me")).status_code == 401
    (after,) = await sql(demo_app, "SELECT COUNT(*) FROM users")
    assert after == before
    denied = await audit_events(demo_app, action="auth.login", outcome="denied")
    assert any(stranger in str(row[5]) for row in denied)


@pytest.mark.parametrize("fault", ["wrong_audience", "bad_signature", "expired", "replayed_nonce"])
async def test_a_token_that_does_not_verify_signs_nobody_in(
    sso_app: Litestar, oidc: OpenIdProvider, fault: str
) -> None:
    async with http_client(sso_app) as c:
        await through_provider(c, oidc, Login({"sub": "u-0001", "preferred_username": "li.na"}))
    async with http_client(sso_app) as c:
        answer = await through_provider(
            c, oidc, Login({"sub": "u-0001", "preferred_username": "li.na"}, fault)
        )
        assert answer.status_code == 403, fault
        assert "无法验证" in answer.text
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_a_callback_that_this_browser_did_not_start_is_refused(
    sso_app: Litestar, oidc: OpenIdProvider
) -> None:
    async with http_client(sso_app) as c:
        oidc.next_login = Login({"sub": "u-0001", "preferred_username": "li.na"})
        leave = await c.get("/login/sso", follow_redirects=False)
        async with httpx.AsyncClient(trust_env=False) as browser:
            at_provider = await browser.get(leave.headers["location"], follow_redirects=False)
        back = urlsplit(at_provider.headers["location"])
    async with http_client(sso_app) as other:  # another browser, without the flow's cookie
        answer = await other.get(f"{back.path}?{back.query}", follow_redirects=False)
        assert answer.status_code == 403
        assert "并非从本系统发起" in answer.text
        assert (await other.get("/api/v1/me")).status_code == 401


async def test_with_password_sign_in_off_only_single_sign_on_signs_in(sso_app: Litestar) -> None:
    async with http_client(sso_app) as c:
        page = await c.get("/login")
        assert 'data-testid="sso"' in page.text
        assert 'name="password"' not in page.text
        tried = await c.post("/login", data={"username": "li.na", "password": "Integrity-2026"})
        assert tried.status_code == 403
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_single_sign_on_does_not_skip_a_required_second_factor(
    sso_app: Litestar, oidc: OpenIdProvider
) -> None:
    async with http_client(sso_app) as c:
        answer = await through_provider(c, oidc, Login({"sub": "u-0002", "preferred_username": "zhao.min"}))
        assert answer.status_code == 302
        held = await c.get("/audit", follow_redirects=False)
        assert held.headers["location"] in ("/account/second-factor", "/login/second-factor")
