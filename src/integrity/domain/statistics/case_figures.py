"""The case figures as one table: leads received, disposals, outcomes and deadlines (see `figures`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, literal, or_
from sqlmodel import col

from integrity.db.models import Case, CaseClock, CaseTransition
from integrity.domain.cases import workflow
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.visibility import visible_case_filter
from integrity.domain.statistics.figures import Figure, Records, pairs
from integrity.domain.statistics.periods import Period
from integrity.lib.i18n import N_
from integrity.lib.localtime import period_bounds

CASES = Records("case", col(Case.unit_id), visible_case_filter)

# Outcomes: what a step into these statuses counts as (filing is the approved move into investigation).
FILED, TRANSFERRED, CLOSED = "filed", "transferred", "closed"


def _received_by(column: Any) -> Callable[[Period], Select[Any]]:
    def counted(period: Period) -> Select[Any]:
        return pairs(col(Case.id), column).where(
            col(Case.received_on) >= period.start, col(Case.received_on) <= period.end
        )

    return counted


def approved_disposal(step: Any) -> Any:
    """A step of history (`CaseTransition` or an alias) that is a disposal approved: a returned one is not."""
    return and_(
        col(step.from_status) == workflow.DISPOSAL_PROPOSED, col(step.to_status).in_(workflow.DISPOSALS)
    )


def approved_filing(step: Any) -> Any:
    """A step of history that is a case filed (立案): the approved move into investigation."""
    return and_(
        col(step.from_status) == workflow.INVESTIGATION_PROPOSED,
        col(step.to_status) == workflow.INVESTIGATION,
    )


def _steps(period: Period, *where: Any, key: Any) -> Select[Any]:
    """Cases by a step of their history taken within the period (local days)."""
    first, last = period_bounds(period.start, period.end)
    return (
        pairs(col(Case.id), key)
        .join(CaseTransition, col(CaseTransition.case_id) == col(Case.id))
        .where(col(CaseTransition.at) >= first, col(CaseTransition.at) <= last, *where)
    )


def _disposed(period: Period) -> Select[Any]:
    """Leads disposed of: the approved disposal, by the method approved (a returned one is not)."""
    return _steps(period, approved_disposal(CaseTransition), key=col(CaseTransition.to_status))


def _outcomes(period: Period) -> Select[Any]:
    """Cases filed (立案), transferred and closed in the period: the step into the status (a step recorded
    in a closed case, as imported history has, closes nothing)."""
    to, filed = col(CaseTransition.to_status), approved_filing(CaseTransition)
    moved = to != col(CaseTransition.from_status)
    return _steps(
        period,
        filed | (to.in_((workflow.TRANSFERRED, workflow.CLOSED)) & moved),
        key=case((filed, FILED), (to == workflow.TRANSFERRED, TRANSFERRED), else_=CLOSED),
    )


def _clock_outcome(open_key: str) -> Any:
    due, met = col(CaseClock.due_on), col(CaseClock.met_on)
    outcome: Any = case(
        (met <= due, literal(".met")), (met.is_(None), literal(open_key)), else_=literal(".met_late")
    )
    return col(CaseClock.rule_code) + outcome


def _clocks_due(period: Period, key: Any, *where: Any) -> Select[Any]:
    due = col(CaseClock.due_on)
    return (
        pairs(col(Case.id), key)
        .join(CaseClock, col(CaseClock.case_id) == col(Case.id))
        .where(due >= period.start, due <= period.end, col(CaseClock.stopped_on).is_(None), *where)
    )


def _clocks(period: Period) -> Select[Any]:
    """Legal clocks due within the period, by kind and how they ended: met in time, met late, or still
    unmet past their due date. Clocks a reviewer stopped, and clocks not yet due, count in none."""
    due, met = col(CaseClock.due_on), col(CaseClock.met_on)
    return _clocks_due(period, _clock_outcome(".overdue"), or_(met.is_not(None), due < local_today()))


OPEN = ".open"


def clock_states(period: Period) -> Select[Any]:
    """Clocks due within the period as the monthly tallies keep them: a clock still unmet is `.open`,
    overdue once its month has passed (tallies are read only for months before the current one)."""
    return _clocks_due(period, _clock_outcome(OPEN))


_by_source, _by_category = _received_by(col(Case.source)), _received_by(col(Case.category))
FIGURES = (
    Figure("received_by_source", N_("Leads received, by source"), "source", CASES, _by_source),
    Figure(
        "received_by_category",
        N_("Leads received, by category"),
        "category",
        CASES,
        _by_category,
    ),
    Figure("disposals", N_("Leads disposed of, by method"), "status", CASES, _disposed),
    Figure("outcomes", N_("Cases filed, transferred and closed"), "outcome", CASES, _outcomes),
    Figure(
        "clocks",
        N_("Deadlines due in the period: met in time, late, or still overdue"),
        "clock",
        CASES,
        _clocks,
    ),
)


@dataclass(frozen=True)
class Tallied:
    """How the monthly tallies keep a case figure (statistics/tallies): what the worker counts, the day
    each record counts on and its table's case column (a reader's special cases are read from their own
    steps and clocks), and whether records still open count only once their month has passed."""

    counted: Callable[[Period], Select[Any]]
    when: Any
    case: Any
    open_until_month_ends: bool = False  # deadlines: this month from the cases, `.open` read as overdue


_RECEIVED = (col(Case.received_on), col(Case.id))
_STEP = (col(CaseTransition.at), col(CaseTransition.case_id))
TALLIED = {
    "received_by_source": Tallied(_by_source, *_RECEIVED),
    "received_by_category": Tallied(_by_category, *_RECEIVED),
    "disposals": Tallied(_disposed, *_STEP),
    "outcomes": Tallied(_outcomes, *_STEP),
    "clocks": Tallied(clock_states, col(CaseClock.due_on), col(CaseClock.case_id), True),
}
# Own msgids: "Filed" and "Closed" already name an appeal filed and a disposal (予以了结) elsewhere.
OUTCOME_LABELS = {FILED: N_("Case filed"), TRANSFERRED: N_("Case transferred"), CLOSED: N_("Case closed")}
