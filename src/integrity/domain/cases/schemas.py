"""API shapes for cases, transitions, teams and approvals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from integrity.db.models import Case, CaseAssignment, CaseEvidence, CaseTransition
from integrity.domain.cases.workflow import DISPOSALS
from integrity.domain.org.schemas import PersonIn, PersonOut
from integrity.lib.text import Reason, Title, choice

TEAMS = ("inspector", "investigation", "hearing")


class CaseIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    source: str
    category: str
    title: Title
    received_on: date
    summary: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    confidential: bool = False
    subject_ids: list[int] = msgspec.field(default_factory=list)
    new_subjects: list[PersonIn] = msgspec.field(default_factory=list)


class CaseOut(msgspec.Struct):
    id: int
    number: str
    unit_id: int
    source: str
    category: str
    title: str
    summary: str
    status: str
    disposal: str | None
    confidential: bool
    received_on: date
    created_at: datetime
    version: int

    @classmethod
    def of(cls, c: Case) -> CaseOut:
        assert c.id is not None
        return cls(
            c.id,
            c.number,
            c.unit_id,
            c.source,
            c.category,
            c.title,
            c.summary,
            c.status,
            c.disposal,
            c.confidential,
            c.received_on,
            c.created_at,
            c.version,
        )


class TeamMemberOut(msgspec.Struct):
    user_id: int
    team: str
    assigned_at: datetime
    recused: bool

    @classmethod
    def of(cls, a: CaseAssignment) -> TeamMemberOut:
        return cls(a.user_id, a.team, a.assigned_at, a.recused_at is not None)


class TransitionOut(msgspec.Struct):
    transition: str
    from_status: str
    to_status: str
    actor_id: int | None
    reason: str
    at: datetime

    @classmethod
    def of(cls, t: CaseTransition) -> TransitionOut:
        return cls(t.transition, t.from_status, t.to_status, t.actor_id, t.reason, t.at)


class CaseClockOut(msgspec.Struct):
    id: int
    rule: str
    started_on: date
    due_on: date
    met_on: date | None
    state: str
    working_days_left: int | None
    extendable: bool
    extension_pending: bool
    stopped_on: date | None = None
    stop_reason: str = ""


class ImportOut(msgspec.Struct):
    rows: int
    registered: list[str]  # case numbers, in row order (empty on a dry run)
    errors: list[dict[str, Any]]
    dry_run: bool


class LinkOut(msgspec.Struct):
    id: int
    kind: str
    case_id: int
    other_case_id: int
    other_number: str
    other_title: str


class CaseDetail(msgspec.Struct):
    case: CaseOut
    subjects: list[PersonOut]
    team: list[TeamMemberOut]
    history: list[TransitionOut]
    clocks: list[CaseClockOut]
    available_transitions: list[str]
    links: list[LinkOut]


class NoteOut(msgspec.Struct):
    id: int
    author_id: int
    body: str
    created_at: datetime


class CaseEvidenceOut(msgspec.Struct):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int
    uploaded_at: datetime

    @classmethod
    def of(cls, e: CaseEvidence) -> CaseEvidenceOut:
        assert e.id is not None
        return cls(e.id, e.filename, e.content_type, e.size, e.sha256, e.uploaded_by_id, e.uploaded_at)


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    transition: str
    version: int
    reason: Annotated[str, msgspec.Meta(max_length=5_000)] = ""
    disposal: Annotated[str, choice(DISPOSALS)] | None = None
    # A first-form closing (close_first_form…) records this measure about this subject as a decision.
    person_id: int | None = None
    measure_code: str | None = None


class AssignmentIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    team: Annotated[str, choice(TEAMS)]


class RecusalIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
