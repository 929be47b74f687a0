"""我的待办 (the landing page after sign-in), 已办, and the navigation's count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get
from litestar.response import Template

from integrity.db.models import AuditEvent
from integrity.domain.audit.pages import event_rows, names_for
from integrity.domain.cases import clocks
from integrity.domain.work import queue
from integrity.domain.work.rows import urgencies
from integrity.lib.authz.declarations import authenticated
from integrity.lib.deps import Access, CurrentPrincipal, Db
from integrity.lib.i18n import N_

# Each kind of work in words, and the full list where all of it can be seen (when there is one).
KINDS = {
    "approval": (N_("Proposals to decide"), "/approvals"),
    "returned": (N_("Returned to you"), ""),
    "item": (N_("Rectification items"), "/rectification"),
    "case_clock": (N_("Deadlines of your cases"), "/cases"),
    "decision": (N_("Decisions to announce or report on"), "/decisions"),
    "appeal": (N_("Appeals to re-review"), ""),
    "reflection": (N_("Reflections and make-up study"), "/education"),
    "reflection_review": (N_("Reflections to review"), "/education/manage"),
    "leave": (N_("Leave requests to decide"), "/education/manage"),
    "plan": (N_("Education plans behind"), "/education/plans"),
}


def _roles(principal: Any) -> list[dict[str, Any]]:
    by_unit: dict[int, dict[str, Any]] = {}
    for grant in principal.grants:
        entry = by_unit.setdefault(grant.unit_id, {"grant": grant, "roles": []})
        entry["roles"].append(grant.role)
    return list(by_unit.values())


class WorkPages(Controller):
    path = "/"
    include_in_schema = False
    opt = authenticated()

    @get("/")
    async def todo(self, db: Db, access: Access, principal: CurrentPrincipal) -> Template:
        found = await queue.todo(db, access)
        today, cal = clocks.local_today(), await clocks.display_calendar(db)
        return Template(
            "work/todo.html",
            context={
                "queue": found,
                "items": list(zip(found.rows, urgencies(found.rows, today, cal), strict=True)),
                "todo_count": found.count,
                "units": _roles(principal),
                "kinds": KINDS,
                "tab": "todo",
            },
        )

    @get("/done")
    async def done(self, db: Db, access: Access) -> Template:
        events: Sequence[AuditEvent] = await queue.done(db, access)
        names = await names_for(db, events)
        return Template(
            "work/done.html",
            context={"rows": event_rows(events, names), "tab": "done"},
        )

    @get("/work/count")
    async def count(self, db: Db, access: Access) -> Template:
        """The navigation's badge, fetched after the page so no page waits for it."""
        return Template("work/_count.html", context={"todo_count": await queue.todo_count(db, access)})
