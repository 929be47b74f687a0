"""Education's deadlines for the reminder scan: each reflection or make-up report owed on a closed event,
told to its writer (and, long overdue, to the organisers: see the notifications' audiences)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, cast, literal, select
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent
from integrity.domain.education import reflections
from integrity.lib.deadlines import Thresholds, threshold_level


def reflections_owed(t: Thresholds, now: Any) -> Any:
    """Each invitee's reflection or make-up report owed on a closed event (the writer is told)."""
    due, writer = col(EducationEvent.reflection_due_on), col(EducationAttendance.user_id)
    level = threshold_level(due, t)
    key = (
        literal("reflection:")
        + cast(col(EducationEvent.id), String)
        + literal(":")
        + cast(writer, String)
        + literal(":")
        + cast(due, String)
        + literal(":")
        + level
    )
    return (
        select(
            literal("reminder.") + level,
            literal("education"),
            col(EducationEvent.id),
            cast(literal(None), Integer),  # no case
            col(EducationEvent.unit_id),
            due,
            literal("reflection"),
            literal('{"user_id": ') + cast(writer, String) + literal("}"),
            key,
            now,
        )
        .join(EducationAttendance, col(EducationAttendance.event_id) == col(EducationEvent.id))
        .where(due <= t.horizon, reflections.owed())
    )
