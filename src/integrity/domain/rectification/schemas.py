"""API shapes for letters, items and their steps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from integrity.db.models import (
    RecommendationLetter,
    RectificationEvidence,
    RectificationItem,
    RectificationStep,
    ReInspection,
)
from integrity.domain.rectification.workflow import is_overdue
from integrity.lib.text import LongText, Title

Text = Annotated[str, msgspec.Meta(max_length=20_000)]


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    requirement: LongText
    responsible_user_id: int
    due_on: date
    case_id: int | None = None
    letter_id: int | None = None


class LetterItemIn(msgspec.Struct, forbid_unknown_fields=True):
    requirement: LongText
    responsible_user_id: int
    due_on: date


class LetterIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    title: Title
    issued_on: date
    body: Text = ""
    case_id: int | None = None
    items: list[LetterItemIn] = msgspec.field(default_factory=list)


class ItemPatch(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    requirement: LongText | None = None
    responsible_user_id: int | None = None
    due_on: date | None = None


class SubmitIn(msgspec.Struct, forbid_unknown_fields=True):
    description: Annotated[str, msgspec.Meta(max_length=20_000)]


class TextIn(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(max_length=20_000)]


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2_000)]


class ReInspectionIn(msgspec.Struct, forbid_unknown_fields=True):
    scheduled_on: date


class ReInspectionOutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["confirmed", "reopened"]
    findings: Text


class ItemOut(msgspec.Struct):
    id: int
    unit_id: int
    letter_id: int | None
    case_id: int | None  # only for readers who may see the case; never for a rectifier
    requirement: str
    responsible_user_id: int
    due_on: date
    status: str
    overdue: bool
    closed_on: date | None
    version: int

    @classmethod
    def of(cls, i: RectificationItem, today: date, case_visible: bool) -> ItemOut:
        assert i.id is not None
        overdue = is_overdue(i.status, i.due_on, today)
        case_id = i.case_id if case_visible else None
        return cls(
            i.id, i.unit_id, i.letter_id, case_id, i.requirement, i.responsible_user_id,
            i.due_on, i.status, overdue, i.closed_on, i.version,
        )  # fmt: skip


class LetterOut(msgspec.Struct):
    id: int
    unit_id: int
    case_id: int | None
    title: str
    body: str
    issued_on: date

    @classmethod
    def of(cls, x: RecommendationLetter, case_visible: bool) -> LetterOut:
        assert x.id is not None
        return cls(x.id, x.unit_id, x.case_id if case_visible else None, x.title, x.body, x.issued_on)


class StepOut(msgspec.Struct):
    action: str
    from_status: str
    to_status: str
    body: str
    actor_id: int
    approval_id: int | None
    at: datetime

    @classmethod
    def of(cls, s: RectificationStep) -> StepOut:
        return cls(s.action, s.from_status, s.to_status, s.body, s.actor_id, s.approval_id, s.at)


class ItemEvidenceOut(msgspec.Struct):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime

    @classmethod
    def of(cls, e: RectificationEvidence) -> ItemEvidenceOut:
        assert e.id is not None
        return cls(e.id, e.filename, e.content_type, e.size, e.sha256, e.uploaded_at)


class ReInspectionOut(msgspec.Struct):
    id: int
    scheduled_on: date
    outcome: str | None
    findings: str
    recorded_on: date | None

    @classmethod
    def of(cls, r: ReInspection) -> ReInspectionOut:
        assert r.id is not None
        return cls(r.id, r.scheduled_on, r.outcome, r.findings, r.recorded_on)


class ItemFileOut(msgspec.Struct):
    item: ItemOut
    steps: list[StepOut]
    evidence: list[ItemEvidenceOut]
    reinspections: list[ReInspectionOut]
    pending_approval_id: int | None
