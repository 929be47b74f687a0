"""A case's team: who may join it (conflict of interest, 查审分离) and stepping away (回避)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import CaseAssignment, CaseSubject, User
from integrity.db.types import utcnow
from integrity.domain.cases.schemas import TEAMS
from integrity.domain.cases.services import editable_case, get_case, related_person_ids, unit_path_of
from integrity.domain.org.services import role_holders
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, InvalidInput, one_of
from integrity.lib.i18n import N_

# Roles whose holders can work on a case, and so may be put on its team.
STAFF_ROLES = ("inspector", "reviewer")


async def team_candidates(session: AsyncSession, unit_path: str) -> list[User]:
    """Active users holding a staff role that reaches the unit, by name."""
    return await role_holders(session, unit_path, STAFF_ROLES)


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
