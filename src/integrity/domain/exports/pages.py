"""The export verification page (the trail PDF download itself is in controllers.py)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from integrity.domain.exports import services
from integrity.domain.exports.controllers import MAX_VERIFY_BYTES
from integrity.domain.exports.sealing import signing_key_text
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AppSettings, Db
from integrity.lib.errors import DomainError
from integrity.lib.i18n import gettext as _
from integrity.lib.uploads import read_bounded


class ExportVerifyPages(Controller):
    """Upload a PDF or paste a hash: authentic or not, by whom and when."""

    path = "/exports/verify"
    opt = permission("export", "verify")
    include_in_schema = False

    async def _page(
        self, settings: Any, verdict: services.Verdict | None = None, error: str = "", status: int = 200
    ) -> Template:
        return Template(
            "exports/verify.html",
            status_code=status,
            context={"verdict": verdict, "error": error, "public_key": signing_key_text(settings)},
        )

    @get("/")
    async def form(
        self, db: Db, access: Access, settings: AppSettings, sha256: FromQuery[str | None] = None
    ) -> Template:
        if not sha256:
            return await self._page(settings)
        try:
            return await self._page(settings, await services.verify_hash(db, access, sha256))
        except DomainError as exc:
            await refused(exc)
            return await self._page(settings, error=exc.translated(), status=exc.status)

    @post("/", status_code=200)
    async def upload(
        self,
        db: Db,
        access: Access,
        settings: AppSettings,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._page(settings, error=_("Choose the PDF to check."), status=422)
        try:
            pdf = await read_bounded(upload, MAX_VERIFY_BYTES)
            return await self._page(settings, await services.verify_pdf(db, access, pdf))
        except DomainError as exc:
            await refused(exc)
            return await self._page(settings, error=exc.translated(), status=exc.status)
