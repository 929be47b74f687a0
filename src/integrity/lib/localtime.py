"""The office's calendar days as stored moments (the database keeps UTC; offices count local days)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from integrity.config import get_settings


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's first and last local days as stored moments (end inclusive)."""
    zone = ZoneInfo(get_settings().timezone)
    return datetime.combine(start, time.min, zone), datetime.combine(end, time.max, zone)


def local_day(moment: datetime) -> date:
    """The office's calendar day of a stored moment."""
    return moment.astimezone(ZoneInfo(get_settings().timezone)).date()
