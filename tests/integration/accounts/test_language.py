"""A user's language is kept on the account: applied to every page once signed in, changed from the header."""

from __future__ import annotations

from tests.conftest import DemoApp, new_client
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user

SIGN_OUT = {"zh": "退出登录", "en": "Sign out"}


async def test_the_accounts_language_applies_without_any_cookie(demo_app: DemoApp) -> None:
    name, _ = await make_user(demo_app, "inspector", "HXP", locale="en")
    c = await new_client(demo_app, name, TEST_PASSWORD)
    try:
        page = (await c.get("/")).text
        assert SIGN_OUT["en"] in page
        assert SIGN_OUT["zh"] not in page
    finally:
        await close(c)


async def test_the_header_changes_the_accounts_language_and_it_stays(demo_app: DemoApp) -> None:
    name, user_id = await make_user(demo_app, "inspector", "HXP")  # Chinese, the default
    c = await new_client(demo_app, name, TEST_PASSWORD)
    try:
        assert SIGN_OUT["zh"] in (await c.get("/cases")).text
        changed = await c.write(
            "POST", "/account/language", data={"locale": "en", "next": "/cases"}, follow_redirects=False
        )
        assert changed.status_code == 303, changed.text
        assert changed.headers["location"] == "/cases"
        events = await audit_events(demo_app, action="user.locale", object_id=str(user_id))
        assert len(events) == 1
        assert '"locale":"en"' in events[0][5]
        # Another device, another sign-in: no cookie, the account says English.
        other = await new_client(demo_app, name, TEST_PASSWORD)
        try:
            assert SIGN_OUT["en"] in (await other.get("/cases")).text
        finally:
            await close(other)
        # Only a path of this site is a place to go back to; a bad language changes nothing.
        away = await c.write(
            "POST",
            "/account/language",
            data={"locale": "zh", "next": "//example.org/x"},
            follow_redirects=False,
        )
        assert away.headers["location"] == "/"
        bad = await c.write("POST", "/account/language", data={"locale": "fr"}, follow_redirects=False)
        assert bad.status_code == 422
    finally:
        await close(c)
