"""The application factory."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from integrity import __version__
from integrity.config import STATIC_DIR, Settings, get_settings
from integrity.db.engine import create_database
from integrity.domain.accounts.authentication import AuthenticationMiddleware
from integrity.domain.accounts.controllers import (
    LanguageController,
    LoginController,
    LogoutController,
    MeController,
    TokenController,
)
from integrity.domain.accounts.pages import AccountHome, PasswordPages, SessionPages, TokenPages
from integrity.domain.accounts.relations_pages import RelationPages
from integrity.domain.accounts.second_factor_pages import SecondFactorPages, SecondFactorStep
from integrity.domain.accounts.sso_pages import SsoController
from integrity.domain.admin.person_pages import PersonPages
from integrity.domain.admin.unit_pages import OrgPages
from integrity.domain.admin.user_pages import UserAdminPages
from integrity.domain.approvals import services as approvals_services
from integrity.domain.approvals.controllers import ApprovalController
from integrity.domain.approvals.pages import ApprovalPages
from integrity.domain.audit.controllers import AuditEventController
from integrity.domain.audit.pages import AuditPages
from integrity.domain.case_page.pages import CaseFilePages
from integrity.domain.cases.controllers import CaseController
from integrity.domain.cases.pages import CasePages
from integrity.domain.catalogues.pages import CalendarPages, CataloguePages
from integrity.domain.clocks.calendar import CalendarController
from integrity.domain.clocks.controllers import ClockRuleController
from integrity.domain.clocks.pages import ClockRulePages
from integrity.domain.decisions.controllers import DecisionController, MeasureController, RegisterController
from integrity.domain.decisions.measure_pages import MeasurePages
from integrity.domain.decisions.pages import DecisionPages
from integrity.domain.decisions.register_pages import RegisterPages
from integrity.domain.education.coverage_pages import CoveragePages
from integrity.domain.education.event_pages import EventListPages, EventPages
from integrity.domain.education.material_pages import MaterialPages
from integrity.domain.education.member_pages import MyEventsPages
from integrity.domain.education.plan_pages import PlanPages
from integrity.domain.education.report_pages import ReportPages
from integrity.domain.education.roster_pages import RosterPages
from integrity.domain.education.sign_in_pages import ProjectorPages, ScanController, SignInPages
from integrity.domain.education.teaching_pages import TeachingPages
from integrity.domain.exports.controllers import ExportVerifyController, TrailExportController
from integrity.domain.exports.pages import ExportVerifyPages
from integrity.domain.health.controllers import HealthController
from integrity.domain.ledgers.pages import LedgerPages, ScheduledReportPages
from integrity.domain.notifications.admin_pages import NotificationAdminPages
from integrity.domain.notifications.controllers import NotificationController
from integrity.domain.notifications.pages import NotificationPages, NotificationSettingsPages
from integrity.domain.notifications.worker import InProcessWorker
from integrity.domain.org.controllers import PersonController, RelationController, UnitController
from integrity.domain.rectification.controllers import RectificationController
from integrity.domain.rectification.pages import RectificationPages
from integrity.domain.statistics.pages import StatisticsPages
from integrity.domain.users.controllers import GrantController, UserController
from integrity.domain.wiring import install_all
from integrity.domain.work.pages import WorkPages
from integrity.lib import i18n
from integrity.lib.authz import Authorizer
from integrity.lib.authz.declarations import authenticated, public
from integrity.lib.authz.guard import authorize, record_refusal
from integrity.lib.deps import DEPENDENCIES
from integrity.lib.errors import handle_error, refuse_nul
from integrity.lib.openapi import close_strict_objects, document_problems
from integrity.lib.pdf.fonts import warn_if_no_cjk_font
from integrity.lib.pdf.pool import PdfPool
from integrity.lib.templating import template_environment

log = logging.getLogger("integrity")

ROUTE_HANDLERS: list[Any] = [
    HealthController,
    LoginController,
    SsoController,
    LogoutController,
    LanguageController,
    AccountHome,
    PasswordPages,
    SessionPages,
    SecondFactorStep,
    SecondFactorPages,
    RelationPages,
    WorkPages,
    TokenPages,
    MeController,
    TokenController,
    RelationController,
    UnitController,
    PersonController,
    UserController,
    GrantController,
    AuditEventController,
    CaseController,
    ApprovalController,
    RectificationController,
    DecisionController,
    MeasureController,
    RegisterController,
    CalendarController,
    ClockRuleController,
    TrailExportController,
    ExportVerifyController,
    CasePages,
    CaseFilePages,
    ApprovalPages,
    RectificationPages,
    DecisionPages,
    RegisterPages,
    StatisticsPages,
    LedgerPages,
    ScheduledReportPages,
    MeasurePages,
    ClockRulePages,
    ExportVerifyPages,
    AuditPages,
    NotificationController,
    NotificationPages,
    NotificationSettingsPages,
    NotificationAdminPages,
    UserAdminPages,
    OrgPages,
    PersonPages,
    CataloguePages,
    CalendarPages,
    MyEventsPages,
    CoveragePages,
    ReportPages,
    EventListPages,
    EventPages,
    RosterPages,
    TeachingPages,
    MaterialPages,
    PlanPages,
    ProjectorPages,
    ScanController,
    SignInPages,
]


async def _before_request(request: Request[Any, Any, Any]) -> None:
    """The request's language first (so a refusal reads in it), then the query's own sanity."""
    await i18n.set_request_locale(request)
    refuse_nul(request)


def create_app(settings: Settings | None = None, pdf_pool: PdfPool | None = None) -> Litestar:
    """Build the app; the database engine and the authorizer live in app.state.

    `pdf_pool` lets several apps in one process share their PDF workers (the test suite's apps do);
    the app closes only a pool it made."""
    settings = settings or get_settings()
    install_all()
    document_problems(ROUTE_HANDLERS)
    db = create_database(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
    )
    own_pool = pdf_pool is None
    authorizer = Authorizer()
    # The delivery worker runs beside the web service unless it runs alone (`integrity worker`).
    pdf_pool = pdf_pool or PdfPool(settings.pdf_workers, settings.pdf_timeout_seconds, settings.pdf_memory_mb)
    worker = InProcessWorker(db, settings, authorizer, pdf_pool) if settings.worker_in_process else None
    # The document describes the API, not itself (its route would otherwise appear as a string).
    openapi_router = Router(
        path="/api/v1/schema", route_handlers=[], opt=authenticated(), include_in_schema=False
    )
    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            create_static_files_router(path="/static", directories=[STATIC_DIR], opt=public(), name="static"),
        ],
        dependencies=DEPENDENCIES,
        guards=[authorize],
        middleware=[AuthenticationMiddleware()],
        exception_handlers={Exception: handle_error},
        after_exception=[record_refusal],
        before_request=_before_request,
        after_request=i18n.remember_locale,
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(
                template_environment({"payload_of": approvals_services.payload_of})
            )
        ),
        openapi_config=OpenAPIConfig(
            title="Integrity API",
            version=__version__,
            description="Supervision cases, follow-up actions and accountability decisions.",
            render_plugins=[JsonRenderPlugin()],
            openapi_router=openapi_router,
        ),
        response_cache_config=ResponseCacheConfig(),
        state=State({"db": db, "settings": settings, "authorizer": authorizer, "pdf_pool": pdf_pool}),
        on_startup=[warn_if_no_cjk_font, *([worker.start] if worker else [])],
        on_shutdown=[*([worker.stop] if worker else []), db.dispose, *([pdf_pool.close] if own_pool else [])],
        # Uploads are limited while they stream in; evidence files may be this large.
        request_max_body_size=settings.evidence_max_bytes + 1024 * 1024,
        debug=False,
    )
    close_strict_objects(app)
    return app
