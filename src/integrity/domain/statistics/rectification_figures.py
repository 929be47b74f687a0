"""The rectification figures: items by status, close-out on time, overdue by unit, re-inspections, letters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, and_, case, cast, exists, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import Case, RecommendationLetter, RectificationItem, ReInspection
from integrity.domain.cases.clocks import local_today
from integrity.domain.rectification import workflow
from integrity.domain.rectification.visibility import visible_filter
from integrity.domain.statistics.figures import Figure, Records, pairs
from integrity.domain.statistics.periods import Period
from integrity.lib.i18n import N_
from integrity.lib.localtime import period_bounds

Item = RectificationItem
ITEMS = Records(
    "item", col(Item.unit_id), lambda access: visible_filter(access, col(Item.unit_id), col(Item.case_id))
)
LETTERS = Records(
    "letter",
    col(RecommendationLetter.unit_id),
    lambda access: visible_filter(
        access, col(RecommendationLetter.unit_id), col(RecommendationLetter.case_id)
    ),
)
# How an item due in a period stands: closed off by its due date, closed late, overdue, not yet due.
ON_TIME, LATE, OVERDUE, NOT_DUE = "on_time", "late", "overdue", "not_due"
CLOSEOUT_LABELS = {
    ON_TIME: N_("Closed off on time"),
    LATE: N_("Closed off late"),
    OVERDUE: N_("Overdue"),
    NOT_DUE: N_("Not yet due"),
}
COMPLETE, IN_PROGRESS, NO_ITEMS = "complete", "in_progress", "no_items"
LETTER_LABELS = {
    COMPLETE: N_("Every item closed off"),
    IN_PROGRESS: N_("Items outstanding"),
    NO_ITEMS: N_("No items yet"),
}
REINSPECTION_LABELS = {"confirmed": N_("Confirmed the close-out"), "reopened": N_("Reopened the item")}


def _items(*where: Any, key: Any) -> Select[Any]:
    return pairs(col(Item.id), key).outerjoin(Case, col(Case.id) == col(Item.case_id)).where(*where)


def _by_status(period: Period) -> Select[Any]:
    """Items created in the period, by their status now."""
    first, last = period_bounds(period.start, period.end)
    return _items(col(Item.created_at) >= first, col(Item.created_at) <= last, key=col(Item.status))


def _closeout(period: Period) -> Select[Any]:
    """Items due in the period: closed off by the due date, after it, still open past it, or not yet due."""
    due, closed = col(Item.due_on), col(Item.closed_on)
    key: Any = case(
        (and_(col(Item.status) == workflow.APPROVED, closed <= due), literal(ON_TIME)),
        (col(Item.status) == workflow.APPROVED, literal(LATE)),
        (due < local_today(), literal(OVERDUE)),
        else_=literal(NOT_DUE),
    )
    return _items(due >= period.start, due <= period.end, key=key)


def _overdue_by_unit(period: Period) -> Select[Any]:
    """Items past their due date and not closed off on the period's last day (or today, within it).

    An item reopened since carries no closing date, so it counts as open on every day before today."""
    day = min(period.end, local_today())
    _, last = period_bounds(day, day)
    return _items(
        col(Item.created_at) <= last,
        col(Item.due_on) < day,
        or_(col(Item.closed_on).is_(None), col(Item.closed_on) > day),
        key=cast(col(Item.unit_id), String),
    )


def _reinspections(period: Period) -> Select[Any]:
    """Items re-inspected (回头看) in the period, by what the visit found."""
    visit = aliased(ReInspection)
    return _items(
        col(visit.recorded_on) >= period.start, col(visit.recorded_on) <= period.end, key=col(visit.outcome)
    ).join(visit, col(visit.item_id) == col(Item.id))


def _letters(period: Period) -> Select[Any]:
    """Recommendation letters issued in the period, by whether every item is closed off."""
    letter = RecommendationLetter
    of_letter = col(Item.letter_id) == col(letter.id)
    key: Any = case(
        (~exists().where(of_letter), literal(NO_ITEMS)),
        (exists().where(of_letter, col(Item.status) != workflow.APPROVED), literal(IN_PROGRESS)),
        else_=literal(COMPLETE),
    )
    return (
        pairs(col(letter.id), key)
        .outerjoin(Case, col(Case.id) == col(letter.case_id))
        .where(col(letter.issued_on) >= period.start, col(letter.issued_on) <= period.end)
    )


FIGURES = (
    Figure("items_by_status", N_("Items set in the period, by status"), "item_status", ITEMS, _by_status),
    Figure(
        "closeout", N_("Items due in the period: closed off on time or late"), "closeout", ITEMS, _closeout
    ),
    Figure(
        "overdue_by_unit", N_("Items overdue at the period's end, by unit"), "unit", ITEMS, _overdue_by_unit
    ),
    Figure(
        "reinspections",
        N_("Re-inspections in the period, by finding"),
        "reinspection",
        ITEMS,
        _reinspections,
    ),
    Figure("letters", N_("Recommendation letters issued, by completion"), "letter", LETTERS, _letters),
)
