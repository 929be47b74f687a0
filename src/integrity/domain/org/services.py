"""Units, persons and relations: queries scoped to what the caller may see, writes with audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import Person, Relation, RoleGrant, Unit, User
from integrity.db.models.org import RELATION_KINDS
from integrity.domain.org.schemas import UNIT_KINDS, PersonIn, PersonPatch, UnitIn
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, NotFound, one_of
from integrity.lib.i18n import N_, local_name
from integrity.lib.pagination import Page, fetch_page

UNIT_FIELDS = ("parent_id", "path", "code", "name", "name_en", "kind", "active")
PERSON_FIELDS = (
    "unit_id",
    "name",
    "name_en",
    "employee_no",
    "position",
    "cadre_level",
    "party_member",
)


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, object]:
    return {f: getattr(obj, f) for f in fields}


async def visible_unit(
    session: AsyncSession,
    access: AccessScope | None,
    unit_id: int,
    obj: str = "unit",
    act: str = "read",
) -> Unit:
    """A unit the caller may (obj, act) in, or 404 — never a hint that it exists."""
    unit = await session.get(Unit, unit_id)
    if unit is None or (access is not None and not access.can(obj, act, unit.path)):
        raise NotFound(N_("No such unit."))
    return unit


async def require_in_unit(
    session: AsyncSession, access: AccessScope | None, unit_id: int, obj: str, act: str
) -> Unit:
    """404 when the unit is out of sight, 403 when visible but the action is not allowed there."""
    unit = await session.get(Unit, unit_id)
    if unit is None or (access is not None and not access.can("unit", "read", unit.path)):
        raise NotFound(N_("No such unit."))
    if access is not None and not access.can(obj, act, unit.path):
        raise Forbidden(N_("Your roles do not allow this in this unit."))
    if act == "create" and not unit.active:
        raise Conflict(N_("This unit is deactivated; nothing new can be created in it."))
    return unit


async def create_unit(
    session: AsyncSession,
    actor: Actor,
    data: UnitIn | None,
    *,
    access: AccessScope | None,
    root: dict[str, str] | None = None,
) -> Unit:
    """Add a unit under a parent (or the root, from the command line only)."""
    if data is not None:
        if data.kind not in UNIT_KINDS:
            raise one_of("kind", UNIT_KINDS)
        parent = await require_in_unit(session, access, data.parent_id, "unit", "create")
        values = {
            "parent_id": parent.id,
            "code": data.code,
            "name": data.name,
            "name_en": data.name_en,
            "kind": data.kind,
        }
        prefix = parent.path
    else:
        if access is not None or root is None:
            raise Forbidden(N_("Only the command line creates a root unit."))
        values = {"parent_id": None, **root}
        prefix = "/"
    unit = Unit(path=f"/pending-{uuid.uuid4().hex}/", **values)  # type: ignore[arg-type]
    session.add(unit)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            N_("A unit with code '%(code)s' already exists."), params={"code": values["code"]}
        ) from exc
    unit.path = f"{prefix}{unit.id}/"
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry("unit.create", "unit", unit.id or "", unit.id, after=snapshot(unit, UNIT_FIELDS)),
    )
    return unit


async def units_where(session: AsyncSession, access: AccessScope, obj: str, act: str) -> list[Unit]:
    """Every unit where the user may (obj, act), in tree order: for a page's choice of unit."""
    rows = await session.execute(
        select(Unit).where(access.unit_filter(obj, act, col(Unit.path))).order_by(col(Unit.path))
    )
    return list(rows.scalars())


async def list_units(
    session: AsyncSession,
    access: AccessScope,
    cursor: str | None,
    limit: int,
    parent_id: int | None = None,
) -> Page[Unit]:
    stmt = select(Unit).where(access.unit_filter("unit", "read", Unit.path))
    if parent_id is not None:
        stmt = stmt.where(Unit.parent_id == parent_id)  # type: ignore[arg-type]
    return await fetch_page(session, stmt, Unit.id, cursor, limit)


async def create_person(
    session: AsyncSession, actor: Actor, data: PersonIn, *, access: AccessScope | None
) -> Person:
    unit = await require_in_unit(session, access, data.unit_id, "person", "create")
    person = Person(**{f: getattr(data, f) for f in PERSON_FIELDS})
    session.add(person)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            N_("Employee number '%(number)s' is already used."), params={"number": data.employee_no}
        ) from exc
    await record(
        session,
        actor,
        AuditEntry(
            "person.create",
            "person",
            person.id or "",
            unit.id,
            after=snapshot(person, PERSON_FIELDS),
        ),
    )
    return person


async def update_person(
    session: AsyncSession, actor: Actor, person_id: int, patch: PersonPatch, *, access: AccessScope | None
) -> Person:
    """Correct a person's record (HR data changes: a new position, a move, a number); one audit event."""
    person = await session.get(Person, person_id)
    unit = await session.get(Unit, person.unit_id) if person else None
    if person is None or unit is None or (access is not None and not access.can("person", "read", unit.path)):
        raise NotFound(N_("No such person."))
    await require_in_unit(session, access, person.unit_id, "person", "update")
    before = snapshot(person, PERSON_FIELDS)
    if patch.unit_id is not None and patch.unit_id != person.unit_id:
        await require_in_unit(session, access, patch.unit_id, "person", "create")
        person.unit_id = patch.unit_id
    for field in ("name", "name_en", "position", "cadre_level"):
        value = getattr(patch, field)
        if value is not None:
            setattr(person, field, value.strip())
    if patch.party_member is not None:
        person.party_member = patch.party_member
    if not isinstance(patch.employee_no, msgspec.UnsetType):
        person.employee_no = (patch.employee_no or "").strip() or None
    session.add(person)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            N_("Employee number '%(number)s' is already used."), params={"number": person.employee_no}
        ) from exc
    after = snapshot(person, PERSON_FIELDS)
    if after != before:
        entry = AuditEntry("person.update", "person", person_id, person.unit_id, before=before, after=after)
        await record(session, actor, entry)
    return person


async def list_persons(
    session: AsyncSession,
    access: AccessScope,
    cursor: str | None,
    limit: int,
    unit_id: int | None = None,
) -> Page[Person]:
    stmt = (
        select(Person)
        .join(Unit, Unit.id == Person.unit_id)  # type: ignore[arg-type]
        .where(access.unit_filter("person", "read", Unit.path))
    )
    if unit_id is not None:
        stmt = stmt.where(Person.unit_id == unit_id)  # type: ignore[arg-type]
    return await fetch_page(session, stmt, Person.id, cursor, limit)


@dataclass(frozen=True)
class PersonChoice:
    """A person as a picker offers them: enough to tell two 王伟 apart."""

    id: int
    name: str
    unit: str
    position: str
    employee_no: str


async def find_persons(
    session: AsyncSession,
    access: AccessScope,
    ids: Sequence[int] = (),
    text: str = "",
    limit: int = 20,
    leave_out: Sequence[int] = (),
) -> list[PersonChoice]:
    """Persons the user may read, by id or by a piece of their name or employee number."""
    stmt = (
        select(Person, Unit)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(access.unit_filter("person", "read", col(Unit.path)))
    )
    if leave_out:
        stmt = stmt.where(col(Person.id).not_in(list(leave_out)))
    if ids:
        stmt = stmt.where(col(Person.id).in_(list(ids)))
    else:
        words = text.strip()
        if not words:
            return []
        pattern = f"%{words}%"
        stmt = stmt.where(
            or_(
                col(Person.name).like(pattern),
                col(Person.name_en).ilike(pattern),
                col(Person.employee_no).ilike(f"{words}%"),
            )
        )
    rows = await session.execute(stmt.order_by(col(Person.name), col(Person.id)).limit(limit))
    return [
        PersonChoice(
            p.id or 0,
            p.name,
            local_name(u.name, u.name_en),
            p.position,
            p.employee_no or "",
        )
        for p, u in rows.all()
    ]


async def get_person(session: AsyncSession, access: AccessScope, person_id: int) -> Person:
    found: Person | None = (
        await session.execute(
            select(Person)
            .join(Unit, Unit.id == Person.unit_id)  # type: ignore[arg-type]
            .where(Person.id == person_id, access.unit_filter("person", "read", Unit.path))  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(N_("No such person."))
    return found


async def declare_relation(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    unit_id: int,
    person_id: int,
    kind: str,
    note: str,
) -> Relation:
    """A user declares a tie to a person; it can only add exclusions, never access."""
    if kind not in RELATION_KINDS:
        raise one_of("kind", RELATION_KINDS)
    if await session.get(Person, person_id) is None:
        raise NotFound(N_("No such person."))
    relation = Relation(user_id=user_id, person_id=person_id, kind=kind, note=note)
    session.add(relation)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(N_("You have already declared a relation to this person.")) from exc
    await record(
        session,
        actor,
        AuditEntry(
            "relation.declare",
            "relation",
            relation.id or "",
            unit_id,
            after={"user_id": user_id, "person_id": person_id, "kind": kind, "note": note},
        ),
    )
    return relation


async def withdraw_relation(
    session: AsyncSession, actor: Actor, user_id: int, unit_id: int, relation_id: int
) -> None:
    """A user withdraws one of their own declared relations; from the next request it excludes nothing."""
    relation = await session.get(Relation, relation_id)
    if relation is None or relation.user_id != user_id:
        raise NotFound(N_("No such relation."))
    before = {
        "user_id": user_id,
        "person_id": relation.person_id,
        "kind": relation.kind,
        "note": relation.note,
    }
    await session.delete(relation)
    await session.flush()
    await record(
        session, actor, AuditEntry("relation.withdraw", "relation", relation_id, unit_id, before=before)
    )


async def person_by_name_or_number(session: AsyncSession, words: str, limit: int = 10) -> list[PersonChoice]:
    """Persons whose full name or employee number is exactly this: enough for anyone to name a tie to
    someone they know, without a directory to browse (the picker of staff with person read is wider)."""
    words = words.strip()
    if len(words) < 2:
        return []
    rows = await session.execute(
        select(Person, Unit)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(or_(col(Person.name) == words, col(Person.employee_no) == words))
        .order_by(col(Person.id))
        .limit(limit)
    )
    return [
        PersonChoice(p.id or 0, p.name, local_name(u.name, u.name_en), p.position, p.employee_no or "")
        for p, u in rows.all()
    ]


async def list_relations(session: AsyncSession, user_id: int) -> list[Relation]:
    return list(
        (
            await session.execute(
                select(Relation).where(Relation.user_id == user_id).order_by(Relation.id)  # type: ignore[arg-type]
            )
        )
        .scalars()
        .all()
    )


def ancestor_paths(unit_path: str) -> list[str]:
    """'/1/4/7/' -> ['/1/', '/1/4/', '/1/4/7/']: the units whose grants reach this one."""
    parts = unit_path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


async def role_holders(session: AsyncSession, unit_path: str, roles: Sequence[str]) -> list[User]:
    """Active users holding one of the roles in a unit that reaches this one, by name."""
    holders = (
        select(col(RoleGrant.user_id))
        .join(Unit, col(Unit.id) == col(RoleGrant.unit_id))
        .where(col(RoleGrant.role).in_(roles), col(Unit.path).in_(ancestor_paths(unit_path)))
    )
    rows = await session.execute(
        select(User)
        .where(col(User.id).in_(holders), col(User.is_active).is_(True))
        .order_by(col(User.display_name), col(User.id))
    )
    return list(rows.scalars())
