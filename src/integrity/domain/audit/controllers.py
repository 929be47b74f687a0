"""API for reading the audit trail."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery

from integrity.domain.audit.services import AuditEventOut, list_events
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, Db
from integrity.lib.pagination import Page, PageLimit


class AuditEventPage(Page[AuditEventOut]):
    """One page of the list; pass `next_cursor` back as `cursor` for the next one."""


class AuditEventController(Controller):
    path = "/api/v1/audit/events"
    opt = permission("audit", "read")
    tags = ["audit"]

    @get("/")
    async def list_audit_events(
        self,
        db: Db,
        access: Access,
        cursor: FromQuery[str | None] = None,
        limit: PageLimit = 50,
        object_type: FromQuery[str | None] = None,
        object_id: FromQuery[str | None] = None,
    ) -> AuditEventPage:
        page = await list_events(db, access, cursor, limit, object_type, object_id)
        return AuditEventPage([AuditEventOut.of(e) for e in page.items], page.next_cursor)
