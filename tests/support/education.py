"""Education events arranged through the services, for the tests of several files."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.types import utcnow
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.education import attendance, codes, roster
from integrity.domain.education.events import (
    AudienceRule,
    EventDraft,
    close,
    create_event,
    publish,
    set_audience,
    take_step,
)
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope
from tests.conftest import DemoApp
from tests.support.notify import Office


@asynccontextmanager
async def acting(
    demo_app: DemoApp, office: Office, key: str
) -> AsyncIterator[tuple[AsyncSession, AccessScope, Actor]]:
    """A write session as one of the office's people; committed when the block ends without error."""
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, office.username(key), "test")
        yield session, access, actor
        await session.commit()


async def organise(demo_app: DemoApp, office: Office, **draft: Any) -> int:
    """An event of the office, for its unit less `c`, published by its organiser."""
    values: dict[str, Any] = {
        "unit_id": office.unit_id,
        "type_code": "warning_education",
        "title": "警示教育大会",
        "starts_at": utcnow() - timedelta(minutes=5),
        "ends_at": utcnow() + timedelta(hours=2),
        **draft,
    }
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, office.username("organiser"), "test")
        event = await create_event(session, actor, EventDraft(**values), access=access)
        assert event.id is not None
        rules = [
            AudienceRule("unit", unit_id=office.unit_id),
            AudienceRule("exclude", user_id=office.users["c"][1]),
        ]
        await set_audience(session, actor, event.id, rules, access=access)
        await publish(session, actor, event.id, access=access)
        await session.commit()
        return event.id


async def sign(demo_app: DemoApp, office: Office, key: str, event_id: int, code: str) -> str:
    async with demo_app.app.state.db.write_session() as session:
        _access, actor = await offline_access(session, office.username(key), "test")
        outcome = await attendance.sign_in(session, demo_app.settings, actor, event_id, code)
        await session.commit()
        return outcome


def now_code(demo_app: DemoApp, event_id: int, seconds: int = 10, ago: float = 0) -> codes.SignInCode:
    return codes.current(demo_app.settings, event_id, seconds, time.time() - ago)


async def two_held_one_cancelled(
    demo_app: DemoApp,
    office: Office,
    first: dict[str, Any],
    second: dict[str, Any],
    *,
    close_second: bool = False,
) -> tuple[int, int, int]:
    """Two events for everyone in the office but c, and a third published then cancelled. The first,
    over: a present, the organiser late, b absent when it closed; the second, under way (or closed):
    the organiser present, a absent, b on leave."""
    org, a, b = (office.users[k][1] for k in ("organiser", "a", "b"))
    earlier = utcnow() - timedelta(hours=5)
    held = await organise(
        demo_app, office, starts_at=earlier, ends_at=earlier + timedelta(hours=1), **{"title": "一", **first}
    )
    under_way = await organise(demo_app, office, **{"title": "二", **second})
    cancelled = await organise(
        demo_app,
        office,
        title="三",
        starts_at=utcnow() + timedelta(days=1),
        ends_at=utcnow() + timedelta(days=1, hours=1),
    )
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await roster.mark(session, actor, held, [a], "present", access=access)
        await roster.mark(session, actor, held, [org], "late", access=access)
        await close(session, actor, held, access=access)  # b absent
        await roster.mark(session, actor, under_way, [org], "present", access=access)
        await roster.mark(session, actor, under_way, [a], "absent", access=access)
        await roster.mark(session, actor, under_way, [b], "excused", access=access)
        if close_second:
            await close(session, actor, under_way, access=access)
        await take_step(session, actor, cancelled, "cancel", reason="改期", access=access)
    return held, under_way, cancelled
