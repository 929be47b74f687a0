"""API for the reviewer's approval inbox and decisions."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from integrity.domain.approvals import services
from integrity.domain.approvals.schemas import ApprovalDecisionIn, ApprovalOut
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AuditActor, Db


class ApprovalController(Controller):
    path = "/api/v1/approvals"
    opt = permission("approval", "decide")
    tags = ["approvals"]

    @get("/")
    async def inbox(self, db: Db, access: Access) -> list[ApprovalOut]:
        return [ApprovalOut.of(r) for r in await services.inbox(db, access)]

    @post("/{request_id:int}/approve", status_code=200)
    async def approve(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        request_id: FromPath[int],
        data: JSONBody[ApprovalDecisionIn],
    ) -> ApprovalOut:
        request = await services.decide(db, access, actor, request_id, approve=True, comment=data.comment)
        await db.commit()
        return ApprovalOut.of(request)

    @post("/{request_id:int}/return", status_code=200)
    async def return_(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        request_id: FromPath[int],
        data: JSONBody[ApprovalDecisionIn],
    ) -> ApprovalOut:
        request = await services.decide(db, access, actor, request_id, approve=False, comment=data.comment)
        await db.commit()
        return ApprovalOut.of(request)
