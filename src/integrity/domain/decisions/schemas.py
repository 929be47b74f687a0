"""API shapes for measures, decisions and appeals."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from integrity.db.models import Appeal, Decision, Measure
from integrity.lib.text import LongText

Text = Annotated[str, msgspec.Meta(max_length=20_000)]


class MeasureIn(msgspec.Struct, forbid_unknown_fields=True):
    form: int
    name: Annotated[str, msgspec.Meta(max_length=100)]
    name_en: Annotated[str, msgspec.Meta(max_length=100)]
    period_months: int | None = None
    period_choices: Annotated[str, msgspec.Meta(max_length=64)] = ""
    active: bool = True
    sort: int = 0


class MeasureOut(msgspec.Struct):
    code: str
    form: int
    name: str
    name_en: str
    period_months: int | None
    period_choices: list[int]
    active: bool

    @classmethod
    def of(cls, m: Measure) -> MeasureOut:
        allowed = [int(x) for x in m.period_choices.split(",") if x.strip()]
        return cls(m.code, m.form, m.name, m.name_en, m.period_months, allowed, m.active)


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    case_id: int
    person_id: int
    measure_code: str
    effective_on: date
    reasoning: LongText
    period_months: int | None = None


class DecisionPatch(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    measure_code: str | None = None
    effective_on: date | None = None
    reasoning: LongText | None = None
    period_months: int | None = None


class AnnounceIn(msgspec.Struct, forbid_unknown_fields=True):
    announced_on: date


class ExecutionIn(msgspec.Struct, forbid_unknown_fields=True):
    reported_on: date
    report: LongText


class AppealIn(msgspec.Struct, forbid_unknown_fields=True):
    filed_on: date
    grounds: LongText


class PanelIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int


class ModifiedMeasureIn(msgspec.Struct, forbid_unknown_fields=True):
    measure_code: str
    effective_on: date
    period_months: int | None = None


class AppealOutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["upheld", "modified", "revoked"]
    reason: LongText
    new_measure: ModifiedMeasureIn | None = None


class DecisionOut(msgspec.Struct):
    id: int
    case_id: int
    unit_id: int
    person_id: int
    measure_code: str
    form: int
    period_months: int | None
    effective_on: date
    effect_ends_on: date | None
    reasoning: str
    status: str
    drafted_by_id: int
    approved_by_id: int | None
    approved_on: date | None
    announced_on: date | None
    executed_on: date | None
    supersedes_id: int | None
    version: int

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        assert d.id is not None
        return cls(
            d.id, d.case_id, d.unit_id, d.person_id, d.measure_code, d.form, d.period_months,
            d.effective_on, d.effect_ends_on, d.reasoning, d.status, d.drafted_by_id, d.approved_by_id,
            d.approved_on, d.announced_on, d.executed_on, d.supersedes_id, d.version,
        )  # fmt: skip


class AppealOut(msgspec.Struct):
    id: int
    decision_id: int
    filed_on: date
    grounds: str
    status: str
    outcome_reason: str
    decided_on: date | None
    new_decision_id: int | None
    panel: list[int]

    @classmethod
    def of(cls, a: Appeal, panel: list[int]) -> AppealOut:
        assert a.id is not None
        return cls(
            a.id, a.decision_id, a.filed_on, a.grounds, a.status, a.outcome_reason, a.decided_on,
            a.new_decision_id, panel,
        )  # fmt: skip


class DecisionClockOut(msgspec.Struct):
    rule: str
    started_on: date
    due_on: date
    met_on: date | None
    state: str  # running, due_soon, overdue, met, met_late, stopped (revoked or superseded)
    stopped_on: date | None = None


class DecisionFileOut(msgspec.Struct):
    decision: DecisionOut
    clocks: list[DecisionClockOut]
    appeals: list[AppealOut]
    pending_approval_id: int | None
