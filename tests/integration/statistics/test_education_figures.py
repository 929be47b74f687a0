"""The education statistics on the demo's year of events: each unit's invitations and attendance, counted
here from the attendance rows themselves (the page reads the tallies the database keeps), and the plan."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from integrity.domain.cases.clocks import local_today
from tests.conftest import DemoApp, new_client
from tests.support.helpers import close, sql, unit_id

ATTENDED = ("present", "late", "made_up")


def _utc(day: date, demo_app: DemoApp) -> datetime:
    """The start of a local day (UTC+8) in UTC: aware for PostgreSQL, as SQLite stores it (naive UTC)."""
    moment = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    return moment if demo_app.backend == "postgresql" else moment.replace(tzinfo=None)


async def _counted(demo_app: DemoApp, code: str, start: str, end: str) -> tuple[int, int]:
    """Invitations and attended of the people of the unit and those below, for events neither drafts
    nor cancelled that start in the period (local days, UTC+8)."""
    rows = await sql(
        demo_app,
        "SELECT a.status FROM education_attendance a"
        " JOIN users u ON u.id = a.user_id JOIN units n ON n.id = u.unit_id"
        " JOIN education_events e ON e.id = a.event_id"
        " WHERE n.path LIKE (SELECT path FROM units WHERE code = :code) || '%'"
        " AND e.status NOT IN ('draft', 'cancelled')"
        " AND e.starts_at >= :first AND e.starts_at < :after",
        code=code,
        first=_utc(date.fromisoformat(start), demo_app),
        after=_utc(date.fromisoformat(end) + timedelta(days=1), demo_app),
    )
    return len(rows), sum(1 for (status,) in rows if status in ATTENDED)


async def test_attendance_per_unit_matches_the_rows(demo_app: DemoApp) -> None:
    year = local_today().year
    start, end = f"{year}-01-01", f"{year}-12-31"
    reader = await new_client(demo_app, "zhang.wei")
    try:
        page = await reader.get(
            "/statistics/education",
            params={"period": "year", "start": start, "unit_id": await unit_id(demo_app, "HXP")},
        )
    finally:
        await close(reader)
    assert page.status_code == 200, page.text
    for code in ("HXP", "HXP-EAST"):
        uid = await unit_id(demo_app, code)
        row = page.text.split(f'<tr data-key="{uid}">', 1)[1].split("</tr>", 1)[0]
        # People, invitations, attended, then (after the rates) never attended.
        _people, invitations, attended, _never = (
            int(n) for n in re.findall(r'<td data-label="[^"]*">(\d+)<', row)
        )
        expected = await _counted(demo_app, code, start, end)
        assert expected[0] > 0
        assert (invitations, attended) == expected, code
    assert 'data-testid="chart-attendance"' in page.text
    assert 'data-testid="figure-plan"' in page.text
