"""What the approval API reads and answers: a reviewer's decision, and a request as the inbox shows it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import msgspec

from integrity.db.models import ApprovalRequest


class ApprovalDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A reviewer's approval or return of a request: the comment (required to return)."""

    comment: Annotated[str, msgspec.Meta(max_length=5_000)] = ""


class ApprovalOut(msgspec.Struct):
    id: int
    kind: str
    object_type: str
    object_id: int
    unit_id: int
    payload: dict[str, Any]
    status: str
    requested_by_id: int
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    comment: str

    @classmethod
    def of(cls, r: ApprovalRequest) -> ApprovalOut:
        assert r.id is not None
        return cls(
            r.id,
            r.kind,
            r.object_type,
            r.object_id,
            r.unit_id,
            json.loads(r.payload),
            r.status,
            r.requested_by_id,
            r.requested_at,
            r.decided_by_id,
            r.decided_at,
            r.comment,
        )
