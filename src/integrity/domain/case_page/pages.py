"""The case page and the changes made from it; each form posts here and comes back to the page."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from integrity.domain.case_page.followup import follow_up
from integrity.domain.cases import (
    evidence,
    extensions,
    record,
    services,
    subjects,
    team,
    transitions,
    workflow,
)
from integrity.domain.cases.case_file import load_case_file
from integrity.domain.cases.schemas import TEAMS, TransitionIn
from integrity.domain.decisions import measures
from integrity.domain.rectification import items as rectification_items
from integrity.domain.rectification.schemas import ItemIn
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import DomainError
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_


class SubjectsForm(msgspec.Struct):
    subject_ids: list[str] | str = ""
    csrf_token: str = ""


class TransitionForm(msgspec.Struct):
    transition: str
    version: int
    reason: str = ""
    disposal: str = ""
    person_id: str = ""  # a first-form closing: about whom, and which measure
    measure_code: str = ""
    csrf_token: str = ""


@dataclass
class EvidenceForm:
    file: UploadFile
    csrf_token: str = ""


class NoteForm(msgspec.Struct):
    body: str = ""
    csrf_token: str = ""


class EditForm(msgspec.Struct):
    version: int
    title: str
    source: str
    category: str
    summary: str = ""
    confidential: str = ""
    csrf_token: str = ""


class LinkForm(msgspec.Struct):
    number: str
    kind: str
    csrf_token: str = ""


class AssignForm(msgspec.Struct):
    user_id: int
    team: str
    csrf_token: str = ""


class ReasonForm(msgspec.Struct):
    reason: str = ""
    csrf_token: str = ""


class ExtensionForm(msgspec.Struct):
    amount: int
    unit: str
    reason: str = ""
    csrf_token: str = ""


class FollowUpItemForm(msgspec.Struct):
    assignee: str  # "unit_id:user_id", one of the case page's choices
    requirement: str
    due_on: date
    csrf_token: str = ""


class CaseFilePages(Controller):
    """One case as its readers see it, and every change made from its page."""

    path = "/cases"
    opt = permission("case", "read")
    include_in_schema = False

    @get("/{case_id:int}")
    async def case_page(self, db: Db, access: Access, case_id: FromPath[int]) -> Template:
        return await self._detail(db, access, case_id)

    async def _detail(
        self, db: Db, access: Access, case_id: int, error: str = "", status: int = 200
    ) -> Template:
        found = await load_case_file(db, access, case_id)
        me = access.principal.user_id
        return Template(
            "cases/detail.html",
            status_code=status,
            context={
                "file": found,
                "case": found.case,
                "sources": {i.code: i for i in await services.catalogue_entries(db, "case_source")},
                "categories": {i.code: i for i in await services.catalogue_entries(db, "case_category")},
                "disposals": workflow.DISPOSALS,
                "first_form_measures": [m for m in await measures.list_measures(db) if m.form == 1]
                if any("measure_code" in t.requires for t in found.transitions)
                else [],
                "candidates": await team.team_candidates(db, found.unit.path) if found.can_edit else [],
                "teams": TEAMS,
                "link_kinds": record.LINK_KINDS,
                "time_units": tuple(extensions.MAX_AMOUNT),
                "on_team": any(a.user_id == me and a.recused_at is None for a in found.team),
                "followup": await follow_up(db, access, found.case, found.unit),
                "can_change_subjects": found.can_edit and found.case.status not in subjects.FIXED,
                "chosen": [],
                "error": error,
            },
        )

    @post("/{case_id:int}/rectification-items", opt=permission("rectification", "create"), status_code=200)
    async def add_rectification_item(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[FollowUpItemForm, FORM],
    ) -> Template | Redirect:
        async def create() -> None:
            unit_text, _sep, user_text = data.assignee.partition(":")
            if not (unit_text.isdigit() and user_text.isdigit()):
                raise DomainError(N_("Choose the responsible unit and person."))
            if not data.requirement.strip():
                raise DomainError(N_("Write the requirement."))
            body = ItemIn(int(unit_text), data.requirement, int(user_text), data.due_on, case_id=case_id)
            await rectification_items.create_item(db, access, actor, body)

        return await self._act_then_return(db, access, case_id, create(), "#followup", "item")

    @get("/{case_id:int}/edit", opt=permission("case", "update"))
    async def edit_form(self, db: Db, access: Access, case_id: FromPath[int]) -> Template:
        case = await services.editable_case(db, access, case_id)
        values = {f: getattr(case, f) for f in ("version", "title", "summary", "source", "category")}
        return await self._edit(db, access, case_id, {**values, "confidential": case.confidential})

    async def _edit(
        self, db: Db, access: Access, case_id: int, values: dict[str, Any], error: str = "", status: int = 200
    ) -> Template:
        case = await services.get_case(db, access, case_id)
        return Template(
            "cases/edit.html",
            status_code=status,
            context={
                "case": case,
                "values": values,
                "sources": await services.catalogue_entries(db, "case_source"),
                "categories": await services.catalogue_entries(db, "case_category"),
                "error": error,
            },
        )

    @post("/{case_id:int}/edit", opt=permission("case", "update"), status_code=200)
    async def edit(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[EditForm, FORM],
    ) -> Template | Redirect:
        """Save; a stale version brings the form back with the user's text and the saved record beside it."""
        patch = record.CasePatch(
            version=data.version,
            title=data.title.strip(),
            summary=data.summary,
            source=data.source,
            category=data.category,
            confidential=bool(data.confidential),
        )
        try:
            if not patch.title:
                raise DomainError(N_("A title is required."))
            await record.edit_case(db, access, actor, case_id, patch)
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            values: dict[str, Any] = {**msgspec.structs.asdict(data), "confidential": bool(data.confidential)}
            if exc.status == 409:  # show what is saved now, and let a deliberate resubmit win
                values["version"] = (await services.get_case(db, access, case_id)).version
            return await self._edit(db, access, case_id, values, exc.translated(), exc.status)
        await db.commit()
        return Redirect(with_done(f"/cases/{case_id}", "saved"), status_code=303)

    @post("/{case_id:int}/links", opt=permission("case", "update"), status_code=200)
    async def link(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[LinkForm, FORM],
    ) -> Template | Redirect:
        async def link() -> None:
            other = await services.find_by_number(db, access, data.number)
            assert other.id is not None
            await record.link_cases(db, access, actor, case_id, record.LinkIn(other.id, data.kind))

        return await self._act_then_return(db, access, case_id, link(), "#links", "linked")

    @post("/{case_id:int}/assignments", opt=permission("case", "update"), status_code=200)
    async def assign(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[AssignForm, FORM],
    ) -> Template | Redirect:
        staffing = team.assign(db, access, actor, case_id, data.user_id, data.team)
        return await self._act_then_return(db, access, case_id, staffing, "#team", "team")

    @post("/{case_id:int}/recusal", status_code=200)
    async def recuse(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Template | Redirect:
        """After recusal the case is out of the user's sight, so they land on the list."""
        try:
            if not data.reason.strip():
                raise DomainError(N_("Say why you step away from this case."))
            await team.recuse(db, access, actor, case_id, data.reason.strip())
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._detail(db, access, case_id, exc.translated(), exc.status)
        await db.commit()
        return Redirect("/cases", status_code=303)

    @post(
        "/{case_id:int}/clocks/{clock_id:int}/extensions", opt=permission("case", "propose"), status_code=200
    )
    async def ask_for_time(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        clock_id: FromPath[int],
        data: Annotated[ExtensionForm, FORM],
    ) -> Template | Redirect:
        async def ask() -> None:
            if data.unit not in extensions.MAX_AMOUNT or data.amount < 1:
                raise DomainError(N_("Give a number of working days or months."))
            body = extensions.ExtensionIn(data.amount, data.unit, data.reason)  # type: ignore[arg-type]
            await extensions.propose_extension(db, access, actor, case_id, clock_id, body)

        return await self._act_then_return(db, access, case_id, ask(), "#summary", "submitted")

    @post("/{case_id:int}/clocks/{clock_id:int}/stop", opt=permission("case", "approve"), status_code=200)
    async def stop_clock(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        clock_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Template | Redirect:
        stop = extensions.stop_clock(db, access, actor, case_id, clock_id, data.reason)
        return await self._act_then_return(db, access, case_id, stop, "#summary", "clock_stopped")

    async def _act_then_return(
        self,
        db: Db,
        access: Access,
        case_id: int,
        action: Awaitable[Any],
        anchor: str = "",
        done: str = "saved",
    ) -> Template | Redirect:
        """Do one change; on a domain error show the case page with the message, else go back to it."""

        async def show_again(error: str, status: int) -> Template:
            return await self._detail(db, access, case_id, error, status)

        return await act_then_redirect(db, action, f"/cases/{case_id}{anchor}", show_again, done)

    @post("/{case_id:int}/subjects", opt=permission("case", "update"), status_code=200)
    async def add_subjects(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[SubjectsForm, FORM],
    ) -> Template | Redirect:
        ids = data.subject_ids if isinstance(data.subject_ids, list) else [data.subject_ids]
        chosen = [int(v) for v in ids if str(v).isdigit()]
        add = subjects.add_subjects(db, access, actor, case_id, chosen)
        return await self._act_then_return(db, access, case_id, add, "#subjects", "subjects")

    @post("/{case_id:int}/subjects/{person_id:int}/remove", opt=permission("case", "update"), status_code=200)
    async def remove_subject(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], person_id: FromPath[int]
    ) -> Template | Redirect:
        remove = subjects.remove_subject(db, access, actor, case_id, person_id)
        return await self._act_then_return(db, access, case_id, remove, "#subjects", "subjects")

    @post("/{case_id:int}/notes", status_code=200)
    async def add_note(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[NoteForm, FORM],
    ) -> Template | Redirect:
        async def add() -> None:
            if not data.body.strip():
                raise DomainError(N_("Write something first."))
            await record.add_note(db, access, actor, case_id, data.body.strip())

        return await self._act_then_return(db, access, case_id, add(), "#notes", "note")

    @post("/{case_id:int}/evidence", status_code=200)
    async def add_evidence(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        case_id: FromPath[int],
        data: Annotated[EvidenceForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        upload = evidence.store_evidence(db, settings, access, actor, case_id, data.file)
        return await self._act_then_return(db, access, case_id, upload, "#evidence", "uploaded")

    @post("/{case_id:int}/transitions", status_code=200)
    async def transition(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
        data: Annotated[TransitionForm, FORM],
    ) -> Template | Redirect:
        person = int(data.person_id) if data.person_id.strip().isdigit() else None
        measure = data.measure_code or None
        body = TransitionIn(
            data.transition, data.version, data.reason, data.disposal or None, person, measure
        )
        spec = workflow.LIFECYCLE.by_name.get(data.transition)
        done = "submitted" if spec is not None and spec.approval else "moved"
        return await self._act_then_return(
            db, access, case_id, transitions.apply_transition(db, access, actor, case_id, body), "", done
        )
