"""The canonical encoding that the chain hashes; the standalone verifier must match it byte for byte."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def format_time(moment: datetime) -> str:
    """UTC with microseconds and a Z, the only time form that enters a hash."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical encoding of an event's fields (which include prev_hash and seq)."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def hashed_fields(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    unit_id: int | None,
    request_id: str,
    client_addr: str,
    outcome: str,
    changes: str,
    prev_hash: str,
) -> dict[str, Any]:
    """Every column of an event except its own hash, in the form that is hashed."""
    return {
        "seq": seq,
        "occurred_at": format_time(occurred_at),
        "actor_id": actor_id,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "unit_id": unit_id,
        "request_id": request_id,
        "client_addr": client_addr,
        "outcome": outcome,
        "changes": changes,
        "prev_hash": prev_hash,
    }
