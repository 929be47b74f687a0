"""Benchmark approvals per second on PostgreSQL: with the audit-chain append, against the same without it.

    .venv/bin/python bench/approvals.py            # INTEGRITY_TEST_PG_URL or the local `test` server

Each approval is the real `decide()` of a pending close-out request (rectification.closeout): the
visibility check, the conditional UPDATE that lets exactly one reviewer win, the item's status change
and its history step, and two audit events (the close-out and the approval) chained under the chain's
lock. The floor runs the very same code with `record` replaced by a no-op, on a second set of requests
in the same database, in the same run. Both use `--processes` worker processes (like server workers),
each with `--concurrency` approvals in flight on its own connection pool.

Prints approvals/s for both and their ratio (goal: chained >= 0.5 of plain, and >= 500/s).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.demo.data import DEMO_PASSWORD, load_demo

PG_ADMIN = os.environ.get("INTEGRITY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
REVIEWER = "liu.yang"


def settings_for(url: str, data_dir: str) -> Settings:
    return Settings(env="test", secret_key=SECRET, database_url=url, data_dir=Path(data_dir))


async def seed(url: str, settings: Settings, per_variant: int) -> dict[str, list[int]]:
    """Demo organisation; then, per variant, `per_variant` items each with a pending close-out request."""
    db = create_database(url)
    await load_demo(db, settings, DEMO_PASSWORD)
    ids: dict[str, list[int]] = {}
    async with db.write_session() as session:
        q = await session.execute(
            text(
                "SELECT u.id, un.id FROM users u JOIN units un ON un.code = 'HXP-EAST' "
                "WHERE u.username = 'sun.qiang'"
            )
        )
        rectifier, unit = q.one()
        inspector = (
            await session.execute(text("SELECT id FROM users WHERE username = 'zhang.wei'"))
        ).scalar_one()
        letter = (
            await session.execute(
                text(
                    "INSERT INTO recommendation_letters (unit_id, title, body, issued_on, issued_by_id,"
                    " created_at) VALUES (:u, 'bench', '', CURRENT_DATE, :i, now()) RETURNING id"
                ),
                {"u": unit, "i": inspector},
            )
        ).scalar_one()
        for variant in ("chained", "plain"):
            items = await session.execute(
                text(
                    "INSERT INTO rectification_items (unit_id, letter_id, requirement, responsible_user_id,"
                    " due_on, status, created_by_id, created_at, version) "
                    "SELECT :u, :l, '整改要求 ' || g, :r, CURRENT_DATE + 30, 'submitted', :i, now(), 2 "
                    "FROM generate_series(1, :n) g RETURNING id"
                ),
                {"u": unit, "l": letter, "r": rectifier, "i": inspector, "n": per_variant},
            )
            item_ids = [row[0] for row in items]
            requests = await session.execute(
                text(
                    "INSERT INTO approval_requests (kind, object_type, object_id, unit_id, payload, status,"
                    " requested_by_id, requested_at, comment) "
                    "SELECT 'rectification.closeout', 'rectification', i, :u, '{}', 'pending', :r, now(), '' "
                    "FROM unnest(CAST(:ids AS integer[])) i RETURNING id"
                ),
                {"u": unit, "r": rectifier, "ids": item_ids},
            )
            ids[variant] = [row[0] for row in requests]
        await session.commit()
    async with db.engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("VACUUM ANALYZE"))
    await db.dispose()
    return ids


def worker(
    url: str, variant: str, request_ids: list[int], concurrency: int, queue: Any, ready: Any, go: Any
) -> None:
    """One process: set up, wait for the start signal, approve its share with `concurrency` in flight.

    Reports (approved, errors, start, end) so that start-up and imports stay out of the rate.
    """
    import integrity.app  # noqa: F401  (registers every approval kind)
    from integrity.domain.accounts.authentication import offline_access
    from integrity.domain.approvals import services as approvals

    if variant == "plain":  # the same work without the chain append
        import integrity.domain.rectification.services as rectification

        async def no_record(*_args: Any, **_kwargs: Any) -> None:
            return None

        approvals.record = no_record  # type: ignore[assignment]
        rectification.record = no_record  # type: ignore[assignment]

    async def run() -> tuple[int, int, float, float]:
        db = create_database(url, pool_size=concurrency)
        async with db.write_session() as session:
            access, actor = await offline_access(session, REVIEWER, "bench")
        async with db.write_session() as session:  # open the pool's connections before the clock starts
            await session.execute(text("SELECT 1"))
        ready.release()
        await asyncio.to_thread(go.wait)
        start = time.perf_counter()
        todo = list(request_ids)
        done = errors = 0

        async def lane() -> None:
            nonlocal done, errors
            while todo:
                rid = todo.pop()
                async with db.write_session() as session:
                    try:
                        await approvals.decide(session, access, actor, rid, approve=True, comment="")
                        await session.commit()
                        done += 1
                    except Exception:
                        errors += 1
                        await session.rollback()

        await asyncio.gather(*(lane() for _ in range(concurrency)))
        end = time.perf_counter()
        await db.dispose()
        return done, errors, start, end

    queue.put(asyncio.run(run()))


def measure(url: str, variant: str, ids: list[int], processes: int, concurrency: int) -> float:
    context = multiprocessing.get_context("fork")  # perf_counter is the same clock in every process
    queue, ready, go = context.Queue(), context.Semaphore(0), context.Event()
    shares = [ids[i::processes] for i in range(processes)]
    procs = [
        context.Process(target=worker, args=(url, variant, share, concurrency, queue, ready, go))
        for share in shares
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    go.set()
    results = [queue.get() for _ in procs]
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    for p in procs:
        p.join()
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors or done != len(ids):
        raise SystemExit(f"{variant}: {done} approved, {errors} errors of {len(ids)}")
    return done / elapsed


async def verify_chain(url: str) -> str:
    from integrity.lib.audit.verify import verify_chain as verify

    db = create_database(url)
    async with db.read_session() as session:
        report = await verify(session)
    await db.dispose()
    return str(report)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--approvals", type=int, default=3000, help="approvals per variant")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="approvals in flight per process")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; the best of each is kept")
    args = parser.parse_args()

    name = f"integrity_bench_{uuid.uuid4().hex[:8]}"
    base = PG_ADMIN.rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        data_dir = tempfile.mkdtemp(prefix="integrity-bench-")
        upgrade(url)
        settings = settings_for(url, data_dir)
        n = args.approvals
        ids = asyncio.run(seed(url, settings, n * args.rounds))
        rates: dict[str, list[float]] = {"chained": [], "plain": []}
        for r in range(args.rounds):
            for variant in ("plain", "chained"):
                chunk = ids[variant][r * n : (r + 1) * n]
                rates[variant].append(measure(url, variant, chunk, args.processes, args.concurrency))
        chained, plain = max(rates["chained"]), max(rates["plain"])
        rounds = {k: [round(x) for x in v] for k, v in rates.items()}
        print(
            f"engine=postgresql approvals={n} per round x {args.rounds} rounds, "
            f"{args.processes} processes x {args.concurrency} in flight"
        )
        print(f"  plain (no audit chain): {plain:7.0f} approvals/s   rounds: {rounds['plain']}")
        print(f"  with the audit chain:   {chained:7.0f} approvals/s   rounds: {rounds['chained']}")
        print(f"  chained / plain: {chained / plain:.2f}  (goal >= 0.5); chained >= 500/s: {chained >= 500}")
        print(f"  audit chain after the run: {asyncio.run(verify_chain(url))}")
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
