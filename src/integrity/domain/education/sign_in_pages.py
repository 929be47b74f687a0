"""Signing in at an event: the projector's rotating QR code with a live count, the address it encodes
(which leaves a short pass in the scanning browser), and the member's page that records them."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent
from integrity.domain.education import attendance, codes
from integrity.domain.education.events import organised_event
from integrity.lib.authz.declarations import authenticated, permission, public
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.errors import DomainError, NotFound
from integrity.lib.forms import FORM
from integrity.lib.i18n import N_
from integrity.lib.qr import qr_svg

SIGNED = ("present", "late", "made_up")


class CodeForm(msgspec.Struct):
    code: str = ""
    csrf_token: str = ""


def scan_address(settings: AppSettings, event_id: int, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/education/scan/{event_id}?c={token}"


async def _counts(db: Db, event_id: int) -> tuple[int, int]:
    """(signed in, on the list) for the projector."""
    rows = await db.execute(
        select(col(EducationAttendance.status), func.count())
        .where(col(EducationAttendance.event_id) == event_id)
        .group_by(col(EducationAttendance.status))
    )
    counted = dict(rows.all())
    return sum(n for s, n in counted.items() if s in SIGNED), sum(counted.values())


class ProjectorPages(Controller):
    """For the organiser's screen in the room; the code block refreshes itself every two seconds."""

    path = "/education/{event_id:int}/projector"
    opt = permission("education", "update")
    include_in_schema = False

    async def _context(self, db: Db, access: Access, settings: AppSettings, event_id: int) -> dict[str, Any]:
        event = (await organised_event(db, access, event_id)).event
        shown = codes.current(settings, event_id, event.code_seconds)
        address = scan_address(settings, event_id, shown.token)
        signed, invited = await _counts(db, event_id)
        return {
            "event": event,
            "address": address,
            "qr": qr_svg(address, fit=True),
            "digits": shown.digits,
            "signed": signed,
            "invited": invited,
        }

    @get("/")
    async def page(self, db: Db, access: Access, settings: AppSettings, event_id: FromPath[int]) -> Template:
        return Template(
            "education/projector.html", context=await self._context(db, access, settings, event_id)
        )

    @get("/live")
    async def live(self, db: Db, access: Access, settings: AppSettings, event_id: FromPath[int]) -> Template:
        context = await self._context(db, access, settings, event_id)
        return Template("education/_projector_code.html", context=context)


class ScanController(Controller):
    """The address in the QR code. Public, since a member may not be signed in yet: it checks the code
    and leaves a five-minute pass for that event in the browser, and says nothing about the event."""

    path = "/education/scan"
    opt = public()
    include_in_schema = False

    @get("/{event_id:int}")
    async def scan(
        self, request: Request[Any, Any, Any], settings: AppSettings, event_id: FromPath[int]
    ) -> Redirect | Template:
        async with request.app.state.db.read_session() as session:
            event = await session.get(EducationEvent, event_id)
        given = request.query_params.get("c", "")
        if event is None or not codes.valid(settings, event_id, event.code_seconds, given):
            return Template("education/scan_expired.html", status_code=403)
        response = Redirect(f"/education/{event_id}/sign-in")
        response.set_cookie(
            codes.SCAN_COOKIE,
            codes.issue_pass(settings, event_id),
            max_age=codes.PASS_SECONDS,
            path="/education",
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
        )
        return response


class SignInPages(Controller):
    """The member's side: one button after a scan, or the six digits typed from the screen."""

    path = "/education/{event_id:int}/sign-in"
    opt = authenticated()
    include_in_schema = False

    def _page(self, event: Any, scanned: bool, status: int = 200, **more: Any) -> Template:
        if event is None:
            raise NotFound(N_("No such event."))
        context = {"event": event, "scanned": scanned, "outcome": "", "error": "", **more}
        return Template("education/sign_in.html", status_code=status, context=context)

    @get("/")
    async def page(
        self, db: Db, request: Request[Any, Any, Any], settings: AppSettings, event_id: FromPath[int]
    ) -> Template:
        scanned = codes.pass_valid(settings, request.cookies.get(codes.SCAN_COOKIE), event_id)
        return self._page(await attendance.event_for_sign_in(db, event_id), scanned)

    @post("/", status_code=200)
    async def sign(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        actor: AuditActor,
        settings: AppSettings,
        event_id: FromPath[int],
        data: Annotated[CodeForm, FORM],
    ) -> Template:
        scanned = codes.pass_valid(settings, request.cookies.get(codes.SCAN_COOKIE), event_id)
        method = "qr" if scanned and not data.code.strip() else "code"
        event = await attendance.event_for_sign_in(db, event_id)
        try:
            outcome = await attendance.sign_in(
                db, settings, actor, event_id, data.code,
                method=method, scanned=scanned and method == "qr", event=event,
            )  # fmt: skip
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            return self._page(event, scanned, error=exc.translated(), status=exc.status)
        await db.commit()
        page = self._page(event, scanned, outcome=outcome)
        page.delete_cookie(codes.SCAN_COOKIE, path="/education")
        return page
