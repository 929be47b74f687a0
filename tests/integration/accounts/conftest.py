"""The single sign-on tests' OpenID provider (real HTTP on loopback) and the app that trusts it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from litestar import Litestar

from integrity.app import create_app
from integrity.lib.pdf.pool import PdfPool
from tests.conftest import BASE_URL, DemoApp
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, OpenIdProvider, start_provider


@pytest.fixture(scope="session")
def oidc() -> Iterator[OpenIdProvider]:
    yield from start_provider()


@pytest.fixture(scope="session")
async def sso_app(demo_app: DemoApp, oidc: OpenIdProvider, pdf_pool: PdfPool) -> AsyncIterator[Litestar]:
    """An app of its own on the demo database: its settings differ (single sign-on configured, password
    sign-in off), and settings are fixed when an app is made."""
    settings = demo_app.settings.model_copy(
        update={
            "oidc_issuer": oidc.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "base_url": BASE_URL,
            "password_sign_in": False,
        }
    )
    app = create_app(settings, pdf_pool)
    yield app
    await app.state.db.dispose()


@pytest.fixture(scope="session")
async def remembering_app(demo_app: DemoApp, pdf_pool: PdfPool) -> AsyncIterator[Litestar]:
    """An app of its own on the demo database, for the one setting that differs: browsers may be
    remembered for 30 days after a second factor's code (off by default)."""
    settings = demo_app.settings.model_copy(update={"second_factor_remember_days": 30})
    app = create_app(settings, pdf_pool)
    yield app
    await app.state.db.dispose()
