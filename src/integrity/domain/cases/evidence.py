"""Case evidence: files attached to a case (stored by lib.uploads), audited on download."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import CaseEvidence
from integrity.domain.cases.services import editable_case, get_case
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import NotFound
from integrity.lib.i18n import N_
from integrity.lib.uploads import save_upload, stored_path


async def store_evidence(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    case_id: int,
    upload: UploadFile,
) -> CaseEvidence:
    case = await editable_case(session, access, case_id)
    stored = await save_upload(settings, upload)
    evidence = CaseEvidence(
        case_id=case_id,
        sha256=stored.sha256,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
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
                "sha256": stored.sha256,
                "size": stored.size,
                "content_type": stored.content_type,
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
        raise NotFound(N_("No such evidence file."))
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
