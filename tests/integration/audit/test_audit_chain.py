"""The hash chain: appends in order under concurrency, append-only in the database, tampering detected."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from integrity.db.engine import Database
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.audit.checkpoint import (
    Checkpoint,
    check_against_chain,
    checkpoint_head,
    signature_valid,
)
from integrity.lib.audit.verify import verify_chain

ACTOR = Actor("tester", 7, "req-12345678", "127.0.0.1")


async def write_events(db: Database, count: int, prefix: str = "thing") -> None:
    for i in range(count):
        async with db.write_session() as session:
            await record(
                session,
                ACTOR,
                AuditEntry(
                    f"{prefix}.update",
                    prefix,
                    i,
                    1,
                    before={"name": f"旧{i}", "n": i},
                    after={"name": f"新{i}", "n": i},
                ),
            )
            await session.commit()


async def verify(db: Database) -> Any:
    async with db.read_session() as session:
        return await verify_chain(session)


async def raw(db: Database, sql: str, **params: Any) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(sql), params)


async def allow_tampering(db: Database) -> None:
    """What a database owner could do: switch the append-only triggers off."""
    if db.dialect == "postgresql":
        await raw(db, "ALTER TABLE audit_events DISABLE TRIGGER USER")
    else:
        await raw(db, "DROP TRIGGER audit_events_no_update")
        await raw(db, "DROP TRIGGER audit_events_no_delete")


async def test_chain_verifies_and_records_changed_fields_only(database: Database) -> None:
    await write_events(database, 5)
    result = await verify(database)
    assert result.ok
    assert result.events == 5
    assert result.head_seq == 5
    async with database.read_session() as session:
        changes = (await session.execute(text("SELECT changes FROM audit_events WHERE seq = 1"))).scalar_one()
    assert changes == '{"after":{"name":"新0"},"before":{"name":"旧0"}}'


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"])
async def test_database_refuses_update_and_delete(database: Database, statement: str) -> None:
    await write_events(database, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        await raw(database, statement)
    assert (await verify(database)).events == 2


async def test_emptying_the_table_is_refused(database: Database) -> None:
    """TRUNCATE on PostgreSQL; SQLite's equivalent is an unqualified DELETE (its truncate optimisation)."""
    await write_events(database, 1)
    statement = "TRUNCATE audit_events" if database.dialect == "postgresql" else "DELETE FROM audit_events"
    with pytest.raises(DBAPIError, match="append-only"):
        await raw(database, statement)
    assert (await verify(database)).events == 1


TAMPERED_VALUES = {
    "occurred_at": "2020-01-01 00:00:00",
    "actor_id": 99,
    "actor": "someone-else",
    "action": "thing.delete",
    "object_type": "other",
    "object_id": "999",
    "unit_id": 42,
    "request_id": "forged",
    "client_addr": "10.9.9.9",
    "outcome": "denied",
    "changes": '{"after":{"name":"伪造"}}',
    "prev_hash": "f" * 64,
    "hash": "e" * 64,
}


async def test_editing_any_field_of_any_event_is_detected(database: Database) -> None:
    await write_events(database, 4)
    await allow_tampering(database)
    for seq in (1, 3, 4):
        for column, value in TAMPERED_VALUES.items():
            async with database.read_session() as session:
                original = (
                    await session.execute(
                        text(f"SELECT {column} FROM audit_events WHERE seq = :s"), {"s": seq}
                    )
                ).scalar_one()
            if column == "occurred_at" and database.dialect == "postgresql":
                value = datetime(2020, 1, 1, tzinfo=UTC)
            await raw(database, f"UPDATE audit_events SET {column} = :v WHERE seq = :s", v=value, s=seq)
            result = await verify(database)
            assert not result.ok, f"editing {column} of event {seq} went unnoticed"
            assert result.broken_at == seq, (column, seq, result)
            await raw(database, f"UPDATE audit_events SET {column} = :v WHERE seq = :s", v=original, s=seq)
            assert (await verify(database)).ok, f"restoring {column} of {seq} did not restore the chain"


async def test_deleting_an_event_is_detected(database: Database) -> None:
    await write_events(database, 5)
    await allow_tampering(database)
    await raw(database, "DELETE FROM audit_events WHERE seq = 3")
    result = await verify(database)
    assert result.broken_at == 3
    assert "missing" in result.reason


async def test_inserting_an_event_is_detected(database: Database) -> None:
    await write_events(database, 3)
    await allow_tampering(database)
    # Make room at seq 2 and insert a forged event that links to event 1 correctly.
    await raw(database, "UPDATE audit_events SET seq = seq + 100 WHERE seq >= 2")
    await raw(
        database,
        "INSERT INTO audit_events (seq, occurred_at, actor_id, actor, action, object_type, object_id,"
        " unit_id, request_id, client_addr, outcome, changes, prev_hash, hash)"
        " SELECT 2, occurred_at, actor_id, actor, action, object_type, object_id, unit_id, request_id,"
        " client_addr, outcome, changes, hash, :h FROM audit_events WHERE seq = 1",
        h="a" * 64,
    )
    await raw(database, "UPDATE audit_events SET seq = seq - 99 WHERE seq >= 102")
    result = await verify(database)
    assert not result.ok
    assert result.broken_at == 2


async def test_reordering_events_is_detected(database: Database) -> None:
    await write_events(database, 4)
    await allow_tampering(database)
    await raw(database, "UPDATE audit_events SET seq = 1000 WHERE seq = 2")
    await raw(database, "UPDATE audit_events SET seq = 2 WHERE seq = 3")
    await raw(database, "UPDATE audit_events SET seq = 3 WHERE seq = 1000")
    result = await verify(database)
    assert not result.ok
    assert result.broken_at == 2


async def test_concurrent_writers_keep_one_unbroken_chain(database: Database) -> None:
    writers, each = 12, 5
    await asyncio.gather(*(write_events(database, each, f"w{w}") for w in range(writers)))
    result = await verify(database)
    assert result.ok, result
    assert result.events == writers * each


async def test_checkpoint_detects_truncation_and_forged_signature(database: Database, tmp_path: Any) -> None:
    from integrity.lib.audit.checkpoint import generate_key, load_private_key

    public = generate_key(tmp_path / "key.pem")
    key = load_private_key(tmp_path / "key.pem")
    await write_events(database, 6)
    async with database.write_session() as session:
        checkpoint = await checkpoint_head(session, key)
        await session.commit()
    assert checkpoint.seq == 6
    assert signature_valid(checkpoint, public)
    forged = Checkpoint(5, checkpoint.hash, checkpoint.signed_at, checkpoint.public_key, checkpoint.signature)
    assert not signature_valid(forged, public)
    async with database.read_session() as session:
        assert await check_against_chain(session, checkpoint) is None

    await allow_tampering(database)
    await raw(database, "DELETE FROM audit_events WHERE seq >= 5")
    assert (await verify(database)).ok, "a truncated chain still links up on its own..."
    async with database.read_session() as session:
        problem = await check_against_chain(session, checkpoint)
    assert problem is not None
    assert "truncated" in problem  # ...which is what the checkpoint is for


async def test_verify_walks_in_batches_across_their_boundaries(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constant memory: the walk reads fixed-size batches; links across batch edges are still checked."""
    from integrity.lib.audit import verify as verify_module

    monkeypatch.setattr(verify_module, "BATCH", 3)
    await write_events(database, 10)
    result = await verify(database)
    assert result.ok
    assert result.events == 10
    await allow_tampering(database)
    await raw(
        database, "UPDATE audit_events SET prev_hash = :h WHERE seq = 4", h="0" * 64
    )  # first of batch 2
    result = await verify(database)
    assert result.broken_at == 4
