"""API shapes for users, grants and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from integrity.db.models import ApiToken, RoleGrant, User
from integrity.lib.authz import ROLES
from integrity.lib.text import Name, ShortText, choice

LOCALES = ("zh", "en")

Username = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[a-z0-9._-]+$")]
# Where notifications go by email (empty: in the app only); the user can change it in their settings.
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^(|[^@\s]+@[^@\s]+)$")]


class UserOut(msgspec.Struct):
    id: int
    username: str
    display_name: str
    unit_id: int
    person_id: int | None
    locale: str
    is_active: bool
    email: str
    must_change_password: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        assert user.id is not None
        return cls(
            user.id,
            user.username,
            user.display_name,
            user.unit_id,
            user.person_id,
            user.locale,
            user.is_active,
            user.email,
            user.must_change_password,
        )


class UserIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    display_name: Name
    unit_id: int
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=256)]
    person_id: int | None = None
    locale: Annotated[str, choice(LOCALES)] = "zh"
    email: Email = ""


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; `person_id: null` unlinks the account from its person."""

    is_active: bool | None = None
    display_name: Name | None = None
    email: Email | None = None
    locale: Annotated[str, choice(LOCALES)] | None = None
    unit_id: int | None = None
    person_id: int | msgspec.UnsetType | None = msgspec.UNSET


class PasswordReset(msgspec.Struct):
    """The temporary password, shown this once; the user must choose a new one when signing in."""

    temporary_password: str
    user: UserOut


class GrantOut(msgspec.Struct):
    id: int
    user_id: int
    role: str
    unit_id: int
    granted_at: datetime

    @classmethod
    def of(cls, grant: RoleGrant) -> GrantOut:
        assert grant.id is not None
        return cls(grant.id, grant.user_id, grant.role, grant.unit_id, grant.granted_at)


class GrantIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    role: Annotated[str, choice(ROLES)]
    unit_id: int


class TokenOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        assert token.id is not None
        return cls(
            token.id,
            token.name,
            token.prefix,
            token.created_at,
            token.expires_at,
            token.last_used_at,
            token.revoked_at,
        )


class TokenCreated(msgspec.Struct):
    """The only time the token itself is shown."""

    token: str
    info: TokenOut


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
