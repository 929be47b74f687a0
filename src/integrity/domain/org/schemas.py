"""API shapes for units, persons and relations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from integrity.db.models import Person, Relation, Unit
from integrity.db.models.org import RELATION_KINDS
from integrity.lib.text import Name, ShortText, choice

UNIT_KINDS = ("group", "company", "branch", "department", "team")

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class UnitOut(msgspec.Struct):
    id: int
    parent_id: int | None
    path: str
    code: str
    name: str
    name_en: str
    kind: str
    active: bool

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        assert unit.id is not None
        return cls(
            unit.id, unit.parent_id, unit.path, unit.code, unit.name, unit.name_en, unit.kind, unit.active
        )


class UnitIn(msgspec.Struct, forbid_unknown_fields=True):
    parent_id: int
    code: Code
    name: Name
    kind: Annotated[str, choice(UNIT_KINDS)]
    name_en: Annotated[str, msgspec.Meta(max_length=200)] = ""


class UnitPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Rename, move under another parent (the subtree and every grant's reach follow), deactivate."""

    name: Name | None = None
    name_en: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    kind: Annotated[str, choice(UNIT_KINDS)] | None = None
    parent_id: int | None = None
    active: bool | None = None


class PersonOut(msgspec.Struct):
    id: int
    unit_id: int
    name: str
    name_en: str
    employee_no: str | None
    position: str
    cadre_level: str
    party_member: bool

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        assert person.id is not None
        return cls(
            person.id,
            person.unit_id,
            person.name,
            person.name_en,
            person.employee_no,
            person.position,
            person.cadre_level,
            person.party_member,
        )


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    name: ShortText
    name_en: Annotated[str, msgspec.Meta(max_length=200)] = ""
    employee_no: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    position: Annotated[str, msgspec.Meta(max_length=200)] = ""
    cadre_level: Annotated[str, msgspec.Meta(max_length=64)] = ""
    party_member: bool = False


class PersonPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; `employee_no: null` clears the number."""

    unit_id: int | None = None
    name: ShortText | None = None
    name_en: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    employee_no: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType | None = msgspec.UNSET
    position: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    cadre_level: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    party_member: bool | None = None


class RelationOut(msgspec.Struct):
    id: int
    person_id: int
    kind: str
    note: str
    declared_at: datetime

    @classmethod
    def of(cls, relation: Relation) -> RelationOut:
        assert relation.id is not None
        return cls(relation.id, relation.person_id, relation.kind, relation.note, relation.declared_at)


class RelationIn(msgspec.Struct, forbid_unknown_fields=True):
    person_id: int
    kind: Annotated[str, choice(RELATION_KINDS)]
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""
