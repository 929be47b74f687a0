"""Probes for orchestrators: live = the process answers; ready = database reachable and migrated."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from integrity.db.migrate import current_revision, head_revision
from integrity.lib.authz.declarations import public


class HealthController(Controller):
    path = "/health"
    opt = public()
    tags = ["health"]

    @get("/live")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready")
    async def ready(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        try:
            current = await current_revision(request.app.state.db.engine)
        except Exception as exc:  # any failure to reach the database means not ready
            return Response({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
        head = head_revision()
        ok = current == head
        body = {"status": "ok" if ok else "migrations pending", "schema": current, "expected": head}
        return Response(body, status_code=200 if ok else 503)
