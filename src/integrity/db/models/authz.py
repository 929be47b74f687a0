"""Role grants per unit, and the version counter that tells every worker to reload them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from integrity.db.types import UTCDateTime, utcnow


class RoleGrant(SQLModel, table=True):
    """A role held in a unit; it reaches that unit and every unit below it."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_role_grants"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    role: str = Field(max_length=32)
    unit_id: int = Field(foreign_key="units.id", index=True)
    granted_by_id: int | None = Field(default=None, foreign_key="users.id")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuthzState(SQLModel, table=True):
    """One row; `grants_version` changes in the same transaction as any grant or unit-path change."""

    __tablename__ = "authz_state"

    id: int = Field(default=1, primary_key=True)
    grants_version: int = 0
