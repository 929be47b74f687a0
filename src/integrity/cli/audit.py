"""The tamper-evident audit trail: signing key, signed checkpoints, verification."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.cli.common import (
    in_write_transaction,
    run_with_db,
    settings_or_exit,
)
from integrity.config import Settings
from integrity.db.engine import Database

# --- audit -----------------------------------------------------------------------------------


@click.group()
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
