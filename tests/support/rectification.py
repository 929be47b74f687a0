"""Arranging rectification items through the API, shared by the rectification and browser tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from integrity.domain.cases.clocks import local_today
from tests.conftest import Client, DemoApp
from tests.support.cases import register
from tests.support.helpers import unit_id, user_id

EVIDENCE = ("整改报告.txt", "已完成公车管理制度修订并组织学习。".encode(), "text/plain")


async def new_item(
    inspector: Client,
    demo_app: DemoApp,
    *,
    rectifier: str = "sun.qiang",
    unit: str = "HXP-EAST",
    due_on: date | None = None,
    case: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An item from a fresh case, for a rectifier of the unit."""
    case = case or await register(inspector, demo_app)
    body = {
        "unit_id": await unit_id(demo_app, unit),
        "case_id": case["id"],
        "requirement": "修订公车使用管理制度，建立派车登记台账",
        "responsible_user_id": await user_id(demo_app, rectifier),
        "due_on": (due_on or local_today() + timedelta(days=30)).isoformat(),
    }
    created = await inspector.write("POST", "/api/v1/rectification/items", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json()["item"])


async def submit_with_evidence(
    rectifier: Client, item: dict[str, Any], description: str = "已整改完毕"
) -> Any:
    uploaded = await rectifier.write(
        "POST", f"/api/v1/rectification/items/{item['id']}/evidence", files={"file": EVIDENCE}
    )
    assert uploaded.status_code == 201, uploaded.text
    return await rectifier.write(
        "POST", f"/api/v1/rectification/items/{item['id']}/submit", json={"description": description}
    )


async def closeout_request(c: Client, item: dict[str, Any]) -> dict[str, Any]:
    got = (await c.get(f"/api/v1/rectification/items/{item['id']}")).json()
    assert got["pending_approval_id"], got
    return {"id": got["pending_approval_id"]}
