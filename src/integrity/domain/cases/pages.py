"""Server-rendered pages for cases; forms post here and come back here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import (
    Unit,
)
from integrity.domain.cases import (
    clocks,
    importing,
    listing,
    services,
    workflow,
)
from integrity.domain.cases.schemas import CaseIn
from integrity.domain.org import services as org
from integrity.domain.org.schemas import PersonIn
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import DomainError
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM
from integrity.lib.i18n import N_, local_name
from integrity.lib.i18n import gettext as _
from integrity.lib.pagination import Page


class RegisterForm(msgspec.Struct):
    unit_id: int
    source: str
    category: str
    title: str
    received_on: date
    summary: str = ""
    confidential: str = ""
    subject_ids: list[int] | int | None = None
    new_person_name: str = ""
    new_person_unit_id: int | None = None
    new_person_position: str = ""
    new_person_employee_no: str = ""
    csrf_token: str = ""


@dataclass
class ImportForm:
    file: UploadFile
    dry_run: str = ""
    csrf_token: str = ""


def _subject_ids(value: Any) -> list[int]:
    """The picker's hidden inputs: none, one or many `subject_ids`."""
    if value is None or value == "":
        return []
    return [int(v) for v in (value if isinstance(value, list) else [value]) if str(v).isdigit()]


SORT_LABELS = {
    "received": N_("Newest received first"),
    "number": N_("By case number"),
    "due": N_("Most urgent deadline first"),
}


class CasePages(Controller):
    path = "/cases"
    opt = permission("case", "read")
    include_in_schema = False

    @get("/")
    async def case_list(
        self,
        db: Db,
        access: Access,
        status: FromQuery[str | None] = None,
        clock: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str] = "received",
    ) -> Template:
        error, total = "", 0
        try:
            filters = listing.CaseFilters(
                status=status or None, clock=clock or None, query=q or None, sort=sort or "received"
            )
            page = await listing.list_cases(db, access, cursor, 50, filters)
            total = await listing.count_cases(db, access, filters)
        except DomainError as exc:
            error, page = exc.translated(), Page([], None)
        ids = [c.id for c in page.items]
        details = await listing.page_details(db, ids)
        units = {
            u.id: local_name(u.name, u.name_en)
            for u in (
                await db.execute(select(Unit).where(col(Unit.id).in_({c.unit_id for c in page.items})))
            ).scalars()
        }
        return Template(
            "cases/list.html",
            context={
                "cases": page.items,
                "next_cursor": page.next_cursor,
                "units": units,
                "details": details,
                "total": total,
                "error": error,
                "status": status or "",
                "clock": clock or "",
                "q": q or "",
                "sort": sort or "received",
                "sorts": SORT_LABELS,
                "today": clocks.local_today(),
                "statuses": workflow.STATUSES,
                "can_register": access.can_anywhere("case", "create"),
            },
        )

    async def _form(
        self, db: Db, access: Access, error: str = "", values: dict[str, Any] | None = None, status: int = 200
    ) -> Template:
        units = (
            (
                await db.execute(
                    select(Unit)
                    .where(access.unit_filter("case", "create", Unit.path))
                    .order_by(col(Unit.path))
                )
            )
            .scalars()
            .all()
        )
        values = values or {}
        chosen_ids = [int(v) for v in _subject_ids(values.get("subject_ids")) if str(v).isdigit()]
        chosen = await org.find_persons(db, access, ids=chosen_ids) if chosen_ids else []
        new_person = {
            k.removeprefix("new_person_"): v for k, v in values.items() if k.startswith("new_person_")
        }
        return Template(
            "cases/new.html",
            status_code=status,
            context={
                "units": units,
                "chosen": chosen,
                "new_person": new_person,
                "sources": await services.catalogue_entries(db, "case_source"),
                "categories": await services.catalogue_entries(db, "case_category"),
                "error": error,
                "values": values,
            },
        )

    @get("/subjects", opt=permission("person", "read"))
    async def find_subjects(self, db: Db, access: Access, subject_q: FromQuery[str] = "") -> Template:
        """The picker's results as the user types: name, unit and position of each match."""
        # Never offered: the user and the persons they declared relations to (a case about them would be
        # refused, and then hidden from its own author).
        own = await services.related_person_ids(db, access.principal.user_id)
        if access.principal.person_id is not None:
            own.add(access.principal.person_id)
        found = await org.find_persons(db, access, text=subject_q[:100], leave_out=sorted(own))
        return Template("cases/_subject_results.html", context={"found": found, "q": subject_q.strip()})

    @get("/new", opt=permission("case", "create"))
    async def new_case(self, db: Db, access: Access) -> Template:
        return await self._form(db, access)

    @post("/new", opt=permission("case", "create"), status_code=200)
    async def register(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[RegisterForm, FORM],
    ) -> Template | Redirect:
        subjects = _subject_ids(data.subject_ids)
        new_subjects = []
        if data.new_person_name.strip():  # typed in place: created with the case, in its transaction
            new_subjects.append(
                PersonIn(
                    data.new_person_unit_id or data.unit_id,
                    data.new_person_name.strip(),
                    employee_no=data.new_person_employee_no.strip() or None,
                    position=data.new_person_position.strip(),
                )
            )
        payload = CaseIn(
            data.unit_id,
            data.source,
            data.category,
            data.title.strip(),
            data.received_on,
            data.summary,
            bool(data.confidential),
            subjects,
            new_subjects,
        )
        try:
            if not payload.title:
                raise DomainError(N_("A title is required."))
            case = await services.register_case(db, settings, access, actor, payload)
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return await self._form(
                db, access, exc.translated(), msgspec.structs.asdict(data), status=exc.status
            )
        await db.commit()
        return Redirect(with_done(f"/cases/{case.id}", "registered"), status_code=303)

    @get("/import", opt=permission("case", "create"))
    async def import_form(self) -> Template:
        return Template("cases/import.html", context={"report": None, "rows": [], "error": ""})

    @post("/import", opt=permission("case", "create"), status_code=200)
    async def import_leads(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """Check or import a sheet, and show the row-by-row report on the same page."""
        dry_run = bool(data.dry_run)
        try:
            sheet = await importing.read_sheet(await importing.read_upload(data.file))
            report = await importing.import_leads(
                db, settings, access, actor, sheet, filename=data.file.filename, dry_run=dry_run
            )
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            context: dict[str, Any] = {"report": None, "rows": [], "error": exc.translated()}
            return Template("cases/import.html", status_code=exc.status, context=context)
        if report.ok and not dry_run:
            await db.commit()
        else:
            await db.rollback()
        return Template(
            "cases/import.html",
            status_code=200 if report.ok else 422,
            context={"report": report, "rows": importing.report_rows(report, _), "error": ""},
        )
