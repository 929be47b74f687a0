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


def test_many_spans_in_one_walk_agree_with_each_count() -> None:
    """The statistics' durations: spans that start on different days, across the Spring Festival."""
    cal = WorkCalendar({date(2026, 2, 14): True})
    spans = [
        (date(2026, 1, 1) + timedelta(days=a), date(2026, 1, 1) + timedelta(days=a + b))
        for a in range(0, 80, 9)
        for b in (-3, 0, 1, 20, 45)
    ]
    assert cal.working_days_spans(spans) == [cal.working_days_between(a, b) for a, b in spans]
    assert cal.working_days_spans([]) == []
