"""Small helpers shared by the API tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from tests.conftest import Client, DemoApp, new_client


async def sql(demo_app: DemoApp, statement: str, **params: Any) -> list[Any]:
    """Run SQL against the demo database directly (for arranging and checking state)."""
    async with demo_app.app.state.db.write_session() as session:
        result = await session.execute(text(statement), params)
        rows = list(result.all()) if result.returns_rows else []
        await session.commit()
    return rows


async def unit_id(demo_app: DemoApp, code: str) -> int:
    return int((await sql(demo_app, "SELECT id FROM units WHERE code = :c", c=code))[0][0])


TEST_PASSWORD = "Password-1234"


async def make_user(
    demo_app: DemoApp,
    role: str | None,
    unit_code: str,
    extra_roles: tuple[tuple[str, str], ...] = (),
    **extra: Any,
) -> tuple[str, int]:
    """A fresh account (created by the demo admin through the API) with a role in its unit and any others."""
    admin = await new_client(demo_app, "admin")
    try:
        username = f"t.{uuid.uuid4().hex[:10]}"
        home = await unit_id(demo_app, unit_code)
        body = {
            "username": username,
            "display_name": extra.pop("display_name", username),
            "unit_id": home,
            "password": TEST_PASSWORD,
            **extra,
        }
        created = await admin.write("POST", "/api/v1/users", json=body)
        assert created.status_code == 201, created.text
        user_id = created.json()["id"]
        grants = ([(role, unit_code)] if role else []) + list(extra_roles)
        for grant_role, grant_unit in grants:
            target = await unit_id(demo_app, grant_unit)
            granted = await admin.write(
                "POST", "/api/v1/grants", json={"user_id": user_id, "role": grant_role, "unit_id": target}
            )
            assert granted.status_code == 201, granted.text
        return username, user_id
    finally:
        await close(admin)


async def close(client: Client) -> None:
    await client.inner.__aexit__(None, None, None)


async def audit_events(demo_app: DemoApp, **where: Any) -> list[Any]:
    clause = " AND ".join(f"{k} = :{k}" for k in where) or "1=1"
    return await sql(
        demo_app,
        f"SELECT seq, actor, action, object_type, outcome, changes FROM audit_events "
        f"WHERE {clause} ORDER BY seq",
        **where,
    )


async def person_id(demo_app: DemoApp, employee_no: str) -> int:
    return int((await sql(demo_app, "SELECT id FROM persons WHERE employee_no = :n", n=employee_no))[0][0])


async def user_id(demo_app: DemoApp, username: str) -> int:
    return int((await sql(demo_app, "SELECT id FROM users WHERE username = :u", u=username))[0][0])


async def all_pages(client: Any, url: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a keyset-paginated API list, following `next_cursor` page by page."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {**params, "limit": limit}
        if cursor:
            query["cursor"] = cursor
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return items
