"""The organisation tree, user accounts, role grants and API tokens."""

from __future__ import annotations

import click
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.cli.common import (
    in_write_transaction,
    settings_or_exit,
    unit_by_code,
    user_by_name,
)
from integrity.db.models import Unit, User
from integrity.lib.audit import Actor

# --- units -----------------------------------------------------------------------------------


@click.group()
def units() -> None:
    """The organisation tree."""


@units.command("create")
@click.option("--code", required=True, help="Unique short code, e.g. HXP-EAST.")
@click.option("--name", required=True, help="Name (Chinese).")
@click.option("--name-en", default="", help="English name.")
@click.option(
    "--kind",
    default="company",
    show_default=True,
    type=click.Choice(["group", "company", "branch", "department", "team"]),
)
@click.option("--parent", "parent_code", default=None, help="Parent unit code; omit for a root unit.")
def units_create(code: str, name: str, name_en: str, kind: str, parent_code: str | None) -> None:
    """Add a unit."""
    from integrity.domain.org.schemas import UnitIn
    from integrity.domain.org.services import create_unit

    async def work(session: AsyncSession) -> Unit:
        if parent_code is None:
            return await create_unit(
                session,
                Actor.command_line(),
                None,
                access=None,
                root={"code": code, "name": name, "name_en": name_en, "kind": kind},
            )
        parent = await unit_by_code(session, parent_code)
        assert parent.id is not None
        return await create_unit(
            session, Actor.command_line(), UnitIn(parent.id, code, name, kind, name_en), access=None
        )

    unit = in_write_transaction(work)
    click.echo(f"unit {unit.id} {unit.path} {unit.code} {unit.name}")


# --- users -----------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Accounts and role grants."""


@users.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--unit", "unit_code", required=True, help="Code of the user's home unit.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--person-id", type=int, default=None, help="Link the account to this person.")
@click.option("--locale", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def users_create(
    username: str,
    display_name: str,
    unit_code: str,
    password: str,
    person_id: int | None,
    locale: str,
) -> None:
    """Create an account."""
    from integrity.domain.users.schemas import UserIn
    from integrity.domain.users.services import create_user

    async def work(session: AsyncSession) -> User:
        unit = await unit_by_code(session, unit_code)
        assert unit.id is not None
        data = UserIn(username, display_name, unit.id, password, person_id, locale)
        return await create_user(session, Actor.command_line(), data, access=None)

    if len(password) < 10:
        raise click.ClickException("a password needs at least 10 characters")
    user = in_write_transaction(work)
    click.echo(f"user {user.id} {user.username}")


@users.command("grant")
@click.argument("username")
@click.argument("role")
@click.option("--unit", "unit_code", required=True, help="The grant reaches this unit and all below it.")
def users_grant(username: str, role: str, unit_code: str) -> None:
    """Grant ROLE to USERNAME in a unit."""
    from integrity.domain.users.schemas import GrantIn
    from integrity.domain.users.services import grant_role

    async def work(session: AsyncSession) -> str:
        user = await user_by_name(session, username)
        unit = await unit_by_code(session, unit_code)
        assert user.id is not None
        assert unit.id is not None
        await grant_role(session, Actor.command_line(), GrantIn(user.id, role, unit.id), access=None)
        return unit.path

    path = in_write_transaction(work)
    click.echo(f"granted {role} to {username} in {unit_code} ({path})")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account and end its sessions."""
    from integrity.domain.users.schemas import UserPatch
    from integrity.domain.users.services import update_user

    async def work(session: AsyncSession) -> None:
        user = await user_by_name(session, username)
        assert user.id is not None
        await update_user(session, Actor.command_line(), user.id, UserPatch(is_active=False), access=None)

    in_write_transaction(work)
    click.echo(f"disabled {username}")


# --- tokens ----------------------------------------------------------------------------------


@click.group()
def tokens() -> None:
    """Personal API tokens."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--days", type=int, default=None, help="Expire after this many days.")
def tokens_create(username: str, name: str, days: int | None) -> None:
    """Create a token for USERNAME and print it once."""
    from integrity.domain.users.services import create_token

    settings = settings_or_exit()

    async def work(session: AsyncSession) -> str:
        user = await user_by_name(session, username)
        return (await create_token(session, settings, Actor.command_line(), user, name, days)).token

    token = in_write_transaction(work)
    click.echo(token)
    click.echo("Store it now: it is not shown again.", err=True)
