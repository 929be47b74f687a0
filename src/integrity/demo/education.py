"""Demo education: a warning-education meeting of the East China branch for everyone in it, published,
starting tomorrow at 09:00 local time (so zhou.li has an event coming up)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import Unit
from integrity.demo.cases import access_for
from integrity.domain.cases.clocks import local_today
from integrity.domain.education.events import AudienceRule, EventDraft, create_event, publish, set_audience


async def load_demo_education(session: AsyncSession, settings: Settings) -> int:
    """The demo's events; how many."""
    access, actor = await access_for(session, "li.na")  # inspector of 华夏电力: organises for its branches
    east = (await session.execute(select(Unit).where(col(Unit.code) == "HXP-EAST"))).scalar_one()
    starts = datetime.combine(local_today() + timedelta(days=1), time(9), ZoneInfo(settings.timezone))
    draft = EventDraft(
        unit_id=east.id or 0,
        type_code="warning_education",
        title="2026年度警示教育大会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="华东分公司三楼会议室",
        speaker="集团纪委 张伟",
        description="观看警示教育片，通报近期典型案例，签订廉洁承诺书。",
    )
    event = await create_event(session, actor, draft, access=access)
    assert event.id is not None
    await set_audience(session, actor, event.id, [AudienceRule("unit_tree", unit_id=east.id)], access=access)
    await publish(session, actor, event.id, access=access)
    return 1
