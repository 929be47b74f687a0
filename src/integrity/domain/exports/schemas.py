"""What the verification API answers."""

from __future__ import annotations

from datetime import datetime

import msgspec

from integrity.domain.exports.services import Verdict


class VerdictOut(msgspec.Struct):
    authentic: bool
    reason: str
    sha256: str
    export_id: str | None = None
    case_id: int | None = None
    case_number: str | None = None
    generated_by: str | None = None
    generated_at: datetime | None = None
    pdf_sha256: str | None = None
    trail_sha256: str | None = None
    pages: int | None = None
    events: int | None = None
    kind: str | None = None  # case_trail, attendance (an education event's record), or ledger
    event_id: int | None = None
    event_title: str | None = None
    ledger_title: str | None = None  # a ledger's: which ledger, unit and period

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictOut:
        e = verdict.export
        if e is None:
            return cls(verdict.authentic, verdict.reason, verdict.sha256)
        return cls(
            verdict.authentic,
            verdict.reason,
            verdict.sha256,
            e.id,
            e.case_id,
            verdict.case_number,
            e.generated_by,
            e.generated_at,
            e.pdf_sha256,
            e.trail_sha256,
            e.pages,
            e.events,
            e.kind,
            e.event_id,
            verdict.event_title or None,
            verdict.ledger_title or None,
        )
