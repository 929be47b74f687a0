"""Cases: register, read within visibility, move through the transition table, staff and recuse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseSubject,
    CaseTransition,
    CatalogueItem,
    Decision,
    Person,
    Relation,
    Unit,
    User,
)
from integrity.db.types import utcnow
from integrity.domain.approvals.services import open_request
from integrity.domain.cases import clocks, search, workflow
from integrity.domain.cases.numbering import next_case_number
from integrity.domain.cases.schemas import TEAMS, CaseIn, TransitionIn
from integrity.domain.cases.visibility import is_conflicted, visible_case_filter
from integrity.domain.decisions import workflow as decision_workflow
from integrity.domain.org.services import create_person, require_in_unit, role_holders
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, one_of
from integrity.lib.i18n import N_
from integrity.lib.pagination import Page, fetch_row_page

CASE_FIELDS = (
    "number",
    "unit_id",
    "source",
    "category",
    "title",
    "summary",
    "status",
    "disposal",
    "confidential",
    "received_on",
)


CASE_COLUMNS = tuple(Case.__table__.columns)  # type: ignore[attr-defined]


def case_snapshot(case: Case) -> dict[str, object]:
    return {f: str(getattr(case, f)) if f == "received_on" else getattr(case, f) for f in CASE_FIELDS}


async def require_catalogue_entry(session: AsyncSession, catalogue: str, code: str) -> None:
    found = await session.get(CatalogueItem, (catalogue, code))
    if found is None or not found.active:
        raise InvalidInput(N_("'%(code)s' is not an active entry of this catalogue."), params={"code": code})


async def related_person_ids(session: AsyncSession, user_id: int) -> set[int]:
    rows = await session.execute(select(col(Relation.person_id)).where(col(Relation.user_id) == user_id))
    return set(rows.scalars())


async def register_case(
    session: AsyncSession, settings: Settings, access: AccessScope, actor: Actor, data: CaseIn
) -> Case:
    """Log a lead: number it, record its subjects, put the registering inspector on its team."""
    unit = await require_in_unit(session, access, data.unit_id, "case", "create")
    await require_catalogue_entry(session, "case_source", data.source)
    await require_catalogue_entry(session, "case_category", data.category)
    subject_ids = set(data.subject_ids)
    if subject_ids:
        found = set(
            (await session.execute(select(col(Person.id)).where(col(Person.id).in_(subject_ids)))).scalars()
        )
        if found != subject_ids:
            raise InvalidInput(
                N_("Unknown person ids: %(ids)s."),
                params={"ids": ", ".join(map(str, sorted(subject_ids - found)))},
            )
    if is_conflicted(access, subject_ids, await related_person_ids(session, access.principal.user_id)):
        raise Forbidden(
            N_("You cannot register a case about yourself or a person you declared a relation to.")
        )
    for person in data.new_subjects:
        created = await create_person(session, actor, person, access=access)
        assert created.id is not None
        subject_ids.add(created.id)
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    case = Case(
        number=await next_case_number(session, unit.path, settings.case_number_prefix, today),
        unit_id=data.unit_id,
        source=data.source,
        category=data.category,
        title=data.title,
        summary=data.summary,
        status=workflow.REGISTERED,
        confidential=data.confidential,
        received_on=data.received_on,
        created_by_id=access.principal.user_id,
    )
    session.add(case)
    await session.flush()
    assert case.id is not None
    session.add_all([CaseSubject(case_id=case.id, person_id=pid) for pid in sorted(subject_ids)])
    session.add(
        CaseAssignment(
            case_id=case.id,
            user_id=access.principal.user_id,
            team="inspector",
            assigned_by_id=access.principal.user_id,
        )
    )
    session.add(
        CaseTransition(
            case_id=case.id,
            transition="register",
            from_status="",
            to_status=workflow.REGISTERED,
            actor_id=actor.user_id,
        )
    )
    await session.flush()
    await search.reindex(session, case.id)
    await record(
        session,
        actor,
        AuditEntry(
            "case.register",
            "case",
            case.id,
            case.unit_id,
            after={**case_snapshot(case), "subjects": sorted(subject_ids)},
        ),
    )
    return case


async def get_case(session: AsyncSession, access: AccessScope, case_id: int) -> Case:
    """A case the user may see, or 404 whether it exists or not."""
    case: Case | None = (
        await session.execute(select(Case).where(col(Case.id) == case_id, visible_case_filter(access)))
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(N_("No such case."))
    return case


CLOCK_FILTERS = ("overdue", "due_soon")


@dataclass(frozen=True)
class CaseFilters:
    """What a case list can be narrowed by; every field is optional."""

    status: str | None = None
    clock: str | None = None
    query: str | None = None
    unit_id: int | None = None
    descendants: bool = True  # with unit_id: that unit and everything below it
    category: str | None = None
    source: str | None = None
    assignee_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    confidential: bool | None = None


async def _filtered(session: AsyncSession, stmt: Any, f: CaseFilters) -> Any:
    equal = {"status": f.status, "category": f.category, "source": f.source, "confidential": f.confidential}
    for field, value in equal.items():
        if value not in (None, ""):  # an empty form field means "any"
            stmt = stmt.where(getattr(Case, field) == value)
    if f.received_from:
        stmt = stmt.where(col(Case.received_on) >= f.received_from)
    if f.received_to:
        stmt = stmt.where(col(Case.received_on) <= f.received_to)
    if f.unit_id is not None:
        if f.descendants:
            root = await session.get(Unit, f.unit_id)
            path = root.path if root else "/none/"
            stmt = stmt.where(
                exists().where(
                    col(Unit.id) == col(Case.unit_id), col(Unit.path).startswith(path, autoescape=True)
                )
            )
        else:
            stmt = stmt.where(col(Case.unit_id) == f.unit_id)
    if f.assignee_id is not None:
        stmt = stmt.where(
            exists().where(
                col(CaseAssignment.case_id) == col(Case.id),
                col(CaseAssignment.user_id) == f.assignee_id,
                col(CaseAssignment.recused_at).is_(None),
            )
        )
    if f.query:
        clause = await search.matches(session, f.query)
        if clause is None:
            raise InvalidInput(N_("The search text has nothing to search for."))
        stmt = stmt.where(clause)
    if f.clock:
        if f.clock not in CLOCK_FILTERS:
            raise one_of("clock", CLOCK_FILTERS)
        today = clocks.local_today()
        running = select(col(CaseClock.case_id)).where(col(CaseClock.met_on).is_(None))
        if f.clock == "overdue":
            running = running.where(col(CaseClock.due_on) < today)
        else:
            bound = await clocks.due_soon_bound(session, today)
            running = running.where(col(CaseClock.due_on) >= today, col(CaseClock.due_on) <= bound)
        stmt = stmt.where(col(Case.id).in_(running))
    return stmt


async def list_cases(
    session: AsyncSession,
    access: AccessScope,
    cursor: str | None,
    limit: int,
    filters: CaseFilters | None = None,
) -> Page[Any]:
    """Visible cases matching the filters, one keyset page at a time (stable order: by id).

    The items are rows with the case's columns as attributes (read-only views of a list, which skip
    the ORM's per-object cost: a third of the request on a page of 50).
    """
    stmt = select(*CASE_COLUMNS).where(visible_case_filter(access))
    stmt = await _filtered(session, stmt, filters or CaseFilters())
    return await fetch_row_page(session, stmt, Case.id, cursor, limit)


async def filtered_cases(
    session: AsyncSession, access: AccessScope, filters: CaseFilters, limit: int
) -> list[Case]:
    """All visible cases matching the filters (up to `limit`), in id order: for exports."""
    stmt = await _filtered(session, select(Case).where(visible_case_filter(access)), filters)
    return list((await session.execute(stmt.order_by(col(Case.id)).limit(limit))).scalars().all())


async def count_cases(session: AsyncSession, access: AccessScope, filters: CaseFilters | None = None) -> int:
    """How many cases the list would list with the same filters."""
    stmt = await _filtered(
        session, select(col(Case.id)).where(visible_case_filter(access)), filters or CaseFilters()
    )
    return int((await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one())


async def visible_cases(session: AsyncSession, access: AccessScope, case_ids: set[int]) -> dict[int, Case]:
    """Several cases by id in one query, those the user may see only."""
    if not case_ids:
        return {}
    rows = await session.execute(select(Case).where(col(Case.id).in_(case_ids), visible_case_filter(access)))
    return {c.id: c for c in rows.scalars() if c.id is not None}


async def unit_path_of(session: AsyncSession, case: Case) -> str:
    unit = await session.get(Unit, case.unit_id)
    assert unit is not None
    return unit.path


@dataclass(frozen=True)
class CaseFacts:
    """What the transition rule needs to know beyond the case row and the user's roles."""

    my_teams: frozenset[str] = frozenset()  # the teams of the case the user is on (not recused)
    decisions_in_force: int = 0  # approved, announced or executed decisions on the case


def transition_refusal(
    access: AccessScope, case: Case, unit_path: str, spec: workflow.Transition, facts: CaseFacts
) -> DomainError | None:
    """Why this user may not make this transition now, or None: the one rule for the API and the buttons."""
    if spec.source != case.status:
        return Conflict(N_("This step is not possible in the case's current status."))
    if not access.can("case", spec.action, unit_path):
        return Forbidden(N_("Your roles do not allow this step on this case."))
    if spec.team is not None and spec.team not in facts.my_teams:
        return Forbidden(N_("Only the hearing panel may conclude the hearing or send the case back."))
    if spec.needs_decision and facts.decisions_in_force == 0:
        return Conflict(N_("A case is decided only with an approved accountability decision on it."))
    return None


async def case_facts(session: AsyncSession, access: AccessScope, case_id: int) -> CaseFacts:
    """The facts transition_refusal needs, in one query."""
    in_force = (
        select(func.count())
        .select_from(Decision)
        .where(col(Decision.case_id) == case_id, col(Decision.status).in_(decision_workflow.IN_FORCE))
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            select(col(CaseAssignment.team), in_force)
            .select_from(Case)
            .outerjoin(
                CaseAssignment,
                (col(CaseAssignment.case_id) == col(Case.id))
                & (col(CaseAssignment.user_id) == access.principal.user_id)
                & col(CaseAssignment.recused_at).is_(None),
            )
            .where(col(Case.id) == case_id)
        )
    ).all()
    return CaseFacts(frozenset(r[0] for r in rows if r[0]), int(rows[0][1]) if rows else 0)


def allowed_transitions(access: AccessScope, case: Case, unit_path: str, facts: CaseFacts) -> list[str]:
    """What this user may press now: the table's transitions from this status that the rule allows."""
    return [
        t.name
        for t in workflow.available_from(case.status)
        if transition_refusal(access, case, unit_path, t, facts) is None
    ]


async def move(
    session: AsyncSession,
    case: Case,
    *,
    to: str,
    transition: str,
    actor: Actor,
    reason: str,
    expected_version: int,
    approval_id: int | None = None,
    disposal: str | None = None,
) -> None:
    """Change status with an optimistic version check; history row and audit event in the same transaction."""
    before = case_snapshot(case)
    values: dict[str, object] = {"status": to, "version": expected_version + 1, "updated_at": utcnow()}
    if disposal is not None:
        values["disposal"] = disposal
    changed = await session.execute(
        update(Case).where(col(Case.id) == case.id, col(Case.version) == expected_version).values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            N_("The case was changed by someone else; reload it and try again."), current_version=case.version
        )
    await session.refresh(case)
    assert case.id is not None
    await clocks.on_status_change(session, case.id, to, clocks.local_today())
    session.add(
        CaseTransition(
            case_id=case.id,
            transition=transition,
            from_status=str(before["status"]),
            to_status=to,
            actor_id=actor.user_id,
            reason=reason,
            approval_id=approval_id,
        )
    )
    await record(
        session,
        actor,
        AuditEntry(
            "case.transition",
            "case",
            case.id,
            case.unit_id,
            before=before,
            after=case_snapshot(case),
            extra={"transition": transition, "reason": reason},
        ),
    )


async def _check_hearing_panel(session: AsyncSession, case_id: int) -> None:
    """查审分离: a hearing needs a panel, and nobody on it investigated the case."""
    rows = (
        await session.execute(
            select(col(CaseAssignment.user_id), col(CaseAssignment.team)).where(
                col(CaseAssignment.case_id) == case_id,
                col(CaseAssignment.recused_at).is_(None),
            )
        )
    ).all()
    panel = {u for u, team in rows if team == "hearing"}
    investigators = {u for u, team in rows if team == "investigation"}
    if not panel:
        raise InvalidInput(N_("Assign a hearing panel before the hearing starts."))
    if panel & investigators:
        raise InvalidInput(N_("Investigation and hearing must be done by different people."))


async def apply_transition(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, data: TransitionIn
) -> Case:
    """The one way a case changes status: through a row of the transition table."""
    case = await get_case(session, access, case_id)
    spec = workflow.BY_NAME.get(data.transition)
    if spec is None:
        raise InvalidInput(N_("No such step in the case lifecycle."))
    assert case.id is not None
    refusal = transition_refusal(
        access, case, await unit_path_of(session, case), spec, await case_facts(session, access, case.id)
    )
    if refusal is not None:
        raise refusal
    if "reason" in spec.requires and not data.reason.strip():
        raise InvalidInput(N_("A reason is required."))
    if "disposal" in spec.requires and data.disposal not in workflow.DISPOSALS:
        raise one_of("disposal", workflow.DISPOSALS)
    if spec.target == workflow.HEARING:
        await _check_hearing_panel(session, case.id)
    approval_id = None
    if spec.approval:
        payload = {"transition": spec.name, "reason": data.reason}
        if data.disposal:
            payload["disposal"] = data.disposal
        request = await open_request(
            session, actor, kind=spec.approval, object_id=case.id, unit_id=case.unit_id, payload=payload
        )
        approval_id = request.id
    await move(
        session,
        case,
        to=spec.target,
        transition=spec.name,
        actor=actor,
        reason=data.reason,
        expected_version=data.version,
        approval_id=approval_id,
    )
    return case


# Roles whose holders can work on a case, and so may be put on its team.
STAFF_ROLES = ("inspector", "reviewer")


async def team_candidates(session: AsyncSession, unit_path: str) -> list[User]:
    """Active users holding a staff role that reaches the unit, by name."""
    return await role_holders(session, unit_path, STAFF_ROLES)


async def find_by_number(session: AsyncSession, access: AccessScope, number: str) -> Case:
    """A visible case by its case number, or 404 whether it exists or not."""
    case: Case | None = (
        await session.execute(
            select(Case).where(col(Case.number) == number.strip(), visible_case_filter(access))
        )
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(N_("No case with this number that you may see."))
    return case


async def editable_case(session: AsyncSession, access: AccessScope, case_id: int) -> Case:
    """A case the user may change: in scope, with `case:update`, and not closed (409)."""
    case = await get_case(session, access, case_id)
    if not access.can("case", "update", await unit_path_of(session, case)):
        raise Forbidden(N_("Your roles do not allow changing this case."))
    if case.status == workflow.CLOSED:
        raise Conflict(N_("A closed case is read-only; a reviewer can reopen it."))
    # Writers of one case take turns from here on (PostgreSQL; SQLite's writers already do): two notes
    # at once would otherwise each rebuild the search terms and collide on them.
    await session.execute(select(col(Case.id)).where(col(Case.id) == case_id).with_for_update())
    return case


async def assign(
    session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, user_id: int, team: str
) -> CaseAssignment:
    if team not in TEAMS:
        raise one_of("team", TEAMS)
    case = await editable_case(session, access, case_id)
    unit_path = await unit_path_of(session, case)
    user = {u.id: u for u in await team_candidates(session, unit_path)}.get(user_id)
    if user is None:
        raise InvalidInput(N_("Only an active inspector or reviewer of the case's unit can join its team."))
    subjects = set(
        (
            await session.execute(
                select(col(CaseSubject.person_id)).where(col(CaseSubject.case_id) == case_id)
            )
        ).scalars()
    )
    if (user.person_id in subjects) or (subjects & await related_person_ids(session, user_id)):
        raise Forbidden(N_("This user is a subject of the case or declared a relation to one."))
    other = {"hearing": "investigation", "investigation": "hearing"}.get(team)
    if other:
        clash = (
            await session.execute(
                select(col(CaseAssignment.id)).where(
                    col(CaseAssignment.case_id) == case_id,
                    col(CaseAssignment.user_id) == user_id,
                    col(CaseAssignment.team) == other,
                )
            )
        ).first()
        if clash:
            raise Conflict(N_("Investigation and hearing must be done by different people."))
    assignment = CaseAssignment(case_id=case_id, user_id=user_id, team=team, assigned_by_id=actor.user_id)
    session.add(assignment)
    try:
        await session.flush()
    except Exception as exc:  # the unique constraint: already on this team
        raise Conflict(N_("The user is already on this team.")) from exc
    await record(
        session,
        actor,
        AuditEntry("case.assign", "case", case_id, case.unit_id, after={"user_id": user_id, "team": team}),
    )
    return assignment


async def recuse(session: AsyncSession, access: AccessScope, actor: Actor, case_id: int, reason: str) -> None:
    """The user steps away from a case (回避): from now on it is invisible to them."""
    case = await get_case(session, access, case_id)
    user_id = access.principal.user_id
    now = utcnow()
    await session.execute(
        update(CaseAssignment)
        .where(col(CaseAssignment.case_id) == case_id, col(CaseAssignment.user_id) == user_id)
        .values(recused_at=now, recusal_reason=reason)
    )
    session.add(
        CaseAssignment(
            case_id=case_id, user_id=user_id, team="recused", recused_at=now, recusal_reason=reason
        )
    )
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "case.recuse", "case", case_id, case.unit_id, after={"user_id": user_id, "reason": reason}
        ),
    )
