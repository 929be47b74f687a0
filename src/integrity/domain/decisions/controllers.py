"""API for the measure catalogue, decisions, appeals and the sanction register."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from integrity.domain.cases.clocks import local_today
from integrity.domain.decisions import appeals, measures, register, services
from integrity.domain.decisions.schemas import (
    AnnounceIn,
    AppealIn,
    AppealOut,
    AppealOutcomeIn,
    DecisionClockOut,
    DecisionFileOut,
    DecisionIn,
    DecisionOut,
    DecisionPatch,
    ExecutionIn,
    MeasureIn,
    MeasureOut,
    PanelIn,
)
from integrity.domain.decisions.workflow import STATUSES
from integrity.lib.authz import AccessScope
from integrity.lib.authz.declarations import authenticated, permission
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import InvalidInput, one_of
from integrity.lib.i18n import N_
from integrity.lib.pagination import QueryId


async def decision_file(db: Db, access: AccessScope, decision_id: int) -> DecisionFileOut:
    f = await services.load_decision_file(db, access, decision_id)
    return DecisionFileOut(
        DecisionOut.of(f.decision),
        [
            DecisionClockOut(c.rule_code, c.started_on, c.due_on, c.met_on, c.state, c.stopped_on)
            for c in f.clocks
        ],
        [AppealOut.of(a, panel) for a, panel in await appeals.appeals_with_panels(db, f.appeals)],
        f.pending.id if f.pending else None,
    )


class MeasureController(Controller):
    path = "/api/v1/measures"
    tags = ["decisions"]

    @get("/", opt=authenticated())
    async def list_measures(self, db: Db, include_inactive: FromQuery[bool] = False) -> list[MeasureOut]:
        """The catalogue of measures (form of supervision 1-4, 0 for any) with their effect periods."""
        return [MeasureOut.of(m) for m in await measures.list_measures(db, include_inactive)]

    @post("/{code:str}", opt=permission("catalogue", "update"))
    async def create_measure(
        self, db: Db, actor: AuditActor, code: FromPath[str], data: JSONBody[MeasureIn]
    ) -> MeasureOut:
        if not code.replace("_", "").isalnum() or len(code) > 32:
            raise InvalidInput(N_("A measure code is up to 32 letters, digits and underscores."))
        measure = await measures.save_measure(db, actor, code, _values(data), create=True)
        await db.commit()
        return MeasureOut.of(measure)

    @put("/{code:str}", opt=permission("catalogue", "update"))
    async def update_measure(
        self, db: Db, actor: AuditActor, code: FromPath[str], data: JSONBody[MeasureIn]
    ) -> MeasureOut:
        measure = await measures.save_measure(db, actor, code, _values(data), create=False)
        await db.commit()
        return MeasureOut.of(measure)


def _values(data: MeasureIn) -> dict[str, object]:
    return {f: getattr(data, f) for f in measures.FIELDS}


class DecisionController(Controller):
    path = "/api/v1/decisions"
    opt = permission("decision", "read")
    tags = ["decisions"]

    @get("/")
    async def list_decisions(
        self,
        db: Db,
        access: Access,
        case_id: QueryId = None,
        person_id: QueryId = None,
        status: Annotated[str | None, Parameter(schema_extra={"enum": list(STATUSES)})] = None,
    ) -> list[DecisionOut]:
        if status is not None and status not in STATUSES:
            raise one_of("status", STATUSES)
        found = await services.list_decisions(db, access, case_id=case_id, person_id=person_id, status=status)
        return [DecisionOut.of(d) for d in found]

    @post("/", opt=permission("decision", "create"))
    async def draft(
        self, db: Db, access: Access, actor: AuditActor, data: JSONBody[DecisionIn]
    ) -> DecisionFileOut:
        decision = await services.draft(db, access, actor, data)
        await db.commit()
        return await decision_file(db, access, decision.id or 0)

    @get("/{decision_id:int}")
    async def get_decision(self, db: Db, access: Access, decision_id: FromPath[int]) -> DecisionFileOut:
        return await decision_file(db, access, decision_id)

    @patch("/{decision_id:int}", opt=permission("decision", "create"))
    async def edit(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: JSONBody[DecisionPatch],
    ) -> DecisionFileOut:
        await services.edit(db, access, actor, decision_id, data)
        await db.commit()
        return await decision_file(db, access, decision_id)

    @post("/{decision_id:int}/submit", opt=permission("decision", "create"))
    async def submit(
        self, db: Db, access: Access, actor: AuditActor, decision_id: FromPath[int]
    ) -> DecisionFileOut:
        """Opens a `decision.approval` request; the drafter can never decide it."""
        await services.submit(db, access, actor, decision_id)
        await db.commit()
        return await decision_file(db, access, decision_id)

    @post("/{decision_id:int}/announce", opt=permission("decision", "create"))
    async def announce(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: JSONBody[AnnounceIn],
    ) -> DecisionFileOut:
        await services.announce(db, access, actor, decision_id, data.announced_on)
        await db.commit()
        return await decision_file(db, access, decision_id)

    @post("/{decision_id:int}/execution", opt=permission("decision", "create"))
    async def report_execution(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: JSONBody[ExecutionIn],
    ) -> DecisionFileOut:
        await services.report_execution(db, access, actor, decision_id, data.reported_on, data.report)
        await db.commit()
        return await decision_file(db, access, decision_id)

    @post("/{decision_id:int}/appeals", opt=permission("decision", "create"))
    async def file_appeal(
        self, db: Db, access: Access, actor: AuditActor, decision_id: FromPath[int], data: JSONBody[AppealIn]
    ) -> DecisionFileOut:
        await appeals.file_appeal(db, access, actor, decision_id, data)
        await db.commit()
        return await decision_file(db, access, decision_id)

    @post("/appeals/{appeal_id:int}/panel", opt=permission("decision", "approve"))
    async def assign_panel(
        self, db: Db, access: Access, actor: AuditActor, appeal_id: FromPath[int], data: JSONBody[PanelIn]
    ) -> AppealOut:
        await appeals.assign_panel(db, access, actor, appeal_id, data.user_id)
        await db.commit()
        appeal, _decision = await appeals.get_appeal(db, access, appeal_id)
        return AppealOut.of(appeal, await appeals.panel_of(db, appeal_id))

    @post("/appeals/{appeal_id:int}/outcome")
    async def decide_appeal(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        appeal_id: FromPath[int],
        data: JSONBody[AppealOutcomeIn],
    ) -> AppealOut:
        """A panel member records upheld, modified (with the new measure, sent for approval) or revoked."""
        appeal = await appeals.decide_appeal(db, access, actor, appeal_id, data)
        await db.commit()
        return AppealOut.of(appeal, await appeals.panel_of(db, appeal_id))


class RegisterController(Controller):
    path = "/api/v1/register"
    opt = permission("decision", "read")
    tags = ["decisions"]

    @get("/persons/{person_id:int}")
    async def person(self, db: Db, access: Access, person_id: FromPath[int]) -> dict[str, object]:
        """Every decision about the person and the restrictions in effect today, with until when."""
        today = local_today()
        found = await register.person_register(db, access, person_id, today)
        return {
            "person_id": person_id,
            "today": today,
            "decisions": [DecisionOut.of(d) for d in found.decisions],
            "active": [
                {"decision_id": d.id, "measure_code": d.measure_code, "until": d.effect_ends_on}
                for d in found.active
            ],
        }

    @get("/units/{unit_id:int}")
    async def unit(
        self, db: Db, access: Access, unit_id: FromPath[int], start: FromQuery[date], end: FromQuery[date]
    ) -> dict[str, object]:
        """Decisions in force effective in [start, end], by form of supervision and by measure."""
        if end < start:
            raise InvalidInput(N_("The end of the period is before its start."))
        stats = await register.unit_statistics(db, access, unit_id, start, end)
        return {
            "unit_id": unit_id,
            "start": start,
            "end": end,
            "total": stats.total,
            "by_form": {str(k): v for k, v in stats.by_form.items()},
            "by_measure": [{"form": f, "measure_code": c, "count": n} for f, c, n in stats.by_measure],
        }
