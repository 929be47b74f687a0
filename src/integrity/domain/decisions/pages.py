"""Server-rendered pages: decisions (draft, decide, announce, appeal), the sanction register, unit figures."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import col, select

from integrity.db.models import Case, CaseSubject, Person
from integrity.domain.approvals.services import may_decide
from integrity.domain.cases.clocks import local_today
from integrity.domain.cases.services import get_case, unit_path_of
from integrity.domain.cases.team import team_candidates
from integrity.domain.decisions import appeals, measures, services, workflow
from integrity.domain.decisions.schemas import (
    AppealIn,
    AppealOutcomeIn,
    DecisionIn,
    DecisionPatch,
    ModifiedMeasureIn,
)
from integrity.domain.users.services import display_names
from integrity.lib.authz import AccessScope
from integrity.lib.authz.declarations import permission
from integrity.lib.authz.guard import refused
from integrity.lib.deps import Access, AuditActor, Db
from integrity.lib.errors import DomainError, InvalidInput
from integrity.lib.flash import with_done
from integrity.lib.forms import FORM, act_then_redirect
from integrity.lib.i18n import N_


class DraftForm(msgspec.Struct):
    case_id: int
    person_id: int
    measure_code: str
    effective_on: date
    reasoning: str = ""
    period_months: str = ""
    csrf_token: str = ""


class EditForm(msgspec.Struct):
    version: int
    measure_code: str
    effective_on: date
    reasoning: str = ""
    period_months: str = ""
    csrf_token: str = ""


class DateForm(msgspec.Struct):
    on: date
    report: str = ""
    grounds: str = ""
    csrf_token: str = ""


class PanelForm(msgspec.Struct):
    user_id: int
    csrf_token: str = ""


class OutcomeForm(msgspec.Struct):
    outcome: str
    reason: str = ""
    measure_code: str = ""
    effective_on: str = ""
    period_months: str = ""
    csrf_token: str = ""


def parse_months(text: str) -> int | None:
    try:
        return int(text) if text.strip() else None
    except ValueError:
        raise InvalidInput(N_("The effect period is a number of months.")) from None


class DecisionPages(Controller):
    path = "/decisions"
    opt = permission("decision", "read")
    include_in_schema = False

    @get("/")
    async def decision_list(self, db: Db, access: Access, status: FromQuery[str] = "") -> Template:
        chosen = status if status in workflow.STATUSES else None
        found = await services.list_decisions(db, access, status=chosen)
        people = dict(
            (
                await db.execute(
                    select(col(Person.id), col(Person.name)).where(
                        col(Person.id).in_({d.person_id for d in found})
                    )
                )
            ).all()
        )
        cases = dict(
            (
                await db.execute(
                    select(col(Case.id), col(Case.number)).where(col(Case.id).in_({d.case_id for d in found}))
                )
            ).all()
        )
        return Template(
            "decisions/list.html",
            context={
                "decisions": found,
                "people": people,
                "cases": cases,
                "status": chosen or "",
                "statuses": workflow.STATUSES,
                "measures": await measures.by_code(db),
            },
        )

    @get("/new", opt=permission("decision", "create"))
    async def new_decision(self, db: Db, access: Access, case_id: FromQuery[int]) -> Template:
        return await self._form(db, access, case_id, {})

    async def _form(
        self,
        db: Db,
        access: AccessScope,
        case_id: int,
        values: dict[str, Any],
        error: str = "",
        status: int = 200,
    ) -> Template:
        case = await get_case(db, access, case_id)
        subjects = await db.execute(
            select(Person)
            .join(CaseSubject, col(CaseSubject.person_id) == col(Person.id))
            .where(col(CaseSubject.case_id) == case_id)
        )
        return Template(
            "decisions/new.html",
            status_code=status,
            context={
                "case": case,
                "subjects": list(subjects.scalars()),
                "measures": await measures.list_measures(db),
                "values": values,
                "error": error,
                "today": local_today(),
            },
        )

    @post("/new", opt=permission("decision", "create"), status_code=200)
    async def draft(
        self, db: Db, access: Access, actor: AuditActor, data: Annotated[DraftForm, FORM]
    ) -> Template | Redirect:
        try:
            body = DecisionIn(
                data.case_id,
                data.person_id,
                data.measure_code,
                data.effective_on,
                data.reasoning.strip(),
                parse_months(data.period_months),
            )
            if not body.reasoning:
                raise InvalidInput(N_("Give the reasoning of the decision."))
            decision = await services.draft(db, access, actor, body)
        except DomainError as exc:
            await db.rollback()
            await refused(exc)
            values = msgspec.structs.asdict(data)
            return await self._form(db, access, data.case_id, values, exc.translated(), exc.status)
        await db.commit()
        return Redirect(with_done(f"/decisions/{decision.id}", "drafted"), status_code=303)

    @get("/{decision_id:int}")
    async def decision_page(self, db: Db, access: Access, decision_id: FromPath[int]) -> Template:
        return await self._page(db, access, decision_id)

    async def _page(
        self,
        db: Db,
        access: AccessScope,
        decision_id: int,
        error: str = "",
        status: int = 200,
        typed: dict[str, Any] | None = None,
    ) -> Template:
        """The decision page; `typed` holds what the user sent in a form that failed, shown again."""
        f = await services.load_decision_file(db, access, decision_id)
        d = f.decision
        case = await get_case(db, access, d.case_id)
        path = await unit_path_of(db, case)
        me = access.principal.user_id
        panels = await appeals.appeals_with_panels(db, f.appeals)
        open_appeal = next(((a, p) for a, p in panels if a.status in workflow.APPEAL_OPEN), None)
        can_staff_panel = open_appeal is not None and access.can("decision", "approve", path)
        people = (
            {d.drafted_by_id, d.approved_by_id or 0}
            | {u for _a, p in panels for u in p}
            | {h.actor_id for h in f.history if h.actor_id}
        )
        return Template(
            "decisions/detail.html",
            status_code=status,
            context={
                "file": f,
                "d": d,
                "case": case,
                "person": await db.get(Person, d.person_id),
                "measure": await measures.get_measure(db, d.measure_code, active=False),
                "names": await display_names(db, people),
                "panels": panels,
                "open_appeal": open_appeal,
                "error": error,
                "can_draft": access.can("decision", "create", path),
                "is_drafter": me == d.drafted_by_id,
                "steps": services.offered(access, d, path),  # the table's rule: what this user may do
                "can_decide": f.pending is not None and await may_decide(db, access, f.pending),
                "can_staff_panel": can_staff_panel,
                "panel_candidates": await team_candidates(db, path) if can_staff_panel else [],
                "on_panel": open_appeal is not None and me in open_appeal[1],
                "measures": await measures.list_measures(db),
                "today": local_today(),
                "wf": workflow,
                "typed": typed or {},
            },
        )

    async def _then_back(
        self, db: Db, access: AccessScope, decision_id: int, action: Awaitable[Any], done: str = "saved"
    ) -> Template | Redirect:
        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, decision_id, error, status)

        return await act_then_redirect(db, action, f"/decisions/{decision_id}", show_again, done)

    @post("/{decision_id:int}/edit", opt=permission("decision", "create"), status_code=200)
    async def edit(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: Annotated[EditForm, FORM],
    ) -> Template | Redirect:
        """The drafter changes a draft or a returned decision (then submits it again)."""

        async def change() -> None:
            if not data.reasoning.strip():
                raise InvalidInput(N_("Give the reasoning of the decision."))
            patch = DecisionPatch(
                data.version,
                data.measure_code,
                data.effective_on,
                data.reasoning.strip(),
                parse_months(data.period_months),
            )
            await services.edit(db, access, actor, decision_id, patch)

        async def show_again(error: str, status: int) -> Template:
            return await self._page(db, access, decision_id, error, status, msgspec.structs.asdict(data))

        return await act_then_redirect(db, change(), f"/decisions/{decision_id}", show_again, "changed")

    @post("/{decision_id:int}/submit", opt=permission("decision", "create"), status_code=200)
    async def submit(
        self, db: Db, access: Access, actor: AuditActor, decision_id: FromPath[int]
    ) -> Template | Redirect:
        submit = services.submit(db, access, actor, decision_id)
        return await self._then_back(db, access, decision_id, submit, "submitted")

    @post("/{decision_id:int}/announce", opt=permission("decision", "create"), status_code=200)
    async def announce(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: Annotated[DateForm, FORM],
    ) -> Template | Redirect:
        return await self._then_back(
            db, access, decision_id, services.announce(db, access, actor, decision_id, data.on), "announced"
        )

    @post("/{decision_id:int}/execution", opt=permission("decision", "create"), status_code=200)
    async def execution(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: Annotated[DateForm, FORM],
    ) -> Template | Redirect:
        action = services.report_execution(db, access, actor, decision_id, data.on, data.report)
        return await self._then_back(db, access, decision_id, action, "executed")

    @post("/{decision_id:int}/appeals", opt=permission("decision", "create"), status_code=200)
    async def file_appeal(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        data: Annotated[DateForm, FORM],
    ) -> Template | Redirect:
        async def file() -> None:
            if not data.grounds.strip():
                raise InvalidInput(N_("Give the grounds of the appeal."))
            await appeals.file_appeal(db, access, actor, decision_id, AppealIn(data.on, data.grounds))

        return await self._then_back(db, access, decision_id, file(), "appeal")

    @post(
        "/{decision_id:int}/appeals/{appeal_id:int}/panel",
        opt=permission("decision", "approve"),
        status_code=200,
    )
    async def panel(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        appeal_id: FromPath[int],
        data: Annotated[PanelForm, FORM],
    ) -> Template | Redirect:
        return await self._then_back(
            db, access, decision_id, appeals.assign_panel(db, access, actor, appeal_id, data.user_id), "panel"
        )

    @post("/{decision_id:int}/appeals/{appeal_id:int}/outcome", status_code=200)
    async def outcome(
        self,
        db: Db,
        access: Access,
        actor: AuditActor,
        decision_id: FromPath[int],
        appeal_id: FromPath[int],
        data: Annotated[OutcomeForm, FORM],
    ) -> Template | Redirect:
        async def decide() -> None:
            if data.outcome not in workflow.OUTCOMES:
                raise InvalidInput(N_("Choose an outcome."))
            new = None
            if data.outcome == workflow.MODIFIED:
                try:
                    effective = date.fromisoformat(data.effective_on)
                except ValueError:
                    raise InvalidInput(N_("Give the new decision's effective date.")) from None
                new = ModifiedMeasureIn(data.measure_code, effective, parse_months(data.period_months))
            body = AppealOutcomeIn(data.outcome, data.reason, new)  # type: ignore[arg-type]
            await appeals.decide_appeal(db, access, actor, appeal_id, body)

        return await self._then_back(db, access, decision_id, decide(), "recorded")
