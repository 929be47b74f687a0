"""Comparing a page's buttons with what the service accepts: the same user, the same object, now."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from integrity.db.engine import Database, create_database
from integrity.demo.cases import access_for
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, DomainError, Forbidden, NotFound
from tests.conftest import Client, DemoApp

# Steps a page offers are forms marked data-step="…" (cases: buttons marked data-transition="…").
_MARKED = re.compile(r'data-(?:step|transition)="([a-z_]+)"')

Attempt = Callable[[AsyncSession, AccessScope, Actor], Awaitable[Any]]


async def offered_on_page(client: Client, url: str) -> set[str]:
    page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return set(_MARKED.findall(page.text))


async def accepted(db: Database, username: str, attempts: dict[str, Attempt]) -> set[str]:
    """The steps the services do not refuse for this user (403, 404, 409), each tried and rolled back.

    A 422 (bad or missing input, such as no evidence yet) is not a refusal of the step: the button is
    right to be there, and the form says what is missing.
    """
    taken = set()
    for step, attempt in attempts.items():
        async with db.write_session() as session:
            access, actor = await access_for(session, username)
            try:
                await attempt(session, access, actor)
            except (Forbidden, Conflict, NotFound):
                pass
            except DomainError:
                taken.add(step)
            else:
                taken.add(step)
            finally:
                await session.rollback()
    return taken


def database(demo_app: DemoApp) -> Database:
    return create_database(demo_app.db.url)
