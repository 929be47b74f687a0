"""Default deny: every route declares its rule; public routes are exactly login, health and static."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from integrity.app import create_app
from integrity.lib.authz.declarations import AUTHENTICATED, OPT_KEY, PUBLIC, SIGN_IN_STEP, Permission
from tests.conftest import DemoApp

# The education scan address is public because a member may scan before signing in: it only checks a
# code and leaves a short pass for that event (domain/education/sign_in_pages.py), revealing nothing.
PUBLIC_ALLOWED = ("/login", "/health/", "/static/", "/education/scan/")
# What a session half signed in may reach: the steps of signing in, and signing out.
SIGN_IN_STEPS = ("/account/password", "/account/second-factor", "/login/second-factor", "/logout")


def _generated_options(handler: object) -> bool:
    """Litestar adds an OPTIONS handler to every path; the guard refuses it like any undeclared route."""
    return getattr(handler, "handler_name", "") == "options_handler"


def _handlers(app: Litestar) -> list[tuple[str, object]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not _generated_options(handler):
                found.append((route.path, handler))
    return found


def test_every_route_declares_an_authorization_rule(demo_app: DemoApp) -> None:
    handlers = _handlers(demo_app.app)
    assert len(handlers) > 20
    undeclared, wrongly_public, wrongly_step = [], [], []
    for path, handler in handlers:
        rule = handler.opt.get(OPT_KEY)  # type: ignore[attr-defined]
        if rule is None:
            undeclared.append(path)
        elif rule == PUBLIC and not path.startswith(PUBLIC_ALLOWED):
            wrongly_public.append(path)
        elif rule == SIGN_IN_STEP and not path.startswith(SIGN_IN_STEPS):
            wrongly_step.append(path)
        else:
            assert rule in (PUBLIC, AUTHENTICATED, SIGN_IN_STEP) or isinstance(rule, Permission), (path, rule)
    assert undeclared == [], f"routes without an authorization rule: {undeclared}"
    assert wrongly_public == [], f"public routes beyond login/health/static: {wrongly_public}"
    assert wrongly_step == [], f"routes a half signed-in session reaches beyond its steps: {wrongly_step}"


def test_api_schema_is_not_public(demo_app: DemoApp) -> None:
    schema_rules = [h.opt.get(OPT_KEY) for p, h in _handlers(demo_app.app) if p.startswith("/api/v1/schema")]  # type: ignore[attr-defined]
    assert schema_rules
    assert all(rule == AUTHENTICATED for rule in schema_rules)


async def test_generated_options_handlers_are_refused(client: object) -> None:
    response = await client.options("/org")  # type: ignore[attr-defined]
    assert response.status_code == 403


async def test_a_route_without_a_rule_is_refused(demo_app: DemoApp) -> None:
    """The walk above is backed by the guard itself: an undeclared route answers 403."""

    @get("/api/v1/undeclared", sync_to_thread=False)
    def undeclared() -> str:
        return "should never be served"

    app = create_app(demo_app.settings)
    app.register(undeclared)
    async with AsyncTestClient(app) as client:
        response = await client.get("/api/v1/undeclared")
    assert response.status_code == 403
    assert "should never" not in response.text
    assert "declares no authorization rule" in response.json()["detail"]
