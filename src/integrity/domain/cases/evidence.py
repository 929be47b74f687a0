"""Evidence files: size-limited while streaming, typed by content, content-addressed, audited on download."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import anyio
import puremagic
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import CaseEvidence
from integrity.domain.cases.services import get_case, unit_path_of
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import DomainError, Forbidden, InvalidInput, NotFound

CHUNK = 64 * 1024

# What an office files as evidence; anything else (executables, HTML, scripts) is refused.
ALLOWED_TYPES = {
    "application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp",
    "audio/mpeg", "audio/wav", "audio/x-wav", "audio/mp4", "audio/x-m4a", "video/mp4", "video/quicktime",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip", "text/plain",
}  # fmt: skip


class TooLarge(DomainError):
    status, slug, title = 413, "too-large", "File too large"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut off at the end of the sniffed bytes
    return True


def sniff(head: bytes) -> str | None:
    """The type the bytes say they are; UTF-8 text without NULs counts as text/plain."""
    try:
        detected = str(puremagic.from_string(head, mime=True))
    except puremagic.PureError:
        detected = ""
    return detected or ("text/plain" if _is_text(head) else None)


def stored_path(settings: Settings, sha256: str) -> Path:
    return settings.evidence_dir / sha256[:2] / sha256[2:4] / sha256


def safe_filename(name: str) -> str:
    """The last path part, without control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return cleaned[:255] or "evidence"


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name; always an attachment, never rendered inline."""
    ascii_only = (ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in filename)
    fallback = "".join(ascii_only) or "evidence"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _copy(upload: UploadFile, target: Path, limit: int) -> tuple[str, int, bytes]:
    digest, size, head = hashlib.sha256(), 0, b""
    async with await anyio.open_file(target, "wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"Files may be at most {limit // (1024 * 1024)} MB.")
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            await out.write(chunk)
    return digest.hexdigest(), size, head


async def store_evidence(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    case_id: int,
    upload: UploadFile,
) -> CaseEvidence:
    case = await get_case(session, access, case_id)
    if not access.can("case", "update", await unit_path_of(session, case)):
        raise Forbidden("Your roles do not allow adding evidence to this case.")
    incoming = settings.evidence_dir / "incoming"
    await anyio.Path(incoming).mkdir(parents=True, exist_ok=True)
    temporary = incoming / uuid.uuid4().hex
    try:
        sha256, size, head = await _copy(upload, temporary, settings.evidence_max_bytes)
        if size == 0:
            raise InvalidInput("The file is empty.")
        content_type = sniff(head)
        if content_type not in ALLOWED_TYPES:
            raise InvalidInput(
                f"This kind of file ({content_type or 'unknown'}) is not accepted as evidence."
            )
        final = stored_path(settings, sha256)
        await anyio.Path(final.parent).mkdir(parents=True, exist_ok=True)
        if await anyio.Path(final).exists():
            await anyio.Path(temporary).unlink()
        else:
            await anyio.to_thread.run_sync(os.replace, temporary, final)
    finally:
        if await anyio.Path(temporary).exists():
            await anyio.Path(temporary).unlink()
    evidence = CaseEvidence(
        case_id=case_id,
        sha256=sha256,
        filename=safe_filename(upload.filename or ""),
        content_type=content_type,
        size=size,
        uploaded_by_id=access.principal.user_id,
    )
    session.add(evidence)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "case.evidence.add",
            "case",
            case_id,
            case.unit_id,
            after={
                "evidence_id": evidence.id,
                "filename": evidence.filename,
                "sha256": sha256,
                "size": size,
                "content_type": content_type,
            },
        ),
    )
    return evidence


async def list_evidence(session: AsyncSession, access: AccessScope, case_id: int) -> list[CaseEvidence]:
    await get_case(session, access, case_id)
    return list(
        (
            await session.execute(
                select(CaseEvidence)
                .where(col(CaseEvidence.case_id) == case_id)
                .order_by(col(CaseEvidence.id))
            )
        )
        .scalars()
        .all()
    )


@dataclass(frozen=True)
class EvidenceFile:
    row: CaseEvidence
    path: Path


async def open_evidence(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    case_id: int,
    evidence_id: int,
) -> EvidenceFile:
    """Find a file of a visible case and record the download (the caller commits before streaming)."""
    case = await get_case(session, access, case_id)
    row = await session.get(CaseEvidence, evidence_id)
    if row is None or row.case_id != case_id:
        raise NotFound(f"No evidence {evidence_id}.")
    await record(
        session,
        actor,
        AuditEntry(
            "case.evidence.download",
            "case",
            case_id,
            case.unit_id,
            extra={"evidence_id": evidence_id, "sha256": row.sha256},
        ),
    )
    return EvidenceFile(row, stored_path(settings, row.sha256))
