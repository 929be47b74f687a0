# ruff: noqa: E501 - the seeding SQL and the printed table read better on one line each
"""Benchmark the notification worker at 100,000 cases with running clocks and 1,000 users.

    .venv/bin/python bench/notifications.py --engine sqlite
    .venv/bin/python bench/notifications.py --engine postgresql   # INTEGRITY_TEST_PG_URL or the local test db

Seeds the demo, then (directly, bench data, not audited) 1,000 inspectors granted in the root unit and
100,000 cases, each with one subject and one running clock due between 1 October 2026 and 28 February
2027, each on the team of one of the 1,000 inspectors. Prints, each as a ratio to a floor measured in the
same run on the same database:
  * the reminder scan of 15 November 2026 (every clock past a threshold becomes one outbox event) over a
    plain SELECT of the same clock rows                                                       (goal <= 3)
  * the same scan again, adding nothing (the steady state of a scan every few minutes) over the same floor
  * the fan-out of 10,000 queued events to the 1,000 users' bells (recipients screened by the read rule,
    preferences, entries written) over a plain SELECT of the same events joined to their recipients
    (goal <= 3), and over a plain INSERT … SELECT writing those rows (rolled back)
  * the case list's p99 over HTTP while `integrity worker --once` fans the same 10,000 events out, over
    its p99 idle                                                                             (goal <= 1.2)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.work_queue import day, drop_scratch, numbers, scratch_database, serve

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.cases.clocks import work_calendar
from integrity.domain.notifications.worker import Worker
from integrity.lib.deadlines import Thresholds

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
CASES, USERS, QUEUED = 100_000, 1_000, 10_000
FIRST_CASE, FIRST_USER = 100_000, 100_000
TODAY = date(2026, 11, 15)


async def seed(url: str, engine: str) -> None:
    db = create_database(url)
    async with db.write_session() as s:
        root = (await s.execute(text("SELECT id FROM units WHERE parent_id IS NULL"))).scalar_one()
        units = [r[0] for r in (await s.execute(text("SELECT id FROM units ORDER BY id"))).all()]
        slots = " UNION ALL ".join(f"SELECT {k} AS slot, {u} AS unit_id" for k, u in enumerate(units))
        await s.execute(text(
            f"WITH RECURSIVE {numbers(0, USERS - 1, engine)} INSERT INTO users (id, username, display_name,"
            " unit_id, locale, email, is_active, created_at) "
            f"SELECT {FIRST_USER} + i, 'bench' || i, '检查员' || i, {root}, 'zh', '', true, CURRENT_TIMESTAMP FROM n"
        ))  # fmt: skip
        await s.execute(text(
            "INSERT INTO role_grants (user_id, role, unit_id, granted_at) "
            f"SELECT id, 'inspector', {root}, CURRENT_TIMESTAMP FROM users WHERE id >= {FIRST_USER}"
        ))  # fmt: skip
        await s.execute(text("UPDATE authz_state SET grants_version = grants_version + 1"))
        await s.execute(text(
            f"WITH RECURSIVE {numbers(0, 19_999, engine)} INSERT INTO persons (unit_id, name, name_en,"
            " employee_no, position, cadre_level, party_member, created_at) "
            f"SELECT {units[0]}, '人员' || i, '', 'NB' || i, '', '', false, CURRENT_TIMESTAMP FROM n"
        ))  # fmt: skip
        pool = (
            await s.execute(text("SELECT min(id), count(*) FROM persons WHERE employee_no LIKE 'NB%'"))
        ).one()
        await s.execute(text(
            f"WITH RECURSIVE {numbers(0, CASES - 1, engine)}, slots AS ({slots}) "
            "INSERT INTO cases (id, number, unit_id, source, category, title, summary, status,"
            " confidential, received_on, created_by_id, created_at, updated_at, version) "
            f"SELECT {FIRST_CASE} + i, 'NB-' || i, slots.unit_id, 'audit', 'integrity', '问题线索' || i,"
            f" '', 'preliminary_verification', i % 20 = 7, {day('2026-09-01', engine)}, {FIRST_USER}, CURRENT_TIMESTAMP,"
            f" CURRENT_TIMESTAMP, 1 FROM n JOIN slots ON slots.slot = i % {len(units)}"
        ))  # fmt: skip
        await s.execute(text(
            "INSERT INTO case_subjects (case_id, person_id) "
            f"SELECT id, {pool[0]} + (id % {pool[1]}) FROM cases WHERE id >= {FIRST_CASE}"
        ))  # fmt: skip
        await s.execute(text(
            "INSERT INTO case_clocks (case_id, rule_code, started_on, due_on, stop_reason) "
            f"SELECT id, 'verification', {day('2026-09-01', engine)}, {day('2026-10-01', engine, 'id % 150')}, ''"
            f" FROM cases WHERE id >= {FIRST_CASE}"
        ))  # fmt: skip
        await s.execute(text(
            "INSERT INTO case_assignments (case_id, user_id, team, assigned_at, recusal_reason) "
            f"SELECT id, {FIRST_USER} + (id % {USERS}), 'inspector', CURRENT_TIMESTAMP, '' FROM cases"
            f" WHERE id >= {FIRST_CASE}"
        ))  # fmt: skip
        await s.commit()
    async with db.write_session() as s:
        await s.execute(text("ANALYZE"))
        await s.commit()
    await db.dispose()


async def timed(work: object) -> float:
    started = time.perf_counter()
    await work  # type: ignore[misc]
    return time.perf_counter() - started


async def plain_read(url: str, sql: str, params: dict[str, object]) -> tuple[float, int]:
    """A floor: one plain statement reading the same rows, on a fresh engine; seconds and rows."""
    db = create_database(url)
    async with db.read_session() as s:
        started = time.perf_counter()
        rows = (await s.execute(text(sql), params)).all()
        seconds = time.perf_counter() - started
    await db.dispose()
    return seconds, len(rows)


# The scan's floor: the same running clocks. The fan-out's: the same queued events joined to their recipients.
SCAN_FLOOR = (
    "SELECT k.id, k.case_id, k.due_on, k.rule_code, c.unit_id FROM case_clocks k JOIN cases c ON c.id = k.case_id"
    " WHERE k.met_on IS NULL AND k.stopped_on IS NULL AND k.due_on <= :h"
)
FANOUT_FLOOR = (
    "SELECT e.id, e.type, e.case_id, a.user_id FROM notification_events e"
    " JOIN case_assignments a ON a.case_id = e.case_id AND a.recused_at IS NULL"
    " WHERE e.id >= :f AND e.id < :l"
)


async def plain_write(url: str, first_event: int) -> float:
    """A second floor: the same recipients' rows written by one plain INSERT … SELECT (rolled back)."""
    db = create_database(url)
    async with db.write_session() as s:
        started = time.perf_counter()
        await s.execute(text(
            "INSERT INTO notifications (event_id, user_id, type, case_id, href, params, mode, created_at)"
            " SELECT e.id, a.user_id, e.type, e.case_id, '/cases/' || e.case_id, e.params, 'immediate', e.created_at"
            " FROM notification_events e JOIN case_assignments a ON a.case_id = e.case_id AND a.recused_at IS NULL"
            " WHERE e.id >= :f AND e.id < :l"
        ), {"f": first_event, "l": first_event + QUEUED})  # fmt: skip
        seconds = time.perf_counter() - started
        await s.rollback()
    await db.dispose()
    return seconds


async def list_times(client: httpx.AsyncClient, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        (await client.get("/api/v1/cases?limit=50")).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    url, dbname = await scratch_database(args.engine, folder)
    settings = Settings(
        env="test", secret_key=SECRET, database_url=url, data_dir=folder, worker_in_process=False
    )
    server = None
    try:
        await asyncio.to_thread(upgrade, url)
        db = create_database(url)
        await load_demo(db, settings, DEMO_PASSWORD)
        await seed(url, args.engine)
        worker = Worker(db, settings)
        async with db.read_session() as s:
            calendar = await work_calendar(s)
        t = Thresholds.on(TODAY, calendar, settings.reminder_days_before, settings.escalate_after_days)
        floor, clocks = await plain_read(url, SCAN_FLOOR, {"h": t.horizon})
        async with db.read_session() as s:
            before = (
                await s.execute(text("SELECT coalesce(max(id), 0) FROM notification_events"))
            ).scalar_one()
        first = await timed(worker.scan(TODAY))
        again = await timed(worker.scan(TODAY))
        floor2, _ = await plain_read(url, SCAN_FLOOR, {"h": t.horizon})
        floor = min(floor, floor2)
        async with db.read_session() as s:
            added = (
                await s.execute(text("SELECT count(*) FROM notification_events WHERE id > :b"), {"b": before})
            ).scalar_one()
        print(
            f"{args.engine}: {CASES:,} cases with running clocks, {USERS:,} users; scan of {TODAY}: {clocks:,} clocks due or past"
        )
        print(
            f"  reminder scan   {first * 1000:8.1f} ms ({added:,} events)  floor {floor * 1000:7.1f} ms  ratio {first / floor:5.2f}  (goal <= 3)"
        )
        print(
            f"  scan again      {again * 1000:8.1f} ms (0 new)        floor {floor * 1000:7.1f} ms  ratio {again / floor:5.2f}"
        )
        # Leave QUEUED events waiting: mark the rest done, so the fan-out below handles exactly QUEUED.
        async with db.write_session() as s:
            await s.execute(
                text(
                    "UPDATE notification_events SET fanned_out_at = CURRENT_TIMESTAMP WHERE id <= :b OR id > :l"
                ),
                {"b": before, "l": before + QUEUED},
            )
            await s.commit()
        floor3, recipients = await plain_read(url, FANOUT_FLOOR, {"f": before + 1, "l": before + 1 + QUEUED})
        floor4 = await plain_write(url, before + 1)
        fanout = await timed(worker.fan_out(TODAY))
        async with db.read_session() as s:
            written = (
                await s.execute(text("SELECT count(*) FROM notifications WHERE event_id > :b"), {"b": before})
            ).scalar_one()
        # Queue the same events again; then the list's p99 idle, and while `integrity worker --once` (its
        # own process, as a deployment runs it) fans them out.
        async with db.write_session() as s:
            await s.execute(text("DELETE FROM notifications WHERE event_id > :b"), {"b": before})
            await s.execute(
                text("UPDATE notification_events SET fanned_out_at = NULL WHERE id > :b AND id <= :l"),
                {"b": before, "l": before + QUEUED},
            )
            await s.commit()
        env = {**os.environ, "INTEGRITY_ENV": "test", "INTEGRITY_SECRET_KEY": SECRET, "INTEGRITY_DATABASE_URL": url,
               "INTEGRITY_DATA_DIR": str(folder), "INTEGRITY_WORKER_IN_PROCESS": "false"}  # fmt: skip
        port = 8600 + os.getpid() % 200
        server = serve(env, port, "integrity.app:create_app")
        token = await bench_token(url, settings)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"authorization": f"Bearer {token}"}
        ) as client:
            await list_times(client, 20)
            idle = p99(await list_times(client, 300))
            alone = subprocess.Popen(  # noqa: ASYNC220 - polled below, never waited on
                [sys.executable, "-m", "integrity", "worker", "--once"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            busy_samples: list[float] = []
            while alone.poll() is None:
                busy_samples += await list_times(client, 5)
            busy = p99(busy_samples) if len(busy_samples) > 1 else idle
        print(
            f"  fan-out of {QUEUED:,} events {fanout * 1000:8.1f} ms ({written:,} entries)  floor {floor3 * 1000:7.1f} ms ({recipients:,} rows)  ratio {fanout / floor3:5.2f}  (goal <= 3)"
        )
        print(
            f"  the same fan-out over a plain INSERT … SELECT of the team's rows ({floor4 * 1000:.1f} ms): ratio {fanout / floor4:5.2f}"
        )
        print(
            f"  case list p99 while fanning out {busy:6.1f} ms  idle {idle:6.1f} ms  ratio {busy / idle:4.2f}  (goal <= 1.2)"
        )
        await db.dispose()
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        await drop_scratch(dbname)


async def bench_token(url: str, settings: Settings) -> str:
    """An API token for zhang.wei, made the way the case-list bench makes one."""
    from bench.cases_list import bench_token as made

    return await made(url, settings)


if __name__ == "__main__":
    asyncio.run(main())
