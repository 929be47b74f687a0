"""Many reviewers at once: API tokens for N fresh reviewers, and firing one request from each together."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

from litestar.testing import AsyncTestClient

from integrity.db.engine import create_database
from integrity.db.models import RoleGrant, User
from integrity.domain.users.services import create_token
from integrity.lib.audit import Actor
from integrity.lib.authz import bump_grants_version
from tests.conftest import DemoApp, fresh_app
from tests.support.helpers import unit_id


async def reviewer_tokens(demo_app: DemoApp, n: int, unit_code: str = "HXP") -> list[str]:
    """N active reviewers of the unit, each with an API token (made directly: 50 sign-ins are slow)."""
    unit = await unit_id(demo_app, unit_code)
    db = create_database(demo_app.db.url)
    tokens: list[str] = []
    try:
        async with db.write_session() as session:
            tag = uuid.uuid4().hex[:8]
            for i in range(n):
                user = User(username=f"r{tag}{i}", display_name=f"审核人{i}", unit_id=unit)
                session.add(user)
                await session.flush()
                assert user.id is not None
                session.add(RoleGrant(user_id=user.id, role="reviewer", unit_id=unit))
                issued = await create_token(session, demo_app.settings, Actor.command_line(), user, "race", 1)
                tokens.append(issued.token)
            await bump_grants_version(session)
            await session.commit()
    finally:
        await db.dispose()
    return tokens


async def approve_all_at_once(demo_app: DemoApp, request_id: int, tokens: list[str]) -> Counter[int]:
    """Every reviewer approves the same request concurrently; returns the count of each status code."""
    async with AsyncTestClient(fresh_app(demo_app)) as client:
        gate = asyncio.Event()

        async def approve(token: str) -> Any:
            await gate.wait()
            return await client.post(
                f"/api/v1/approvals/{request_id}/approve",
                json={"comment": "同意"},
                headers={"Authorization": f"Bearer {token}"},
            )

        tasks = [asyncio.create_task(approve(t)) for t in tokens]
        await asyncio.sleep(0)
        gate.set()
        responses = await asyncio.gather(*tasks)
    return Counter(r.status_code for r in responses)
