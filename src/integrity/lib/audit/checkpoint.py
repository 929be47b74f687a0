"""Signed checkpoints of the chain head (Ed25519, key outside the database): truncation shows."""

from __future__ import annotations

import base64
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import AuditCheckpoint, AuditEvent
from integrity.db.types import utcnow
from integrity.lib.audit.canonical import canonical_json, format_time


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint file holds; the signature covers seq, hash and signed_at."""

    seq: int
    hash: str
    signed_at: str
    public_key: str
    signature: str

    def signed_bytes(self) -> bytes:
        return canonical_json({"seq": self.seq, "hash": self.hash, "signed_at": self.signed_at}).encode()

    def to_json(self) -> str:
        return canonical_json(asdict(self))


def generate_key(path: Path) -> Ed25519PublicKey:
    """Write a new private key (mode 0600) and return its public half."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key.public_key()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_public_key(value: str) -> Ed25519PublicKey:
    """A public key from its base64 text or from a PEM file path."""
    path = Path(value)
    if path.is_file():
        loaded = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError(f"{path} is not an Ed25519 public key")
        return loaded
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(value))


def signing_key_path(configured: Path | None, data_dir: Path) -> Path:
    """Where the signing key lives: the configured path, else beside the data (never in the database)."""
    return Path(configured or data_dir / "audit-signing-key.pem")


def sign_bytes(key: Ed25519PrivateKey, data: bytes) -> str:
    """A base64 Ed25519 signature."""
    return base64.b64encode(key.sign(data)).decode()


def sign_head(key: Ed25519PrivateKey, seq: int, head_hash: str, at: datetime) -> Checkpoint:
    """Sign a chain head as of a moment."""
    unsigned = Checkpoint(seq, head_hash, format_time(at), public_key_text(key.public_key()), "")
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(seq, head_hash, unsigned.signed_at, unsigned.public_key, signature)


def signature_valid(checkpoint: Checkpoint, trusted: Ed25519PublicKey) -> bool:
    """Whether the checkpoint was signed by the trusted key."""
    try:
        trusted.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


async def checkpoint_head(session: AsyncSession, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the current head and keep a copy in the database (the file copy is the one to trust)."""
    head = (
        await session.execute(
            select(col(AuditEvent.seq), col(AuditEvent.hash)).order_by(col(AuditEvent.seq).desc()).limit(1)
        )
    ).first()
    if head is None:
        raise ValueError("the audit trail is empty: nothing to checkpoint")
    now = utcnow()
    checkpoint = sign_head(key, head[0], head[1], now)
    session.add(
        AuditCheckpoint(
            seq=checkpoint.seq,
            hash=checkpoint.hash,
            signed_at=now,
            public_key=checkpoint.public_key,
            signature=checkpoint.signature,
        )
    )
    return checkpoint


async def check_against_chain(session: AsyncSession, checkpoint: Checkpoint) -> str | None:
    """None when the chain still holds the checkpointed event unchanged, else what is wrong."""
    stored = (
        await session.execute(select(col(AuditEvent.hash)).where(col(AuditEvent.seq) == checkpoint.seq))
    ).scalar_one_or_none()
    if stored is None:
        return f"event {checkpoint.seq} from the checkpoint is gone: the trail was truncated"
    if stored != checkpoint.hash:
        return f"event {checkpoint.seq} no longer has the checkpointed hash: the trail was rewritten"
    return None
