"""The organisation: units (a tree), persons, and declared relations between users and persons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from integrity.db.types import UTCDateTime, utcnow


class Unit(SQLModel, table=True):
    """A node of the organisation tree; `path` is the ids from the root, e.g. `/1/4/`."""

    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("units.id"), nullable=True, index=True)
    )
    # The trailing slash makes prefix tests exact: `/1/4/` is not a prefix of `/1/45/`.
    path: str = Field(max_length=512, unique=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    kind: str = Field(max_length=32)
    # A deactivated unit keeps its records and history; nothing new is created in it.
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class Person(SQLModel, table=True):
    """Someone who can be the subject of supervision; not necessarily a user."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_unit_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id")
    name: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=200)
    employee_no: str | None = Field(default=None, max_length=64, unique=True)
    position: str = Field(default="", max_length=200)
    cadre_level: str = Field(default="", max_length=64)
    party_member: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


RELATION_KINDS = ("kin", "superior", "subordinate", "colleague", "other")


class Relation(SQLModel, table=True):
    """A tie a user declared to a person; it keeps the user out of that person's cases."""

    __tablename__ = "relations"
    __table_args__ = (UniqueConstraint("user_id", "person_id", name="uq_relations_user_person"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    person_id: int = Field(foreign_key="persons.id", index=True)
    kind: str = Field(max_length=32)
    note: str = Field(default="", max_length=1000)
    declared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
