"""Accounts and grants: admins act within the units they administer; every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import msgspec
from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.models import ApiToken, Person, RoleGrant, Unit, User
from integrity.db.types import utcnow
from integrity.domain.accounts.sessions import end_all_sessions
from integrity.domain.org.services import require_in_unit, snapshot
from integrity.domain.users.schemas import LOCALES, GrantIn, UserIn, UserPatch
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import ROLES, AccessScope, bump_grants_version
from integrity.lib.errors import Conflict, NotFound, one_of
from integrity.lib.i18n import N_
from integrity.lib.pagination import Page, fetch_page
from integrity.lib.security.passwords import hash_password
from integrity.lib.security.tokens import keyed_hash, new_api_token

USER_FIELDS = ("username", "display_name", "email", "unit_id", "person_id", "locale", "is_active")


async def create_user(
    session: AsyncSession,
    actor: Actor,
    data: UserIn,
    *,
    access: AccessScope | None,
    must_change_password: bool = False,
) -> User:
    unit = await require_in_unit(session, access, data.unit_id, "user", "create")
    if data.locale not in ("zh", "en"):
        raise one_of("locale", ("zh", "en"))
    if data.person_id is not None:
        await _readable_person(session, access, data.person_id)
    # argon2 is deliberately slow: off the event loop.
    password_hash = await to_thread.run_sync(hash_password, data.password)
    user = User(
        username=data.username,
        display_name=data.display_name,
        unit_id=data.unit_id,
        person_id=data.person_id,
        locale=data.locale,
        email=data.email,
        password_hash=password_hash,
        must_change_password=must_change_password,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(N_("That username, or that person's account, already exists.")) from exc
    await record(
        session,
        actor,
        AuditEntry("user.create", "user", user.id or "", unit.id, after=snapshot(user, USER_FIELDS)),
    )
    return user


async def visible_user(
    session: AsyncSession, access: AccessScope | None, user_id: int, act: str = "read"
) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    await require_in_unit(session, access, user.unit_id, "user", act)
    return user


async def update_user(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    patch: UserPatch,
    *,
    access: AccessScope | None,
) -> User:
    """Change an account's name, email, language, unit, linked person or status; one audit event."""
    user = await visible_user(session, access, user_id, "update")
    before = snapshot(user, USER_FIELDS)
    if patch.display_name is not None:
        user.display_name = patch.display_name.strip()
    if patch.email is not None:
        user.email = patch.email.strip()
    if patch.locale is not None:
        if patch.locale not in LOCALES:
            raise one_of("locale", LOCALES)
        user.locale = patch.locale
    if patch.unit_id is not None and patch.unit_id != user.unit_id:
        await require_in_unit(session, access, patch.unit_id, "user", "create")
        user.unit_id = patch.unit_id
    if not isinstance(patch.person_id, msgspec.UnsetType) and patch.person_id != user.person_id:
        if patch.person_id is not None:
            await _readable_person(session, access, patch.person_id)
        user.person_id = patch.person_id
    if patch.is_active is not None and patch.is_active != user.is_active:
        user.is_active = patch.is_active
        user.disabled_at = None if patch.is_active else utcnow()
        if not patch.is_active:
            await end_all_sessions(session, user_id)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(N_("That person already has an account.")) from exc
    after = snapshot(user, USER_FIELDS)
    if after != before:
        entry = AuditEntry("user.update", "user", user_id, user.unit_id, before=before, after=after)
        await record(session, actor, entry)
    return user


async def _readable_person(session: AsyncSession, access: AccessScope | None, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    unit = await session.get(Unit, person.unit_id) if person else None
    if person is None or unit is None or (access is not None and not access.can("person", "read", unit.path)):
        raise NotFound(N_("No such person."))
    return person


async def set_own_locale(
    session: AsyncSession, actor: Actor, user_id: int, unit_id: int, locale: str
) -> None:
    """The language a user reads in, kept on the account: applied at every sign-in, on every device."""
    if locale not in LOCALES:
        raise one_of("locale", LOCALES)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    if user.locale == locale:
        return
    before = {"locale": user.locale}
    user.locale = locale
    session.add(user)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry("user.locale", "user", user_id, unit_id, before=before, after={"locale": locale}),
    )


async def list_users(
    session: AsyncSession, access: AccessScope, cursor: str | None, limit: int
) -> Page[User]:
    stmt = (
        select(User)
        .join(Unit, Unit.id == User.unit_id)  # type: ignore[arg-type]
        .where(access.unit_filter("user", "read", Unit.path))
    )
    return await fetch_page(session, stmt, User.id, cursor, limit)


async def grant_role(
    session: AsyncSession, actor: Actor, data: GrantIn, *, access: AccessScope | None
) -> RoleGrant:
    if data.role not in ROLES:
        raise one_of("role", ROLES)
    unit = await require_in_unit(session, access, data.unit_id, "grant", "create")
    # Only to a user the granter administers: a company's administrator cannot reach into another's.
    await visible_user(session, access, data.user_id)
    grant = RoleGrant(user_id=data.user_id, role=data.role, unit_id=data.unit_id, granted_by_id=actor.user_id)
    session.add(grant)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(N_("The user already holds this role in this unit.")) from exc
    await bump_grants_version(session)
    await record(
        session,
        actor,
        AuditEntry(
            "grant.create",
            "grant",
            grant.id or "",
            unit.id,
            after={"user_id": data.user_id, "role": data.role, "unit_id": data.unit_id},
        ),
    )
    return grant


async def revoke_grant(
    session: AsyncSession,
    actor: Actor,
    grant_id: int,
    *,
    access: AccessScope | None,
    user_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    """Withdraw a grant; a page passes the user or unit it shows, and a grant of another is not found."""
    grant = await session.get(RoleGrant, grant_id)
    if grant is None or user_id not in (None, grant.user_id) or unit_id not in (None, grant.unit_id):
        raise NotFound(N_("No such grant."))
    await require_in_unit(session, access, grant.unit_id, "grant", "delete")
    if grant.user_id == actor.user_id and grant.role == "admin":
        # Another administrator can; nobody locks the office out of its own administration by a click.
        raise Conflict(N_("You cannot withdraw your own administrator role."))
    before = {"user_id": grant.user_id, "role": grant.role, "unit_id": grant.unit_id}
    await session.delete(grant)
    await session.flush()
    await bump_grants_version(session)
    await record(session, actor, AuditEntry("grant.delete", "grant", grant_id, grant.unit_id, before=before))


async def list_grants(
    session: AsyncSession,
    access: AccessScope,
    cursor: str | None,
    limit: int,
    user_id: int | None = None,
) -> Page[RoleGrant]:
    stmt = (
        select(RoleGrant)
        .join(Unit, Unit.id == RoleGrant.unit_id)  # type: ignore[arg-type]
        .where(access.unit_filter("grant", "read", Unit.path))
    )
    if user_id is not None:
        stmt = stmt.where(RoleGrant.user_id == user_id)  # type: ignore[arg-type]
    return await fetch_page(session, stmt, RoleGrant.id, cursor, limit)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    row: ApiToken


async def create_token(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    user: User,
    name: str,
    expires_in_days: int | None,
) -> IssuedToken:
    """A new personal token; the caller shows `token` once and it is never retrievable again."""
    assert user.id is not None
    token = new_api_token()
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:12],
        token_hash=keyed_hash(settings.secret_key, token),
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(row)
    await session.flush()
    await record(
        session,
        actor,
        AuditEntry(
            "token.create",
            "api_token",
            row.id or "",
            user.unit_id,
            after={
                "user_id": user.id,
                "name": name,
                "prefix": row.prefix,
                "expires_at": row.expires_at.isoformat() if row.expires_at else None,
            },
        ),
    )
    return IssuedToken(token, row)


async def revoke_token(
    session: AsyncSession, actor: Actor, user_id: int, unit_id: int, token_id: int
) -> ApiToken:
    row = await session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound(N_("No such token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        await session.flush()
        await record(
            session,
            actor,
            AuditEntry("token.revoke", "api_token", token_id, unit_id, after={"revoked": True}),
        )
    return row


async def list_tokens(session: AsyncSession, user_id: int) -> list[ApiToken]:
    return list(
        (
            await session.execute(
                select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)  # type: ignore[arg-type]
            )
        )
        .scalars()
        .all()
    )


async def find_user(session: AsyncSession, username: str) -> User | None:
    return (
        await session.execute(select(User).where(func.lower(User.username) == username.strip().lower()))
    ).scalar_one_or_none()


async def display_names(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    """The display name of each of these users, in one query (for pages that name people)."""
    rows = await session.execute(
        select(col(User.id), col(User.display_name)).where(col(User.id).in_(user_ids))
    )
    return {int(user_id or 0): str(name) for user_id, name in rows.all()}


async def end_sessions_of(
    session: AsyncSession, actor: Actor, user_id: int, *, access: AccessScope | None
) -> int:
    """An administrator signs a user out everywhere (a lost phone, a leaver); how many sessions ended."""
    user = await visible_user(session, access, user_id, "update")
    ended = await end_all_sessions(session, user_id)
    await record(
        session, actor, AuditEntry("user.sessions_end", "user", user_id, user.unit_id, extra={"ended": ended})
    )
    return ended
