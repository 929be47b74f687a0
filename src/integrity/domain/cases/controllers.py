"""API for cases: register, list, read, move through the lifecycle, staff, recuse."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlmodel import col, select

from integrity.db.models import CaseAssignment, CaseClock, CaseSubject, CaseTransition, Person
from integrity.domain.cases import clocks, services
from integrity.domain.cases.schemas import (
    AssignmentIn,
    CaseDetail,
    CaseIn,
    CaseOut,
    ClockOut,
    RecusalIn,
    TeamMemberOut,
    TransitionIn,
    TransitionOut,
)
from integrity.domain.org.schemas import PersonOut
from integrity.lib.authz.declarations import permission
from integrity.lib.deps import Access, AppSettings, AuditActor, Db
from integrity.lib.pagination import Page


class CaseController(Controller):
    path = "/api/v1/cases"
    opt = permission("case", "read")
    tags = ["cases"]

    @get("/")
    async def list_cases(
        self,
        db: Db,
        access: Access,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        status: FromQuery[str | None] = None,
        clock: FromQuery[str | None] = None,
    ) -> Page[CaseOut]:
        page = await services.list_cases(db, access, cursor, limit, status, clock)
        return Page([CaseOut.of(c) for c in page.items], page.next_cursor)

    @get("/count")
    async def count_cases(self, db: Db, access: Access) -> dict[str, int]:
        return {"count": await services.count_cases(db, access)}

    @post("/", opt=permission("case", "create"))
    async def register_case(
        self, db: Db, access: Access, actor: AuditActor, settings: AppSettings, data: JSONBody[CaseIn]
    ) -> CaseOut:
        case = await services.register_case(db, settings, access, actor, data)
        await db.commit()
        return CaseOut.of(case)

    @get("/{case_id:int}")
    async def get_case(self, db: Db, access: Access, case_id: FromPath[int]) -> CaseDetail:
        case = await services.get_case(db, access, case_id)
        subjects = (
            (
                await db.execute(
                    select(Person)
                    .join(CaseSubject, col(CaseSubject.person_id) == col(Person.id))
                    .where(col(CaseSubject.case_id) == case_id)
                    .order_by(col(Person.id))
                )
            )
            .scalars()
            .all()
        )
        team = (
            (
                await db.execute(
                    select(CaseAssignment)
                    .where(col(CaseAssignment.case_id) == case_id)
                    .order_by(col(CaseAssignment.id))
                )
            )
            .scalars()
            .all()
        )
        history = (
            (
                await db.execute(
                    select(CaseTransition)
                    .where(col(CaseTransition.case_id) == case_id)
                    .order_by(col(CaseTransition.id))
                )
            )
            .scalars()
            .all()
        )
        path = await services.unit_path_of(db, case)
        today, cal = clocks.local_today(), await clocks.work_calendar(db)
        case_clocks = (
            (
                await db.execute(
                    select(CaseClock).where(col(CaseClock.case_id) == case_id).order_by(col(CaseClock.id))
                )
            )
            .scalars()
            .all()
        )
        views = [clocks.judge(c, today, cal) for c in case_clocks]
        return CaseDetail(
            CaseOut.of(case),
            [PersonOut.of(p) for p in subjects],
            [TeamMemberOut.of(a) for a in team],
            [TransitionOut.of(t) for t in history],
            [
                ClockOut(v.rule_code, v.started_on, v.due_on, v.met_on, v.state, v.working_days_left)
                for v in views
            ],
            services.allowed_transitions(access, case, path),
        )

    @post("/{case_id:int}/transitions", status_code=200)
    async def transition(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[TransitionIn]
    ) -> CaseOut:
        case = await services.apply_transition(db, access, actor, case_id, data)
        await db.commit()
        return CaseOut.of(case)

    @post("/{case_id:int}/assignments", opt=permission("case", "update"))
    async def assign(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[AssignmentIn]
    ) -> TeamMemberOut:
        assignment = await services.assign(db, access, actor, case_id, data.user_id, data.team)
        await db.commit()
        return TeamMemberOut.of(assignment)

    @post("/{case_id:int}/recusal", status_code=204)
    async def recuse(
        self, db: Db, access: Access, actor: AuditActor, case_id: FromPath[int], data: JSONBody[RecusalIn]
    ) -> None:
        await services.recuse(db, access, actor, case_id, data.reason)
        await db.commit()
