"""An event's materials on its pages: the organisers attach files; whoever may read the event
downloads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Stream, Template

from integrity.domain.education import materials
from integrity.domain.education.event_pages import back_to_event
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.uploads import download


@dataclass
class MaterialForm:
    file: UploadFile
    csrf_token: str = ""


class MaterialPages(Controller):
    path = "/education/{event_id:int}/materials"
    opt = permission("education", "update")
    include_in_schema = False

    @post("/", status_code=200)
    async def add(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        settings: AppSettings,
        event_id: FromPath[int],
        data: Annotated[MaterialForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        adding = materials.add_material(db, settings, access, actor, event_id, data.file)
        return await back_to_event(db, access, event_id, adding, "uploaded", "#materials")

    @get("/{material_id:int}", opt=authenticated())
    async def file(
        self,
        db: Db,
        access: Access,
        settings: AppSettings,
        event_id: FromPath[int],
        material_id: FromPath[int],
    ) -> Stream:
        found = await materials.material_file(db, settings, access, event_id, material_id)
        return download(found.path, found.row.content_type, found.row.filename, found.row.size)
