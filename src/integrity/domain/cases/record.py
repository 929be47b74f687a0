"""Editing a case's record (optimistic concurrency), internal notes and links between cases."""

from __future__ import annotations

from typing import Annotated

import msgspec
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Case, CaseLink, CaseNote
from integrity.db.types import utcnow
from integrity.domain.cases import search
from integrity.domain.cases.services import (
    editable_case,
    get_case,
    require_catalogue_entry,
)
from integrity.domain.cases.workflow import case_snapshot
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, InvalidInput, one_of
from integrity.lib.i18n import N_
from integrity.lib.text import LongText, Title, choice

LINK_KINDS = ("related", "duplicate_of")


class CasePatch(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    title: Title | None = None
    summary: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    source: str | None = None
    category: str | None = None
    confidential: bool | None = None


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    body: LongText


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    other_case_id: int
    kind: Annotated[str, choice(LINK_KINDS)]


async def edit_case(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, patch: CasePatch
) -> Case:
    """Change the record; a stale version gets 409 and nothing is lost or overwritten."""
    case = await editable_case(session, access, case_id)
    changes = {
        f: getattr(patch, f)
        for f in ("title", "summary", "source", "category", "confidential")
        if getattr(patch, f) is not None
    }
    if not changes:
        raise InvalidInput(N_("Nothing to change."))
    if "source" in changes:
        await require_catalogue_entry(session, "case_source", changes["source"])
    if "category" in changes:
        await require_catalogue_entry(session, "case_category", changes["category"])
    before = case_snapshot(case)
    done = await session.execute(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.version) == patch.version)
        .values(**changes, version=patch.version + 1, updated_at=utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            N_("The case was changed by someone else; reload it and try again."), current_version=case.version
        )
    await session.refresh(case)
    await search.reindex(session, case_id)
    await record(
        session,
        actor,
        AuditEntry("case.edit", "case", case_id, case.unit_id, before=before, after=case_snapshot(case)),
    )
    return case


async def add_note(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, body: str
) -> CaseNote:
    case = await editable_case(session, access, case_id)
    note = CaseNote(case_id=case_id, author_id=access.principal.user_id, body=body)
    session.add(note)
    await session.flush()
    await search.reindex(session, case_id)
    await record(
        session,
        actor,
        AuditEntry("case.note", "case", case_id, case.unit_id, after={"note_id": note.id, "body": body}),
    )
    return note


async def link_cases(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, data: LinkIn
) -> CaseLink:
    if data.kind not in LINK_KINDS:
        raise one_of("kind", LINK_KINDS)
    if data.other_case_id == case_id:
        raise InvalidInput(N_("A case cannot be linked to itself."))
    case = await editable_case(session, access, case_id)
    await get_case(session, access, data.other_case_id)  # the other case must be visible too
    link = CaseLink(
        case_id=case_id,
        other_case_id=data.other_case_id,
        kind=data.kind,
        created_by_id=access.principal.user_id,
    )
    session.add(link)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(N_("These cases are already linked.")) from exc
    await record(
        session,
        actor,
        AuditEntry(
            "case.link",
            "case",
            case_id,
            case.unit_id,
            after={"other_case_id": data.other_case_id, "kind": data.kind},
        ),
    )
    return link
