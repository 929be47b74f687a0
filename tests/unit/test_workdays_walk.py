"""Counting working days to many dates in one walk agrees with counting them one by one."""

from __future__ import annotations

from datetime import date, timedelta

from integrity.lib.workdays import WorkCalendar


def test_one_walk_agrees_with_each_count_across_holidays_and_overrides() -> None:
    cal = WorkCalendar({date(2026, 10, 10): True, date(2026, 11, 2): False})  # a make-up day, a day off
    start = date(2026, 11, 30)
    ends = [start + timedelta(days=n) for n in range(-90, 120, 7)] + [start]
    walked = cal.working_days_to(start, ends)
    assert walked == {end: cal.working_days_between(start, end) for end in ends}
    assert walked[start] == 0
    assert cal.working_days_to(start, []) == {}
