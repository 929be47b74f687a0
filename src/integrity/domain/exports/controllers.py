"""API: download a case's trail PDF; ask whether a PDF (or its hash) is an authentic export."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from integrity.domain.exports import services
from integrity.domain.exports.schemas import VerdictOut
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.uploads import UploadForm, content_disposition, file_part, read_bounded

PDF = "application/pdf"
MAX_VERIFY_BYTES = 200 * 1024 * 1024


class TrailExportController(Controller):
    """The trail PDF, for the API and for the case page's button (errors as problem+json or as a page)."""

    path = "/"
    opt = permission("export", "create")
    tags = ["exports"]

    @get("/api/v1/cases/{case_id:int}/trail.pdf", media_type=PDF)
    async def case_trail(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
    ) -> Response[bytes]:
        """The case's full audit trail as a PDF/A-3 with the machine-readable trail attached; audited."""
        return await _trail_pdf(request, settings, access, actor, case_id)

    @get("/cases/{case_id:int}/trail.pdf", media_type=PDF, include_in_schema=False)
    async def case_trail_page(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        access: Access,
        actor: AuditActor,
        case_id: FromPath[int],
    ) -> Response[bytes]:
        """The case page's button: the same PDF; an error shows as a page, not as problem+json."""
        return await _trail_pdf(request, settings, access, actor, case_id)


async def _trail_pdf(
    request: Request[Any, Any, Any], settings: AppSettings, access: Access, actor: AuditActor, case_id: int
) -> Response[bytes]:
    state = request.app.state
    made = await services.export_case_trail(state.db, state.pdf_pool, settings, access, actor, case_id)
    return Response(
        made.pdf,
        media_type=PDF,
        headers={
            "Content-Disposition": content_disposition(made.filename),
            "X-Export-Id": made.export.id,
            "X-Export-SHA256": made.export.pdf_sha256,
            "Cache-Control": "no-store",
        },
    )


class ExportVerifyController(Controller):
    path = "/api/v1/exports"
    opt = permission("export", "verify")
    tags = ["exports"]

    @get("/verify")
    async def verify_by_hash(self, db: Db, access: Access, sha256: FromQuery[str]) -> VerdictOut:
        """Whether a SHA-256 (of a PDF or of its trail, or an export id) is an export we issued."""
        return VerdictOut.of(await services.verify_hash(db, access, sha256))

    @post("/verify", status_code=200)
    async def verify_file(
        self,
        db: Db,
        access: Access,
        data: UploadForm,
    ) -> VerdictOut:
        """Upload the PDF (form field `file`): authentic and unaltered, or what is wrong with it."""
        pdf = await read_bounded(file_part(data), MAX_VERIFY_BYTES)
        return VerdictOut.of(await services.verify_pdf(db, access, pdf))
