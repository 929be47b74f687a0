"""The machine-readable trail embedded in every PDF, and the seal that binds it to the signing key.

The verifier in tools/verify_trail.py reads this format without importing anything from Integrity;
change one and the other together (the test suite round-trips them).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from integrity.config import Settings
from integrity.db.models import AuditEvent
from integrity.lib.audit.canonical import canonical_json
from integrity.lib.audit.checkpoint import (
    Checkpoint,
    generate_key,
    load_private_key,
    public_key_text,
    sign_bytes,
    signing_key_path,
)
from integrity.lib.audit.verify import fields_of
from integrity.lib.errors import Unavailable
from integrity.lib.i18n import N_

log = logging.getLogger("integrity")

TRAIL_FORMAT = "integrity-trail/1"
ATTACHMENT_NAME = "trail.json"


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The audit signing key; made on first use outside production, required in production."""
    path: Path = signing_key_path(settings.audit_signing_key, settings.data_dir)
    if not path.exists():
        if settings.env == "production":
            raise Unavailable(
                N_("No audit signing key at %(path)s: run `integrity audit keygen` before exporting trails."),
                params={"path": str(path)},
            )
        public = generate_key(path)
        log.warning("made a new audit signing key at %s (public key %s)", path, public_key_text(public))
    return load_private_key(path)


def event_record(event: AuditEvent) -> dict[str, Any]:
    """An event exactly as hashed, with its hash: enough to recompute the link."""
    return {**fields_of(event), "hash": event.hash}


def sealed_trail(
    key: Ed25519PrivateKey,
    export: dict[str, Any],
    events: Sequence[AuditEvent],
    checkpoint: Checkpoint,
) -> bytes:
    """The trail JSON: export facts, events, checkpoint, and a seal signing all of it (canonical bytes)."""
    body = {
        "format": TRAIL_FORMAT,
        "export": export,
        "events": [event_record(e) for e in events],
        "checkpoint": {
            "seq": checkpoint.seq,
            "hash": checkpoint.hash,
            "signed_at": checkpoint.signed_at,
            "public_key": checkpoint.public_key,
            "signature": checkpoint.signature,
        },
    }
    seal = {"public_key": public_key_text(key.public_key()), "signature": sign_bytes(key, _sealed(body))}
    return canonical_json({**body, "seal": seal}).encode("utf-8")


def _sealed(body: dict[str, Any]) -> bytes:
    """What the seal signs: the canonical encoding of everything but the seal."""
    return canonical_json(body).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signing_key_text(settings: Settings) -> str:
    """The public half of the signing key, for auditors to pin; empty when no key exists yet."""
    path = signing_key_path(settings.audit_signing_key, settings.data_dir)
    if not path.exists():
        return ""
    return public_key_text(load_private_key(path).public_key())
