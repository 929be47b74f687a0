"""The records one cell counts, as rows to list: each kind of record with the columns its list shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import (
    Appeal,
    Case,
    Decision,
    Measure,
    Person,
    RecommendationLetter,
    RectificationItem,
    Unit,
)

CASE_COLUMNS = tuple(Case.__table__.columns)  # type: ignore[attr-defined]


def _cases(ids: Select[Any]) -> Any:
    return (
        select(*CASE_COLUMNS)
        .where(col(Case.id).in_(ids))
        .order_by(col(Case.received_on).desc(), col(Case.id).desc())
    )


def _decisions(ids: Select[Any]) -> Any:
    return (
        select(
            col(Decision.id),
            col(Decision.form),
            col(Decision.status),
            col(Decision.effective_on),
            col(Decision.effect_ends_on),
            col(Case.number).label("case_number"),
            col(Person.name).label("person"),
            col(Measure.name).label("measure"),
            col(Measure.name_en).label("measure_en"),
        )
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Person, col(Person.id) == col(Decision.person_id))
        .join(Measure, col(Measure.code) == col(Decision.measure_code))
        .where(col(Decision.id).in_(ids))
        .order_by(col(Decision.effective_on).desc(), col(Decision.id).desc())
    )


def _appeals(ids: Select[Any]) -> Any:
    return (
        select(
            col(Appeal.id),
            col(Appeal.decision_id),
            col(Appeal.filed_on),
            col(Appeal.status),
            col(Appeal.decided_on),
            col(Person.name).label("person"),
            col(Measure.name).label("measure"),
            col(Measure.name_en).label("measure_en"),
        )
        .join(Decision, col(Decision.id) == col(Appeal.decision_id))
        .join(Person, col(Person.id) == col(Decision.person_id))
        .join(Measure, col(Measure.code) == col(Decision.measure_code))
        .where(col(Appeal.id).in_(ids))
        .order_by(col(Appeal.filed_on).desc(), col(Appeal.id).desc())
    )


def _items(ids: Select[Any]) -> Any:
    item = RectificationItem
    return (
        select(
            col(item.id),
            col(item.requirement),
            col(item.status),
            col(item.due_on),
            col(item.closed_on),
            col(Unit.name).label("unit"),
            col(Unit.name_en).label("unit_en"),
        )
        .join(Unit, col(Unit.id) == col(item.unit_id))
        .where(col(item.id).in_(ids))
        .order_by(col(item.due_on), col(item.id))
    )


def _letters(ids: Select[Any]) -> Any:
    letter, item = RecommendationLetter, RectificationItem
    items = select(func.count()).where(col(item.letter_id) == col(letter.id)).scalar_subquery()
    return (
        select(
            col(letter.id),
            col(letter.title),
            col(letter.issued_on),
            col(Unit.name).label("unit"),
            col(Unit.name_en).label("unit_en"),
            items.label("items"),
        )
        .join(Unit, col(Unit.id) == col(letter.unit_id))
        .where(col(letter.id).in_(ids))
        .order_by(col(letter.issued_on).desc(), col(letter.id).desc())
    )


ROWS = {"case": _cases, "decision": _decisions, "appeal": _appeals, "item": _items, "letter": _letters}


async def rows(session: AsyncSession, kind: str, ids: Select[Any]) -> list[Any]:
    """The rows of the records whose ids the subquery gives, in the order their list shows them."""
    return list((await session.execute(ROWS[kind](ids))).all())
