"""API behaviour: problem+json errors, validation, health, the OpenAPI schema."""

from __future__ import annotations

from tests.conftest import Client, DemoApp, http_client, new_client
from tests.support.helpers import close, unit_id


async def test_health_probes(client: Client) -> None:
    live = await client.get("/health/live")
    assert live.json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


async def test_openapi_schema_needs_sign_in_and_lists_the_api(demo_app: DemoApp) -> None:
    async with http_client(demo_app.app) as anonymous:
        assert (await anonymous.get("/api/v1/schema/openapi.json")).status_code == 401
    signed_in = await new_client(demo_app, "zhang.wei")
    schema = (await signed_in.get("/api/v1/schema/openapi.json")).json()
    assert "/api/v1/units" in schema["paths"]
    assert "/api/v1/audit/events" in schema["paths"]
    await close(signed_in)
    # The document describes the API, not itself; every schema has a name of its own, not a module path
    # (colliding names came out as "decisions_schemas_ClockOut", and a generated client lost some).
    assert not [p for p in schema["paths"] if p.startswith("/api/v1/schema")]
    names = list(schema["components"]["schemas"])
    assert [n for n in names if not n.isidentifier() or "_" in n] == []
    for expected in ("CaseClockOut", "DecisionClockOut", "CaseEvidenceOut", "ItemEvidenceOut", "CasePage"):
        assert expected in names


async def test_bad_input_gets_problem_json_and_changes_nothing(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "admin")
    parent = await unit_id(demo_app, "HXP")
    before = (await c.get("/api/v1/units", params={"limit": 200})).json()["items"]
    cases = [
        ({"parent_id": parent, "code": "X", "name": "新单位", "kind": "planet"}, 422),
        ({"parent_id": parent, "code": "has space", "name": "新单位", "kind": "team"}, 400),
        ({"parent_id": parent, "name": "缺编码", "kind": "team"}, 400),
        ({"parent_id": parent, "code": "Z1", "name": "x", "kind": "team", "surprise": 1}, 400),
        ({"parent_id": parent, "code": "HXP", "name": "重复编码", "kind": "team"}, 409),
        ({"parent_id": 999999, "code": "Z2", "name": "无上级", "kind": "team"}, 404),
    ]
    for body, status in cases:
        response = await c.write("POST", "/api/v1/units", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert {"type", "title", "status", "detail", "instance"} <= problem.keys()
        assert problem["status"] == status
    not_json = await c.write(
        "POST", "/api/v1/units", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    after = (await c.get("/api/v1/units", params={"limit": 200})).json()["items"]
    assert after == before
    await close(c)


async def test_pagination_parameters_are_checked(demo_app: DemoApp) -> None:
    c = await new_client(demo_app, "zhang.wei")
    assert (await c.get("/api/v1/units", params={"cursor": "garbage!"})).status_code == 422
    assert (await c.get("/api/v1/units", params={"limit": 0})).status_code == 422
    assert (await c.get("/api/v1/units", params={"limit": 10_000})).status_code == 422
    await close(c)


async def test_pages_carry_security_headers(client: Client) -> None:
    response = await client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert len(response.headers["x-request-id"]) == 32


async def test_unknown_api_route_is_problem_json(client: Client) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_creating_a_unit_writes_its_audit_event_in_the_same_transaction(demo_app: DemoApp) -> None:
    from tests.support.helpers import audit_events

    c = await new_client(demo_app, "admin")
    parent = await unit_id(demo_app, "HXT")
    created = await c.write(
        "POST",
        "/api/v1/units",
        json={"parent_id": parent, "code": "HXT-API", "name": "接口新建部门", "kind": "department"},
    )
    assert created.status_code == 201, created.text
    events = await audit_events(demo_app, action="unit.create", object_type="unit")
    assert any('"code":"HXT-API"' in e.changes for e in events)
    assert created.json()["path"].endswith(f"/{created.json()['id']}/")
    await close(c)
