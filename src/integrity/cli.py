"""The `integrity` command: database, accounts, audit trail, demo data and the server."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings, get_settings
from integrity.db.engine import Database, create_database
from integrity.db.models import Unit, User
from integrity.domain.approval_kinds import install_all
from integrity.lib.audit import Actor

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run async work against the configured database and close it afterwards."""
    settings = settings_or_exit()

    async def main() -> T:
        db = create_database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def in_write_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction, committed only if `work` succeeds; domain errors become clean messages."""
    from integrity.lib.errors import DomainError

    async def go(db: Database) -> T:
        async with db.write_session() as session:
            try:
                result = await work(session)
            except DomainError as exc:
                raise click.ClickException(exc.detail) from exc
            await session.commit()
            return result

    return run_with_db(go)


async def unit_by_code(session: AsyncSession, code: str) -> Unit:
    unit: Unit | None = (
        await session.execute(select(Unit).where(col(Unit.code) == code))
    ).scalar_one_or_none()
    if unit is None:
        raise click.ClickException(f"no unit with code {code!r}")
    return unit


async def user_by_name(session: AsyncSession, username: str) -> User:
    from integrity.domain.users.services import find_user

    user = await find_user(session, username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


@click.group()
@click.version_option(package_name="integrity")
def main() -> None:
    """Integrity: supervision cases, follow-up actions, decisions and a tamper-evident audit trail."""
    install_all()  # the approvals the demo and the commands make and decide


# --- db ---------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database up (creates it when missing)."""
    from integrity.db.migrate import upgrade

    settings = settings_or_exit()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}: {settings.database_url.split('@')[-1]}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' drops everything)."""
    from integrity.db.migrate import downgrade

    downgrade(settings_or_exit().database_url, revision)
    click.echo(f"database at {revision}")


# --- units ------------------------------------------------------------------------------------


@main.group()
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


# --- users ------------------------------------------------------------------------------------


@main.group()
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


# --- tokens -----------------------------------------------------------------------------------


@main.group()
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


# --- audit ------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The tamper-evident audit trail."""


def _signing_key_path(settings: Settings, given: Path | None) -> Path:
    from integrity.lib.audit.checkpoint import signing_key_path

    return given or signing_key_path(settings.audit_signing_key, settings.data_dir)


@audit.command("keygen")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the private key (default: INTEGRITY_AUDIT_SIGNING_KEY or var/).",
)
def audit_keygen(out: Path | None) -> None:
    """Create an Ed25519 signing key for checkpoints; keep it outside the database server."""
    from integrity.lib.audit.checkpoint import generate_key, public_key_text

    path = _signing_key_path(settings_or_exit(), out)
    if path.exists():
        raise click.ClickException(f"{path} exists; refusing to overwrite a signing key")
    public = generate_key(path)
    click.echo(f"private key: {path}")
    click.echo(f"public key:  {public_key_text(public)}")


@audit.command("checkpoint")
@click.option("--key", type=click.Path(path_type=Path), default=None, help="Private key file.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the checkpoint JSON here (keep a copy off the server).",
)
def audit_checkpoint(key: Path | None, out: Path | None) -> None:
    """Sign the current chain head."""
    from integrity.lib.audit.checkpoint import checkpoint_head, load_private_key

    path = _signing_key_path(settings_or_exit(), key)
    if not path.exists():
        raise click.ClickException(f"no signing key at {path}; run `integrity audit keygen` first")
    private = load_private_key(path)

    async def work(session: AsyncSession) -> str:
        try:
            return (await checkpoint_head(session, private)).to_json()
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc

    text = in_write_transaction(work)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    click.echo(text)


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A saved checkpoint JSON to hold the chain against.",
)
@click.option(
    "--public-key",
    default=None,
    help="Trusted public key (base64 or PEM file) for the checkpoint signature.",
)
def audit_verify(checkpoint_file: Path | None, public_key: str | None) -> None:
    """Walk the whole chain; exit 1 at the first broken link."""
    from integrity.lib.audit.checkpoint import (
        Checkpoint,
        check_against_chain,
        load_public_key,
        signature_valid,
    )
    from integrity.lib.audit.verify import verify_chain

    settings = settings_or_exit()
    checkpoint = Checkpoint(**json.loads(checkpoint_file.read_text())) if checkpoint_file else None

    async def work(db: Database) -> list[str]:
        problems: list[str] = []
        async with db.read_session() as session:
            result = await verify_chain(session)
            click.echo(f"events checked: {result.events}")
            click.echo(f"chain head:     #{result.head_seq} {result.head_hash}")
            if not result.ok:
                problems.append(f"broken at event #{result.broken_at}: {result.reason}")
            if checkpoint is not None:
                trusted_text = public_key or (
                    str(settings.audit_public_key) if settings.audit_public_key else None
                )
                trusted = load_public_key(trusted_text) if trusted_text else None
                if trusted is None:
                    click.echo("checkpoint:     signature not checked (no --public-key given)")
                elif not signature_valid(checkpoint, trusted):
                    problems.append("the checkpoint's signature is not valid for the trusted key")
                else:
                    click.echo(f"checkpoint:     signature valid, signed at {checkpoint.signed_at}")
                found = await check_against_chain(session, checkpoint)
                if found:
                    problems.append(found)
                else:
                    click.echo(f"checkpoint:     event #{checkpoint.seq} present and unchanged")
        return problems

    problems = run_with_db(work)
    for problem in problems:
        click.echo(f"FAILED: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo("OK: the audit trail is intact")


# --- cases ------------------------------------------------------------------------------------


@main.group()
def cases() -> None:
    """Supervision cases."""


@cases.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="The inspector who registers the leads.")
@click.option("--dry-run", is_flag=True, help="Check every row, register nothing.")
def cases_import(workbook: Path, username: str, dry_run: bool) -> None:
    """Register leads from an .xlsx sheet: all rows or none, with a row-by-row report."""
    from integrity.domain.accounts.authentication import offline_access
    from integrity.domain.cases import importing
    from integrity.lib.errors import DomainError
    from integrity.lib.i18n import current_locale, gettext

    settings = settings_or_exit()
    if workbook.stat().st_size > importing.MAX_IMPORT_BYTES:
        raise click.ClickException("the file is larger than 10 MB")
    content = workbook.read_bytes()

    async def go(db: Database) -> importing.ImportReport:
        async with db.write_session() as session:
            try:
                access, actor = await offline_access(session, username, "cli")
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
            current_locale.set(access.principal.locale)
            try:
                sheet = await importing.read_sheet(content)
                with click.progressbar(
                    length=len(sheet.rows), label=gettext("Import leads"), file=sys.stderr
                ) as bar:
                    report = await importing.import_leads(
                        session,
                        settings,
                        access,
                        actor,
                        sheet,
                        filename=workbook.name,
                        dry_run=dry_run,
                        progress=bar.update,
                    )
            except DomainError as exc:
                raise click.ClickException(exc.translated()) from exc
            if report.ok and not dry_run:
                await session.commit()
            else:
                await session.rollback()
            for line in importing.report_rows(report, gettext):
                click.echo(f"{line['row']}\t{line['column']}\t{line['message']}")
            return report

    report = run_with_db(go)
    if not report.ok:
        raise click.ClickException(
            f"{len(report.errors)} problems in {report.rows} rows; nothing was registered"
        )
    if dry_run:
        click.echo(f"{report.rows} rows checked: all correct; nothing registered (dry run)")
    else:
        click.echo(f"registered {len(report.registered)} leads: {', '.join(report.registered)}")


# --- demo and serve ---------------------------------------------------------------------------


@main.command("demo")
@click.option("--password", default=None, help="Password for every demo account.")
def demo(password: str | None) -> None:
    """Load the demo data set (a group company, branches, persons, a user for every role)."""
    from integrity.demo.data import DEMO_PASSWORD, load_demo

    settings = settings_or_exit()
    if settings.env == "production":
        raise click.ClickException("refusing to load demo accounts in production")
    summary = run_with_db(lambda db: load_demo(db, settings, password or DEMO_PASSWORD))
    click.echo(summary)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web service (UI and API)."""
    import uvicorn

    settings_or_exit()
    click.echo(f"Integrity on http://{host}:{port}/  (API: /api/v1, schema: /api/v1/schema/openapi.json)")
    uvicorn.run(
        "integrity.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )
