"""When the events of a series start: every week, or every month on the same day (the month's last
when it is shorter), up to the end date; bounded both ways."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from integrity.domain.education.events import series_starts
from integrity.lib.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_weekly_until_the_end_date_inclusive() -> None:
    first = datetime(2026, 12, 3, 14, 30, tzinfo=SHANGHAI)
    starts = series_starts(first, "weekly", date(2026, 12, 24))
    assert [s.date().isoformat() for s in starts] == ["2026-12-03", "2026-12-10", "2026-12-17", "2026-12-24"]
    assert {(s.hour, s.minute) for s in starts} == {(14, 30)}


def test_monthly_keeps_the_day_or_takes_the_months_last() -> None:
    first = datetime(2027, 1, 31, 9, 0, tzinfo=SHANGHAI)
    starts = series_starts(first, "monthly", date(2027, 4, 30))
    assert [s.date().isoformat() for s in starts] == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]


@pytest.mark.parametrize(
    ("repeat", "until"),
    [("daily", date(2027, 1, 1)), ("weekly", date(2026, 12, 5)), ("weekly", date(2028, 1, 1))],
)
def test_a_series_of_one_event_of_more_than_a_year_of_weeks_or_an_unknown_rhythm_is_refused(
    repeat: str, until: date
) -> None:
    with pytest.raises(InvalidInput):
        series_starts(datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI), repeat, until)
