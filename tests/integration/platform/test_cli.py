"""The `integrity` command line, end to end on each engine."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from integrity.cli import main
from integrity.config import get_settings
from integrity.db.engine import create_database
from tests.conftest import TEST_SECRET, ScratchDatabase


@pytest.fixture
def cli(empty_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("INTEGRITY_ENV", "test")
    monkeypatch.setenv("INTEGRITY_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("INTEGRITY_DATABASE_URL", empty_db.url)
    monkeypatch.setenv("INTEGRITY_DATA_DIR", str(empty_db.data_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def tamper(url: str, sql: str) -> None:
    async def go() -> None:
        db = create_database(url)
        async with db.engine.begin() as conn:
            if db.dialect == "postgresql":
                await conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            else:
                await conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
                await conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
            await conn.execute(text(sql))
        await db.dispose()

    asyncio.run(go())


def test_cli_builds_an_organisation_and_guards_the_trail(
    cli: CliRunner, empty_db: ScratchDatabase, tmp_path: Path
) -> None:
    ok(cli, "db", "upgrade")
    assert "HQ" in ok(cli, "units", "create", "--code", "HQ", "--name", "总部", "--kind", "group")
    ok(cli, "units", "create", "--code", "BR1", "--name", "一分公司", "--parent", "HQ", "--kind", "branch")
    ok(
        cli,
        "users",
        "create",
        "wang.fang",
        "--name",
        "王芳",
        "--unit",
        "BR1",
        "--password",
        "Long-password-1",
    )
    assert "granted inspector" in ok(cli, "users", "grant", "wang.fang", "inspector", "--unit", "BR1")
    bad_role = cli.invoke(main, ["users", "grant", "wang.fang", "emperor", "--unit", "BR1"])
    assert bad_role.exit_code != 0
    assert "role must be one of" in bad_role.output
    token = ok(cli, "tokens", "create", "wang.fang", "--name", "script").strip().splitlines()[0]
    assert token.startswith("itk_")

    key = tmp_path / "signing.pem"
    public = ok(cli, "audit", "keygen", "--out", str(key)).split("public key:")[1].strip()
    checkpoint_file = tmp_path / "checkpoint.json"
    checkpoint = json.loads(ok(cli, "audit", "checkpoint", "--key", str(key), "--out", str(checkpoint_file)))
    assert checkpoint["seq"] == 5  # two units, a user, a grant, a token

    verified = ok(cli, "audit", "verify", "--checkpoint", str(checkpoint_file), "--public-key", public)
    assert "events checked: 5" in verified
    assert "signature valid" in verified
    assert "OK: the audit trail is intact" in verified

    ok(cli, "users", "disable", "wang.fang")  # one more event after the checkpoint
    tamper(empty_db.url, "DELETE FROM audit_events WHERE seq >= 5")
    truncated = cli.invoke(
        main, ["audit", "verify", "--checkpoint", str(checkpoint_file), "--public-key", public]
    )
    assert truncated.exit_code == 1
    assert "truncated" in truncated.output

    tamper(empty_db.url, "UPDATE audit_events SET actor = 'someone else' WHERE seq = 2")
    broken = cli.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken at event #2" in broken.output


def test_demo_loads_once_and_verifies(cli: CliRunner) -> None:
    ok(cli, "db", "upgrade")
    first = ok(cli, "demo")
    assert "Loaded 12 units, 28 persons, 8 users and 5 members, 6 cases, a recommendation letter" in first
    assert "zhang.wei" in first
    assert "already loaded" in ok(cli, "demo")
    assert "OK: the audit trail is intact" in ok(cli, "audit", "verify")


def test_the_worker_runs_alone_and_a_second_pass_finds_nothing_new(
    cli: CliRunner, empty_db: ScratchDatabase
) -> None:
    ok(cli, "db", "upgrade")
    ok(cli, "demo")  # its first worker pass filled the bells (and counted the statistics' months)
    assert ok(cli, "worker", "--once").strip() == "reminders 0, events 0, digests 0, deliveries 0, reports 0"

    async def stale() -> int:
        db = create_database(empty_db.url)
        async with db.engine.connect() as conn:
            n = (
                await conn.execute(text("SELECT count(DISTINCT month) FROM statistics_stale_months"))
            ).scalar()
        await db.dispose()
        return int(n or 0)

    assert asyncio.run(stale()) == 0
    # The demo's history runs from January 2025 to today: every month of it marked, then counted.
    marked = ok(cli, "statistics", "recount")
    assert int(marked.split()[0]) >= 23
    assert asyncio.run(stale()) == int(marked.split()[0])
    ok(cli, "worker", "--once")
    assert asyncio.run(stale()) == 0

    async def bells() -> dict[str, int]:
        db = create_database(empty_db.url)
        async with db.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT u.username, count(*) FROM notifications n"
                    " JOIN users u ON u.id = n.user_id GROUP BY u.username"
                )
            )
            found = {name: int(n) for name, n in rows}
        await db.dispose()
        return found

    filled = asyncio.run(bells())
    demo_users = {"admin", "zhang.wei", "li.na", "liu.yang", "chen.jing", "zhao.min", "sun.qiang", "zhou.li"}
    assert demo_users <= {name for name, n in filled.items() if n > 0}  # something in every demo bell
