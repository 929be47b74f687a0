"""Uploaded files: size-limited while streaming, typed by content, stored once by SHA-256."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import anyio
import puremagic
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Stream

from integrity.config import Settings
from integrity.lib.errors import DomainError, InvalidInput
from integrity.lib.i18n import N_

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
    status, slug, title = 413, "too-large", N_("File too large")

    @classmethod
    def over(cls, limit: int) -> TooLarge:
        """A file past `limit` bytes, said in megabytes."""
        return cls(N_("Files may be at most %(mb)s MB."), params={"mb": limit // (1024 * 1024)})


@dataclass
class FileUpload:
    """An API multipart body: one file, in the part named `file` (without it: a 400 problem)."""

    file: UploadFile


UploadForm = Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)]
FILE_PART = "file"


class MissingFile(DomainError):
    status, slug, title = 400, "missing-file", N_("No file sent")


def file_part(form: FileUpload) -> UploadFile:
    """The uploaded file of a multipart body, or a 400 problem naming the part it was expected in."""
    upload = form.file
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise MissingFile(N_("Send the file in the multipart form field 'file'."))
    return upload


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
                raise TooLarge.over(limit)
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            await out.write(chunk)
    return digest.hexdigest(), size, head


async def read_bounded(upload: UploadFile, limit: int) -> bytes:
    """A whole upload in memory (for a file that is checked, not kept); TooLarge past `limit` bytes."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge.over(limit)
    return data


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    filename: str


async def save_upload(settings: Settings, upload: UploadFile) -> StoredFile:
    """Stream an upload to the store; refuse empty, oversized and unaccepted files, keeping nothing."""
    incoming = settings.evidence_dir / "incoming"
    await anyio.Path(incoming).mkdir(parents=True, exist_ok=True)
    temporary = incoming / uuid.uuid4().hex
    try:
        sha256, size, head = await _copy(upload, temporary, settings.evidence_max_bytes)
        if size == 0:
            raise InvalidInput(N_("The file is empty."))
        content_type = sniff(head)
        if content_type not in ALLOWED_TYPES:
            raise InvalidInput(
                N_("This kind of file (%(type)s) is not accepted as evidence."),
                params={"type": content_type or "unknown"},
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
    return StoredFile(sha256, size, content_type, safe_filename(upload.filename or ""))


def download(path: Path, content_type: str, filename: str, size: int) -> Stream:
    """Stream a stored file as an attachment (the caller has committed the download's audit event)."""

    async def chunks() -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as handle:
            while chunk := await handle.read(CHUNK):
                yield chunk

    return Stream(
        chunks(),
        media_type=content_type,
        headers={"content-disposition": content_disposition(filename), "content-length": str(size)},
    )
