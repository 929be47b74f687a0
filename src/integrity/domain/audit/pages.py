"""The audit trail page: newest first, narrowed by filters, every event in words, linked to its object."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from markupsafe import Markup
from sqlmodel import col, select

from integrity.db.models import AuditEvent, CatalogueItem, Measure, Person, Unit
from integrity.domain.audit.readable import ACTION_LABELS, OBJECT_LABELS, Names, object_label, readable
from integrity.domain.audit.services import AuditFilters, export_events, list_events
from integrity.domain.cases.clocks import local_today
from integrity.domain.org.services import units_where
from integrity.domain.users.services import display_names
from integrity.lib import excel
from integrity.lib.audit import AuditEntry, record
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import DomainError, InvalidInput
from integrity.lib.i18n import N_, current_locale, gettext, local_name
from integrity.lib.uploads import content_disposition

PAGE_SIZE = 100
# Where an event's object is read, for those who may see it (the page lists only events they may see).
OBJECT_PAGES = {"case": "/cases/{}", "decision": "/decisions/{}", "rectification": "/rectification/items/{}"}
USER_FIELDS, PERSON_FIELDS = ("user_id", "responsible_user_id"), ("person_id",)
USER_LISTS = ("users", "corrected", "absent_again")  # lists of user ids (education marks)


def _ints(bodies: list[dict[str, Any]], fields: tuple[str, ...], lists: tuple[str, ...] = ()) -> set[int]:
    """The ids the events name in these fields (one id each) and these list fields (ids each)."""
    found: set[int] = set()
    for body in bodies:
        for part in ("before", "after", "extra"):
            values = body.get(part) or {}
            for field in fields:
                value = values.get(field)
                if isinstance(value, int) and not isinstance(value, bool):
                    found.add(value)
            for listed in lists:
                found |= {v for v in values.get(listed) or [] if isinstance(v, int)}
    return found


async def names_for(db: Db, events: Sequence[AuditEvent]) -> Names:
    """What the page's events name, in a handful of queries whatever the page size."""
    bodies = [json.loads(e.changes or "{}") for e in events]
    zh = current_locale.get() == "zh"
    users = _ints(bodies, USER_FIELDS, USER_LISTS) | {e.actor_id for e in events if e.actor_id}
    persons = _ints(bodies, PERSON_FIELDS, ("subjects",))
    units = _ints(bodies, ("unit_id", "parent_id")) | {e.unit_id for e in events if e.unit_id}
    person_rows = await db.execute(
        select(col(Person.id), col(Person.name)).where(col(Person.id).in_(persons))
    )
    unit_rows = await db.execute(select(Unit).where(col(Unit.id).in_(units)))
    measures = (await db.execute(select(Measure))).scalars()
    catalogue = (await db.execute(select(CatalogueItem))).scalars()
    return Names(
        people=await display_names(db, users),
        persons={int(i or 0): str(n) for i, n in person_rows.all()},
        units={u.id or 0: local_name(u.name, u.name_en) for u in unit_rows.scalars()},
        measures={m.code: (m.name if zh else m.name_en) for m in measures},
        catalogue={
            (item.catalogue.removeprefix("case_"), item.code): (item.name if zh else item.name_en)
            for item in catalogue
        },
    )


def actor_words(actor: str) -> str:
    """Who acted when no user did: the command line (with the operating-system account), or anonymous."""
    if actor.startswith("cli:"):  # the account name is an identifier, not words
        return Markup("{} <code>{}</code>").format(gettext(N_("Command line")), actor.removeprefix("cli:"))
    if actor == "anonymous":
        return gettext(N_("Not signed in"))
    return actor


def event_rows(events: Sequence[AuditEvent], names: Names) -> list[dict[str, Any]]:
    """Each event as a page shows it: in words, with its actor's name and a link to its object."""
    rows = []
    for e in events:
        words = readable(e, names)
        target = OBJECT_PAGES.get(e.object_type)
        rows.append(
            {
                "event": e,
                "actor": names.people.get(e.actor_id or 0) or actor_words(e.actor),
                "action": words.action,
                "changes": words.changes,
                "english": words.english,
                "codes": words.codes,
                "object": object_label(e.object_type),
                "link": target.format(e.object_id) if target and e.object_id.isdigit() else None,
                "unit": names.units.get(e.unit_id or 0, ""),
            }
        )
    return rows


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(N_("Write a date as 2026-11-30.")) from None


def _filters(chosen: dict[str, str]) -> AuditFilters:
    """The page's query fields as filters (dates as the office writes them)."""
    return AuditFilters(
        action=chosen["action"] or None,
        actor=chosen["actor"].strip() or None,
        object_type=chosen["object_type"] or None,
        case_number=chosen["case_number"].strip() or None,
        unit_id=int(chosen["unit"]) if chosen["unit"].isdigit() and len(chosen["unit"]) < 10 else None,
        since=_day(chosen["since"]),
        until=_day(chosen["until"]),
        newest_first=True,
    )


EXPORT_HEADER = (
    N_("No."),
    N_("Time"),
    N_("Actor"),
    N_("Action"),
    N_("Object"),
    N_("Unit"),
    N_("Outcome"),
    N_("Changes"),
)


async def _audit_units(db: Db, access: Access) -> list[tuple[int, str]]:
    """The units whose trail this reader may read, by name, to narrow the trail to one of them."""
    units = await units_where(db, access, "audit", "read")
    return [(u.id or 0, local_name(u.name, u.name_en)) for u in units]


def provide_chosen(
    action: FromQuery[str] = "",
    # "actor" names the request's audit actor (a dependency); the query field keeps the word.
    actor_name: Annotated[str, QueryParameter(name="actor")] = "",
    object_type: FromQuery[str] = "",
    case_number: FromQuery[str] = "",
    unit: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
) -> dict[str, str]:
    """The trail's filters as typed, shared by the page (which shows them again) and its export."""
    return {"action": action, "actor": actor_name, "object_type": object_type,
            "case_number": case_number, "unit": unit, "since": since, "until": until}  # fmt: skip


Chosen = NamedDependency[dict[str, str]]


class AuditPages(Controller):
    path = "/audit"
    opt = permission("audit", "read")
    include_in_schema = False
    dependencies = {"chosen": Provide(provide_chosen, sync_to_thread=False)}

    @get("/")
    async def audit_page(
        self, db: Db, access: Access, chosen: Chosen, cursor: FromQuery[str | None] = None
    ) -> Template:
        error, rows, next_cursor = "", list[dict[str, Any]](), None
        try:
            filters = _filters(chosen)
            page = await list_events(db, access, cursor, PAGE_SIZE, filters=filters)
            names = await names_for(db, page.items)
            next_cursor = page.next_cursor
            rows = event_rows(page.items, names)
        except DomainError as exc:
            error = exc.translated()
        actions = sorted(((a, gettext(text)) for a, text in ACTION_LABELS.items()), key=lambda a: a[1])
        return Template(
            "audit.html",
            context={
                "rows": rows,
                "next_cursor": next_cursor,
                "cursor": cursor,
                "filters": chosen,
                "filters_query": urlencode({k: v for k, v in chosen.items() if v}),
                "units": await _audit_units(db, access),
                "actions": actions,
                "object_types": sorted(((t, object_label(t)) for t in OBJECT_LABELS), key=lambda t: t[1]),
                "error": error,
            },
        )

    @get("/export.xlsx", media_type=excel.XLSX)
    async def export(
        self, request: Request[Any, Any, Any], db: Db, access: Access, actor: AuditActor, chosen: Chosen
    ) -> Response[bytes]:
        """The filtered events as an Excel workbook, newest first (at most 50,000); the export is audited."""
        filters = _filters(chosen)
        events = await export_events(db, access, filters, excel.MAX_ROWS)
        names = await names_for(db, events)
        ok = gettext(N_("Completed"))
        rows = [
            [
                r["event"].seq,
                excel.local(r["event"].occurred_at),
                str(r["actor"]),
                r["action"],
                f"{r['object']} {r['event'].object_id}".strip(),
                r["unit"],
                ok if r["event"].outcome == "ok" else gettext(N_("Refused")),
                "\n".join(f"{field}：{value}" for field, value in r["changes"]),
            ]
            for r in event_rows(events, names)
        ]
        title = gettext(N_("Audit trail"))
        body = await excel.workbook(title, [gettext(h) for h in EXPORT_HEADER], rows)
        async with request.app.state.db.write_session() as session:
            entry = AuditEntry(
                "audit.export", "audit", "", access.principal.unit_id,
                extra={"rows": len(rows), "filters": {k: v for k, v in chosen.items() if v}},
            )  # fmt: skip
            await record(session, actor, entry)
            await session.commit()
        name = excel.file_name(title, local_today())
        return Response(
            body, media_type=excel.XLSX, headers={"content-disposition": content_disposition(name)}
        )
