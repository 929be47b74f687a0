"""The accountability figures: decisions by form, measure and unit, restrictions in force, appeals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, String, cast
from sqlmodel import col

from integrity.db.models import Appeal, Case, Decision
from integrity.domain.decisions import workflow
from integrity.domain.decisions.services import decision_filter
from integrity.domain.statistics.figures import Figure, Records, pairs
from integrity.domain.statistics.periods import Period
from integrity.lib.i18n import N_

DECISIONS = Records("decision", col(Decision.unit_id), decision_filter)
APPEALS = Records("appeal", col(Decision.unit_id), decision_filter)  # an appeal goes with its decision


def _decisions(key: Any) -> Callable[[Period], Select[Any]]:
    """Decisions in force whose effective date falls in the period (the four-forms count)."""

    def counted(period: Period) -> Select[Any]:
        return (
            pairs(col(Decision.id), key)
            .join(Case, col(Case.id) == col(Decision.case_id))
            .where(
                col(Decision.status).in_(workflow.IN_FORCE),
                col(Decision.effective_on) >= period.start,
                col(Decision.effective_on) <= period.end,
            )
        )

    return counted


def _restrictions(period: Period) -> Select[Any]:
    """Decisions whose restrictions (no promotion, etc.) applied on the period's last day, by measure."""
    day = period.end
    return (
        pairs(col(Decision.id), col(Decision.measure_code))
        .join(Case, col(Case.id) == col(Decision.case_id))
        .where(
            col(Decision.status).in_(workflow.IN_FORCE),
            col(Decision.effective_on) <= day,
            col(Decision.effect_ends_on) > day,
        )
    )


def _appeals(period: Period) -> Select[Any]:
    """Appeals filed in the period, by where they stand now: open, upheld, modified or revoked."""
    return (
        pairs(col(Appeal.id), col(Appeal.status))
        .join(Decision, col(Decision.id) == col(Appeal.decision_id))
        .join(Case, col(Case.id) == col(Decision.case_id))
        .where(col(Appeal.filed_on) >= period.start, col(Appeal.filed_on) <= period.end)
    )


FIGURES = (
    Figure(
        "decisions_by_form",
        N_("Decisions, by form of supervision"),
        "form",
        DECISIONS,
        _decisions(cast(col(Decision.form), String)),
    ),
    Figure(
        "decisions_by_measure",
        N_("Decisions, by measure"),
        "measure",
        DECISIONS,
        _decisions(col(Decision.measure_code)),
    ),
    Figure(
        "decisions_by_unit",
        N_("Decisions, by unit"),
        "unit",
        DECISIONS,
        _decisions(cast(col(Decision.unit_id), String)),
    ),
    Figure(
        "restrictions",
        N_("Restrictions in force on the period's last day, by measure"),
        "measure",
        DECISIONS,
        _restrictions,
    ),
    Figure("appeals", N_("Appeals filed, by outcome"), "appeal", APPEALS, _appeals),
)
