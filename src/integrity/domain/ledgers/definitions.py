"""The standard ledgers (台账) as one table: which records each lists for a period, and its columns.

A ledger's query selects its rows with `Case` in the FROM (joined, or outer-joined for items), so the
statistics' reach and each kind of record's visibility apply to it as they do to a figure: a ledger
lists exactly the records its reader may open, and a figure's count of the same records agrees with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from integrity.db.models import (
    Appeal,
    Case,
    CaseTransition,
    Decision,
    EducationEvent,
    EducationReflection,
    EducationTally,
    Measure,
    Person,
    RecommendationLetter,
    RectificationItem,
    User,
)
from integrity.domain.cases import workflow as case_workflow
from integrity.domain.decisions import workflow as decision_workflow
from integrity.domain.education.coverage import STATUSES as ROSTER
from integrity.domain.rectification import workflow as rectification_workflow
from integrity.domain.statistics import (
    accountability_figures,
    case_figures,
    education_figures,
    rectification_figures,
)
from integrity.domain.statistics.case_figures import CASES, approved_disposal, approved_filing
from integrity.domain.statistics.figures import Figure, Records
from integrity.domain.statistics.periods import Period
from integrity.lib.i18n import N_
from integrity.lib.labels import LEDGER_LABELS
from integrity.lib.localtime import period_bounds

PRESENT, LATE, EXCUSED, ABSENT, MADE_UP = "present", "late", "excused", "absent", "made_up"


@dataclass(frozen=True)
class Column:
    """One column: its heading (a msgid), its width on the landscape page, and the row's field it shows."""

    title: str
    width_mm: float
    field: str
    kind: str = "text"  # text, date, number, or a label table ("status", "decision", ...) or a lookup


@dataclass(frozen=True)
class Ledger:
    """A ledger: its name in the office's words, the records it lists, their columns, and its chart."""

    name: str
    title: str
    records: Records
    rows: Callable[[Period], Select[Any]]
    columns: tuple[Column, ...]
    chart: Figure  # drawn above the table in the PDF, and the summary sheet of the workbook


def _step_at(match: Callable[[Any], Any], latest: bool = False) -> Any:
    """When a case took its first (or latest) step that matches: a correlated scalar per row."""
    step = aliased(CaseTransition)
    moment = func.max(col(step.at)) if latest else func.min(col(step.at))
    return select(moment).where(col(step.case_id) == col(Case.id), match(step)).scalar_subquery()


def _leads(period: Period) -> Select[Any]:
    """Leads received in the period, with the disposal approved for each (问题线索处置台账)."""
    step = aliased(CaseTransition)
    disposal = (
        select(col(step.to_status))
        .where(col(step.case_id) == col(Case.id), approved_disposal(step))
        .order_by(col(step.at).desc())
        .limit(1)
        .scalar_subquery()
    )
    disposed_at = _step_at(approved_disposal)
    return (
        select(
            col(Case.id),
            col(Case.number),
            col(Case.received_on),
            col(Case.source),
            col(Case.category),
            col(Case.title),
            col(Case.unit_id),
            col(Case.status),
            disposal.label("disposal"),
            disposed_at.label("disposed_at"),
        )
        .where(col(Case.received_on) >= period.start, col(Case.received_on) <= period.end)
        .order_by(col(Case.received_on), col(Case.id))
    )


def _filed(period: Period) -> Select[Any]:
    """Cases filed (立案) in the period, and when each was decided and closed (案件查办台账)."""
    first, last = period_bounds(period.start, period.end)
    step = aliased(CaseTransition)
    filed_at = _step_at(approved_filing)
    decided_at = _step_at(lambda s: col(s.to_status) == case_workflow.DECIDED, latest=True)
    closed_at = _step_at(lambda s: col(s.to_status) == case_workflow.CLOSED, latest=True)
    return (
        select(
            col(Case.id),
            col(Case.number),
            col(Case.category),
            col(Case.title),
            col(Case.unit_id),
            col(Case.status),
            filed_at.label("filed_at"),
            decided_at.label("decided_at"),
            closed_at.label("closed_at"),
        )
        .where(
            exists().where(
                col(step.case_id) == col(Case.id),
                approved_filing(step),
                col(step.at) >= first,
                col(step.at) <= last,
            )
        )
        .order_by(col(Case.number))
    )


Item = RectificationItem


def _items(period: Period) -> Any:
    """Items set or due in the period, with their source and whether they are overdue (整改台账)."""
    first, last = period_bounds(period.start, period.end)
    letter = RecommendationLetter
    stmt: Any = (
        select(
            col(Item.id),
            col(Item.requirement),
            col(Item.unit_id),
            col(User.display_name).label("responsible"),
            col(Case.number).label("case_number"),
            col(letter.title).label("letter"),
            col(Item.due_on),
            col(Item.status),
            col(Item.closed_on),
        )
        .outerjoin(Case, col(Case.id) == col(Item.case_id))
        .outerjoin(letter, col(letter.id) == col(Item.letter_id))
        .join(User, col(User.id) == col(Item.responsible_user_id))
        .where(
            or_(
                and_(col(Item.created_at) >= first, col(Item.created_at) <= last),
                and_(col(Item.due_on) >= period.start, col(Item.due_on) <= period.end),
            )
        )
        .order_by(col(Item.due_on), col(Item.id))
    )
    return stmt


def _decisions(period: Period) -> Any:
    """Decisions in force taking effect in the period, with announcement, execution, appeal (处分执行台账)."""
    appeal = (
        select(col(Appeal.status))
        .where(col(Appeal.decision_id) == col(Decision.id))
        .order_by(col(Appeal.filed_on).desc(), col(Appeal.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt: Any = (
        select(
            col(Decision.id),
            col(Person.name).label("person"),
            col(Decision.unit_id),
            col(Case.number).label("case_number"),
            col(Decision.form),
            col(Measure.name).label("measure"),
            col(Measure.name_en).label("measure_en"),
            col(Decision.approved_on),
            col(Decision.announced_on),
            col(Decision.executed_on),
            col(Decision.effective_on),
            col(Decision.effect_ends_on),
            appeal.label("appeal"),
        )
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Person, col(Person.id) == col(Decision.person_id))
        .join(Measure, col(Measure.code) == col(Decision.measure_code))
        .where(
            col(Decision.status).in_(decision_workflow.IN_FORCE),
            col(Decision.effective_on) >= period.start,
            col(Decision.effective_on) <= period.end,
        )
        .order_by(col(Decision.effective_on), col(Decision.id))
    )
    return stmt


def _events(period: Period) -> Any:
    """Events held in the period with their attendance from the roster's tallies (廉政教育台账)."""

    def roster(*statuses: str) -> Any:
        t = EducationTally
        counted = func.coalesce(func.sum(col(t.n)), 0)
        return (
            select(counted)
            .where(col(t.event_id) == col(EducationEvent.id), col(t.status).in_(statuses))
            .scalar_subquery()
        )

    reflections = (
        select(func.count(col(EducationReflection.user_id).distinct()))
        .where(col(EducationReflection.event_id) == col(EducationEvent.id))
        .scalar_subquery()
    )
    return (
        select(
            col(EducationEvent.id),
            col(EducationEvent.starts_at),
            col(EducationEvent.type_code),
            col(EducationEvent.title),
            col(EducationEvent.unit_id),
            col(EducationEvent.speaker),
            col(EducationEvent.place),
            col(EducationEvent.online_link),
            roster(*ROSTER).label("invited"),
            roster(PRESENT, LATE).label("attended"),
            roster(EXCUSED).label("excused"),
            roster(ABSENT).label("absent"),
            roster(MADE_UP).label("made_up"),
            reflections.label("reflections"),
            col(EducationEvent.status),
        )
        .where(*education_figures.held(period))
        .order_by(col(EducationEvent.starts_at), col(EducationEvent.id))
    )


def _figure(figures: tuple[Figure, ...], name: str) -> Figure:
    return next(f for f in figures if f.name == name)


LEDGERS = (
    Ledger(
        "leads",
        LEDGER_LABELS["leads"],
        CASES,
        _leads,
        (
            Column(N_("Case number"), 30, "number"),
            Column(N_("Received"), 20, "received_on", "date"),
            Column(N_("Source"), 22, "source", "source"),
            Column(N_("Category"), 24, "category", "category"),
            Column(N_("Subjects"), 24, "subjects"),
            Column(N_("Unit"), 30, "unit_id", "unit"),
            Column(N_("Title"), 46, "title"),
            Column(N_("Disposal"), 24, "disposal", "status"),
            Column(N_("Disposed of on"), 20, "disposed_at", "date"),
            Column(N_("Status"), 22, "status", "status"),
        ),
        _figure(case_figures.FIGURES, "disposals"),
    ),
    Ledger(
        "filed_cases",
        LEDGER_LABELS["filed_cases"],
        CASES,
        _filed,
        (
            Column(N_("Case number"), 30, "number"),
            Column(N_("Subjects"), 28, "subjects"),
            Column(N_("Unit"), 32, "unit_id", "unit"),
            Column(N_("Category"), 26, "category", "category"),
            Column(N_("Title"), 60, "title"),
            Column(N_("Case filed on"), 20, "filed_at", "date"),
            Column(N_("Decided on"), 20, "decided_at", "date"),
            Column(N_("Case closed on"), 20, "closed_at", "date"),
            Column(N_("Status"), 24, "status", "status"),
        ),
        _figure(case_figures.FIGURES, "outcomes"),
    ),
    Ledger(
        "rectification",
        LEDGER_LABELS["rectification"],
        rectification_figures.ITEMS,
        _items,
        (
            Column(N_("Requirement"), 70, "requirement"),
            Column(N_("Responsible unit"), 32, "unit_id", "unit"),
            Column(N_("Responsible person"), 22, "responsible"),
            Column(N_("From"), 40, "origin"),
            Column(N_("Due"), 20, "due_on", "date"),
            Column(N_("Status"), 24, "status", "rectification"),
            Column(N_("Closed off"), 20, "closed_on", "date"),
            Column(N_("Overdue"), 16, "overdue", "yes_no"),
        ),
        _figure(rectification_figures.FIGURES, "closeout"),
    ),
    Ledger(
        "decisions",
        LEDGER_LABELS["decisions"],
        accountability_figures.DECISIONS,
        _decisions,
        (
            Column(N_("Person disciplined"), 20, "person"),
            Column(N_("Unit"), 28, "unit_id", "unit"),
            Column(N_("Case number"), 28, "case_number"),
            Column(N_("Form"), 18, "form", "form"),
            Column(N_("Measure"), 26, "measure", "measure"),
            Column(N_("Approved on"), 20, "approved_on", "date"),
            Column(N_("Announced on"), 20, "announced_on", "date"),
            Column(N_("Executed on"), 20, "executed_on", "date"),
            Column(N_("Effective from"), 20, "effective_on", "date"),
            Column(N_("Effect ends"), 20, "effect_ends_on", "date"),
            Column(N_("Appeal"), 22, "appeal", "decision"),
        ),
        _figure(accountability_figures.FIGURES, "decisions_by_form"),
    ),
    Ledger(
        "education",
        LEDGER_LABELS["education"],
        education_figures.EVENTS,
        _events,
        (
            Column(N_("Held on"), 18, "starts_at", "date"),
            Column(N_("Type"), 22, "type_code", "education_type"),
            Column(N_("Event"), 40, "title"),
            Column(N_("Organising unit"), 26, "unit_id", "unit"),
            Column(N_("Speaker"), 16, "speaker"),
            Column(N_("Place"), 24, "place"),
            Column(N_("On the list"), 14, "invited", "number"),
            Column(N_("Attended"), 14, "attended", "number"),
            Column(N_("On leave"), 14, "excused", "number"),
            Column(N_("Absent"), 14, "absent", "number"),
            Column(N_("Made up"), 14, "made_up", "number"),
            Column(N_("Attendance rate"), 16, "rate"),
            Column(N_("Reflections"), 14, "reflections", "number"),
            Column(N_("Status"), 16, "status", "education"),
        ),
        education_figures.EVENTS_BY_TYPE,
    ),
)
BY_NAME = {ledger.name: ledger for ledger in LEDGERS}
OVERDUE = rectification_workflow.OUTSTANDING
