"""Cases: register them, and read them within visibility (by id, by number, several at once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import (
    Case,
    CaseAssignment,
    CaseSubject,
    CaseTransition,
    CatalogueItem,
    Person,
    Relation,
    Unit,
)
from integrity.domain.cases import search, workflow
from integrity.domain.cases.numbering import next_case_number
from integrity.domain.cases.schemas import CaseIn
from integrity.domain.cases.visibility import is_conflicted, visible_case_filter
from integrity.domain.cases.workflow import LIFECYCLE, case_snapshot
from integrity.domain.org.services import create_person, require_in_unit
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Forbidden, InvalidInput, NotFound
from integrity.lib.i18n import N_


async def require_catalogue_entry(session: AsyncSession, catalogue: str, code: str) -> None:
    found = await session.get(CatalogueItem, (catalogue, code))
    if found is None or not found.active:
        raise InvalidInput(N_("'%(code)s' is not an active entry of this catalogue."), params={"code": code})


async def catalogue_entries(session: AsyncSession, name: str) -> list[CatalogueItem]:
    """The active entries of a catalogue (sources, categories), in their order: a form's choices."""
    return (await catalogues_entries(session, (name,)))[name]


async def catalogues_entries(session: AsyncSession, names: Sequence[str]) -> dict[str, list[CatalogueItem]]:
    """`catalogue_entries` of several catalogues in one read."""
    rows = await session.execute(
        select(CatalogueItem)
        .where(col(CatalogueItem.catalogue).in_(names), col(CatalogueItem.active).is_(True))
        .order_by(col(CatalogueItem.catalogue), col(CatalogueItem.sort))
    )
    found: dict[str, list[CatalogueItem]] = {name: [] for name in names}
    for item in rows.scalars():
        found[item.catalogue].append(item)
    return found


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
    """A case the user may change: in scope, the table's `edit` step allowed (not closed: 409)."""
    case = await get_case(session, access, case_id)
    path = await unit_path_of(session, case)
    LIFECYCLE.require(LIFECYCLE.by_name["edit"], case.status, lambda act: access.can("case", act, path))
    # Writers of one case take turns from here on (PostgreSQL; SQLite's writers already do): two notes
    # at once would otherwise each rebuild the search terms and collide on them.
    await session.execute(select(col(Case.id)).where(col(Case.id) == case_id).with_for_update())
    return case
