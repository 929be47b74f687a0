"""The clock-rule API: every signed-in user reads the rules; administrators of the root unit change them."""

from __future__ import annotations

from litestar import Controller, get, patch
from litestar.params import FromPath, JSONBody

from integrity.domain.clocks import rules
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import AuditActor, CurrentPrincipal, Db


class ClockRuleController(Controller):
    path = "/api/v1/clock-rules"
    tags = ["clocks"]

    @get("/", opt=authenticated())
    async def list_rules(self, db: Db) -> list[rules.ClockRuleOut]:
        return [rules.ClockRuleOut.of(r) for r in await rules.list_rules(db)]

    # catalogue:update is group-wide: only a grant at the root unit carries it (lib/authz/scope.py).
    @patch("/{code:str}", opt=permission("catalogue", "update"))
    async def update_rule(
        self,
        db: Db,
        actor: AuditActor,
        principal: CurrentPrincipal,
        code: FromPath[str],
        data: JSONBody[rules.ClockRulePatch],
    ) -> rules.ClockRuleOut:
        """Change a rule's length, names or extendability; clocks already running keep their due date."""
        rule = await rules.update_rule(db, actor, principal.unit_id, code, data)
        await db.commit()
        return rules.ClockRuleOut.of(rule)
