"""Persons (人员): find, record, correct, import the HR roster; a person's page lists their cases only
as far as the reader may see each one."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from integrity.db.models import Person
from integrity.domain.admin import directory
from integrity.domain.cases import listing
from integrity.domain.org import choices, roster
from integrity.domain.org import services as org
from integrity.domain.org.schemas import PersonIn, PersonPatch
from integrity.lib import sheets
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import DomainError
from integrity.lib.excel import XLSX
from integrity.lib.forms import FORM, act_then_redirect, converted, picked_unit
from integrity.lib.i18n import N_, gettext
from integrity.lib.pagination import QueryId
from integrity.lib.sheets import read_upload


class PersonForm(msgspec.Struct):
    name: str = ""
    name_en: str = ""
    unit_id: str = ""
    employee_no: str = ""
    position: str = ""
    cadre_level: str = ""
    party_member: str = ""
    csrf_token: str = ""


class RosterForm(msgspec.Struct):
    file: UploadFile
    dry_run: str = ""
    csrf_token: str = ""


def _fields(data: PersonForm) -> dict[str, Any]:
    return {
        "unit_id": picked_unit(data.unit_id),
        "name": data.name.strip(),
        "name_en": data.name_en.strip(),
        "employee_no": data.employee_no.strip() or None,
        "position": data.position.strip(),
        "cadre_level": data.cadre_level.strip(),
        "party_member": data.party_member == "true",
    }


# What to change when a person's fields do not pass the API's checks.
PERSON_FIELDS_WRONG = N_("A person needs a name of at most 100 characters; check the other fields' lengths.")


class PersonPages(Controller):
    path = "/persons"
    opt = permission("person", "read")
    include_in_schema = False

    @get("/")
    async def persons(
        self,
        db: Db,
        access: Access,
        q: FromQuery[str] = "",
        unit_id: QueryId = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        page = await directory.person_rows(db, access, text=q[:100], unit_id=unit_id, cursor=cursor)
        return Template(
            "persons/list.html",
            context={
                "persons": page.items,
                "unit_names": await directory.unit_names(db, {p.unit_id for p in page.items}),
                "next_cursor": page.next_cursor,
                "q": q,
                "unit_id": unit_id,
                "units": await choices.unit_choices(db, access, "person", "read"),
                "can_create": access.can_anywhere("person", "create"),
            },
        )

    async def _form(
        self,
        db: Db,
        access: Access,
        form: PersonForm,
        person: Person | None,
        error: str = "",
        status: int = 200,
    ) -> Template:
        cases: list[Any] = []
        if person is not None and access.can_anywhere("case", "read"):
            # The same filter as the case list: a case hidden from the reader is not listed, nor counted.
            filters = listing.CaseFilters(sort="received", subject_id=person.id)
            cases = (await listing.list_cases(db, access, None, 50, filters)).items
        may_update = person is None or access.can(
            "person", "update", await directory.unit_path(db, person.unit_id)
        )
        return Template(
            "persons/detail.html",
            status_code=status,
            context={
                "person": person,
                "form": form,
                "error": error,
                "units": await choices.unit_choices(db, access, "person", "create"),
                "unit": (await directory.unit_names(db, {person.unit_id})).get(person.unit_id, "")
                if person
                else "",
                "cases": cases,
                "may_update": may_update,
            },
        )

    @get("/new", opt=permission("person", "create"))
    async def new(self, db: Db, access: Access, unit_id: QueryId = None) -> Template:
        return await self._form(db, access, PersonForm(unit_id=str(unit_id or "")), None)

    @post("/new", opt=permission("person", "create"), status_code=200)
    async def create(
        self, db: Db, access: Access, actor: AuditActor, data: Annotated[PersonForm, FORM]
    ) -> Template | Redirect:
        try:
            person = await org.create_person(
                db, actor, converted(_fields(data), PersonIn, PERSON_FIELDS_WRONG), access=access
            )
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._form(db, access, data, None, exc.translated(), exc.status)
        await db.commit()
        return Redirect(f"/persons/{person.id}?done=saved", status_code=303)

    @get("/{person_id:int}")
    async def detail(self, db: Db, access: Access, person_id: FromPath[int]) -> Template:
        person = await org.get_person(db, access, person_id)
        form = PersonForm(
            name=person.name,
            name_en=person.name_en,
            unit_id=str(person.unit_id),
            employee_no=person.employee_no or "",
            position=person.position,
            cadre_level=person.cadre_level,
            party_member="true" if person.party_member else "",
        )
        return await self._form(db, access, form, person)

    @post("/{person_id:int}", opt=permission("person", "update"), status_code=200)
    async def save(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        person_id: FromPath[int],
        data: Annotated[PersonForm, FORM],
    ) -> Template | Redirect:
        async def saving() -> None:
            await org.update_person(
                db,
                actor,
                person_id,
                converted(_fields(data), PersonPatch, PERSON_FIELDS_WRONG),
                access=access,
            )

        async def show_again(error: str, status: int) -> Template:
            return await self._form(
                db, access, data, await org.get_person(db, access, person_id), error, status
            )

        return await act_then_redirect(db, saving(), f"/persons/{person_id}", show_again)

    @get("/import", opt=permission("person", "create"))
    async def import_form(self) -> Template:
        return Template("persons/import.html", context={"report": None, "rows": [], "error": ""})

    @post("/import", opt=permission("person", "create"), status_code=200)
    async def import_roster(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        data: Annotated[RosterForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        dry_run = bool(data.dry_run)
        try:
            sheet = await sheets.read_sheet(await read_upload(data.file), roster.COLUMNS)
            report = await roster.import_roster(
                db, access, actor, sheet, filename=data.file.filename, dry_run=dry_run
            )
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            context: dict[str, Any] = {"report": None, "rows": [], "error": exc.translated()}
            return Template("persons/import.html", status_code=exc.status, context=context)
        if report.ok and not dry_run:
            await db.commit()
        else:
            await db.rollback()
        return Template(
            "persons/import.html",
            status_code=200 if report.ok else 422,
            context={"report": report, "rows": sheets.report_rows(report.errors, gettext), "error": ""},
        )

    @get("/roster-template.xlsx", opt=permission("person", "create"), media_type=XLSX)
    async def template(self, db: Db, access: Access) -> Response[bytes]:
        headers = [gettext(c.header) for c in roster.COLUMNS]
        body = await sheets.template_workbook("roster", headers, await roster.code_sheet(db, access, gettext))
        return Response(
            body,
            media_type=XLSX,
            headers={"content-disposition": 'attachment; filename="roster-template.xlsx"'},
        )
