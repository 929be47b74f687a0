"""API for reading the audit trail."""

from __future__ import annotations

from litestar import Controller, get
from sqlmodel.ext.asyncio.session import AsyncSession

from integrity.domain.audit.services import AuditEventOut, list_events
from integrity.lib.authz import AccessScope
from integrity.lib.authz.declarations import permission
from integrity.lib.pagination import Page


class AuditEventController(Controller):
    path = "/api/v1/audit/events"
    opt = permission("audit", "read")
    tags = ["audit"]

    @get("/")
    async def list_audit_events(
        self,
        db: AsyncSession,
        access: AccessScope,
        cursor: str | None = None,
        limit: int = 50,
        object_type: str | None = None,
        object_id: str | None = None,
    ) -> Page[AuditEventOut]:
        page = await list_events(db, access, cursor, limit, object_type, object_id)
        return Page([AuditEventOut.of(e) for e in page.items], page.next_cursor)
