"""The `integrity` command: database, accounts, audit trail, demo data and the server."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from integrity.cli.accounts import tokens, units, users
from integrity.cli.audit import audit
from integrity.cli.common import in_write_transaction, run_with_db, settings_or_exit
from integrity.db.engine import Database
from integrity.domain.wiring import install_all


@click.group()
@click.version_option(package_name="integrity")
def main() -> None:
    """Integrity: supervision cases, follow-up actions, decisions and a tamper-evident audit trail."""
    install_all()  # the approvals the demo and the commands make and decide


# --- db --------------------------------------------------------------------------------------


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


# --- cases -----------------------------------------------------------------------------------


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
    from integrity.lib.sheets import MAX_IMPORT_BYTES

    settings = settings_or_exit()
    if workbook.stat().st_size > MAX_IMPORT_BYTES:
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


# --- demo and serve --------------------------------------------------------------------------


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


# --- statistics ------------------------------------------------------------------------------


@main.group()
def statistics() -> None:
    """The case statistics' monthly tallies."""


@statistics.command("recount")
def statistics_recount() -> None:
    """Have the worker count every month again (after changing the time zone, or a new calendar)."""
    from integrity.domain.statistics.tallies import mark_every_month

    months = in_write_transaction(mark_every_month)
    click.echo(f"{months} months marked: the worker counts them again on its next pass")


@main.command("worker")
@click.option("--once", is_flag=True, help="One pass (reminders, fan-out, digests, sending), then exit.")
@click.option(
    "--nice",
    default=10,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower CPU priority by this much.",
)
def worker(once: bool, nice: int) -> None:
    """Run the notification worker alone (for deployments that set INTEGRITY_WORKER_IN_PROCESS=false)."""
    import asyncio
    import logging
    import os
    import signal

    # Background work: on a machine it shares with the web service, pages are served first.
    if nice and hasattr(os, "nice"):
        os.nice(nice)

    from integrity.domain.notifications.worker import Worker

    settings = settings_or_exit()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    async def go(db: Database) -> None:
        work = Worker(db, settings)
        try:
            if once:
                tally = await work.run_once()
                click.echo(
                    f"reminders {tally.reminders}, events {tally.events}, digests {tally.digests}, "
                    f"deliveries {tally.deliveries}, reports {tally.reports}"
                )
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await work.run_forever(stop)
        finally:
            work.close()

    run_with_db(go)


for group in (units, users, tokens, audit):
    main.add_command(group)
