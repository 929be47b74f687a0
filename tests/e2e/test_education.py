"""Signing in at an education event in a real browser at phone size: the organiser's projector shows a
rotating QR code; a member's phone follows its address, signs in to Integrity, taps once and sees 已签到;
the projector's count goes up without a reload. A module of its own, so its own `integrity serve`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from integrity.db.engine import create_database
from integrity.db.models import Unit
from integrity.db.types import utcnow
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.education.events import AudienceRule, EventDraft, create_event, publish, set_audience
from tests.support.browser import LiveServer, _off_thread, browser, live, live_server, sign_in

# A module's live server serves its tests in the order written: they run together, on one worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e-education")]
__all__ = ["browser", "live", "live_server"]  # fixtures

PHONE = {"width": 390, "height": 844}


def published_event(live: LiveServer, organiser: str, unit_code: str) -> int:
    """An event of the unit for everyone in it, starting five minutes ago, as its organiser publishes it."""

    async def work() -> int:
        db = create_database(live.settings.database_url)
        try:
            async with db.write_session() as session:
                unit = (await session.execute(select(Unit).where(col(Unit.code) == unit_code))).scalar_one()
                access, actor = await offline_access(session, organiser, "test")
                draft = EventDraft(
                    unit_id=unit.id or 0,
                    type_code="warning_education",
                    title="警示教育大会",
                    starts_at=utcnow() - timedelta(minutes=5),
                    ends_at=utcnow() + timedelta(hours=2),
                    place="三楼会议室",
                )
                event = await create_event(session, actor, draft, access=access)
                assert event.id is not None
                await set_audience(
                    session, actor, event.id, [AudienceRule("unit", unit_id=unit.id)], access=access
                )
                await publish(session, actor, event.id, access=access)
                await session.commit()
                return event.id
        finally:
            await db.dispose()

    return _off_thread(work())


def test_a_member_scans_the_projectors_code_signs_in_and_the_count_goes_up(
    live: LiveServer, browser: Any
) -> None:
    from playwright.sync_api import expect

    base = live.base
    live.staff("e2e.organiser", "组织者", "HXP-EAST-SH", ("inspector",))
    event = published_event(live, "e2e.organiser", "HXP-EAST-SH")

    projector = browser.new_context(viewport=PHONE).new_page()
    sign_in(projector, base, "e2e.organiser")
    projector.goto(f"{base}/education/{event}/projector")
    count = projector.locator("[data-testid=signed-count]")
    expect(count).to_have_text("0")
    address = projector.locator("[data-testid=projector-qr]").get_attribute("data-url")
    assert address
    assert address.startswith(f"{live.settings.base_url.rstrip('/')}/education/scan/{event}?c=")
    address = address.replace(live.settings.base_url.rstrip("/"), base)  # the served address

    phone = browser.new_context(viewport=PHONE).new_page()
    phone.goto(address)  # not signed in yet: the scan leaves a pass, then the sign-in page asks who
    expect(phone).to_have_url(f"{base}/login?next=/education/{event}/sign-in")
    phone.fill("input[name=username]", "zhou.li")
    phone.fill("input[name=password]", "Integrity-2026")
    phone.click("form[action='/login'] button[type=submit]")
    expect(phone).to_have_url(f"{base}/education/{event}/sign-in")
    phone.click("[data-testid=sign-in-form] button[type=submit]")  # one tap: no code to type
    expect(phone.locator("[data-testid=signed-in]")).to_contain_text("已签到")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(count).to_have_text("1", timeout=8000)  # the projector refreshes itself
