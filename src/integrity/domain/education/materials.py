"""An event's materials: files its organisers attach (under the upload rules evidence follows), read by
the organisers and by those on the event's list, who study them to make up what they missed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from litestar.datastructures import UploadFile
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.models import EducationAttendance, EducationEvent, EducationMaterial, Unit
from integrity.domain.education.events import organised_event
from integrity.domain.education.workflow import DRAFT, LIFECYCLE
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import NotFound
from integrity.lib.i18n import N_
from integrity.lib.uploads import save_upload, stored_path


async def add_material(
    session: AsyncSession,
    settings: Settings,
    access: AccessScope,
    actor: Actor,
    event_id: int,
    upload: UploadFile,
) -> EducationMaterial:
    """Keep the file and attach it to the event, until the event is archived."""
    found = await organised_event(session, access, event_id)
    LIFECYCLE.require(LIFECYCLE.step("add_material"), found.event.status, found.may)
    stored = await save_upload(settings, upload)
    material = EducationMaterial(
        event_id=event_id,
        sha256=stored.sha256,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_by_id=access.principal.user_id,
    )
    session.add(material)
    await session.flush()
    after = {"filename": stored.filename, "sha256": stored.sha256, "size": stored.size}
    entry = AuditEntry("education.material", "education", event_id, found.event.unit_id, after=after)
    await record(session, actor, entry)
    return material


async def materials_of(session: AsyncSession, event_id: int) -> list[EducationMaterial]:
    found = await session.execute(
        select(EducationMaterial)
        .where(col(EducationMaterial.event_id) == event_id)
        .order_by(col(EducationMaterial.id))
    )
    return list(found.scalars())


@dataclass(frozen=True)
class MaterialFile:
    row: EducationMaterial
    path: Path


async def may_read(session: AsyncSession, access: AccessScope, event: EducationEvent) -> bool:
    """Organisers and readers of the event's unit, and (once it is published) those on its list."""
    unit = await session.get(Unit, event.unit_id)
    if unit is not None and access.can("education", "read", unit.path):
        return True
    listed = await session.scalar(
        select(col(EducationAttendance.id)).where(
            col(EducationAttendance.event_id) == event.id,
            col(EducationAttendance.user_id) == access.principal.user_id,
        )
    )
    return listed is not None and event.status != DRAFT


async def material_file(
    session: AsyncSession, settings: Settings, access: AccessScope, event_id: int, material_id: int
) -> MaterialFile:
    """A material of an event the reader may read, or 404."""
    event = await session.get(EducationEvent, event_id)
    material = await session.get(EducationMaterial, material_id)
    if (
        event is None
        or material is None
        or material.event_id != event_id
        or not await may_read(session, access, event)
    ):
        raise NotFound(N_("No such file."))
    return MaterialFile(material, stored_path(settings, material.sha256))
