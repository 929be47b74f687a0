"""Benchmark the case statistics page on 100,000 cases, as a ratio to a floor in the same run.

    .venv/bin/python bench/statistics_page.py --engine sqlite
    .venv/bin/python bench/statistics_page.py --engine postgresql  # INTEGRITY_TEST_PG_URL or local test

The demo organisation plus 100,000 leads (bench rows, inserted directly) received over two years, each
with a subject; most disposed of (a proposal and its approval), some filed and decided, some with a
verification clock; the worker's monthly tallies are counted before the server starts, as its first pass
would. One server, started the way `integrity serve` starts it, serves the statistics page
of the whole group for a quarter (every figure for the quarter, the quarter before and the same quarter a
year earlier, and the durations) and the floor: a handler that runs one plain grouped count over the
same cases (`SELECT source, count(*) FROM cases GROUP BY source`) and returns the very bytes the page
returned. Requests alternate over one keep-alive connection.

Prints both medians and their ratio (goal <= 2), and checks the page's count of leads received against
the rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from litestar import Litestar, Response, get
from sqlalchemy import func, insert, select, text
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.education_coverage import cookie, measure
from bench.work_queue import drop_scratch, scratch_database, serve

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import (
    Case,
    CaseClock,
    CaseSubject,
    CaseTransition,
    CatalogueItem,
    Person,
    Unit,
    User,
)
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.cases import workflow
from integrity.domain.statistics.periods import Period
from integrity.domain.statistics.tallies import count_stale
from integrity.lib.authz.declarations import public

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
FIRST_ID = 100_000
QUARTER = Period.containing("quarter", date(2026, 8, 15))


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def grow_quarter(url: str, count: int, quarter: Period) -> int:
    """`count` leads all received within `quarter` (the ledger bench's rows)."""
    return await grow(url, count, quarter.start, quarter.end)


async def grow(url: str, count: int, first: date = date(2025, 1, 1), last: date = date(2026, 11, 30)) -> int:
    """`count` leads received from `first` to `last` with their history: how many fall in QUARTER."""
    db = create_database(url)
    rng = random.Random(16)
    async with db.write_session() as session:
        units = list((await session.execute(select(col(Unit.id)))).scalars())
        codes = select(col(CatalogueItem.code))
        sources = list(
            (await session.execute(codes.where(col(CatalogueItem.catalogue) == "case_source"))).scalars()
        )
        categories = list(
            (await session.execute(codes.where(col(CatalogueItem.catalogue) == "case_category"))).scalars()
        )
        author = (
            await session.execute(select(col(User.id)).where(col(User.username) == "zhang.wei"))
        ).scalar_one()
        await session.execute(
            insert(Person),
            [
                {"unit_id": rng.choice(units), "name": f"人员{i}", "employee_no": f"BS{i:06d}"}
                for i in range(20_000)
            ],
        )
        persons = list((await session.execute(select(col(Person.id)))).scalars())
        span = (last - first).days + 1
        in_quarter = 0
        cases: list[dict[str, Any]] = []
        subjects: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        clocks: list[dict[str, Any]] = []

        def step(case_id: int, name: str, a: str, b: str, day: date) -> None:
            steps.append({"case_id": case_id, "transition": name, "from_status": a, "to_status": b,
                          "actor_id": author, "reason": "", "at": _moment(day)})  # fmt: skip

        async def flush() -> None:
            for table, rows in (
                (Case, cases),
                (CaseSubject, subjects),
                (CaseTransition, steps),
                (CaseClock, clocks),
            ):
                if rows:
                    await session.execute(insert(table), rows)
                    rows.clear()

        for n in range(count):
            case_id = FIRST_ID + n
            received = first + timedelta(days=rng.randrange(span))
            in_quarter += QUARTER.start <= received <= QUARTER.end
            status = workflow.REGISTERED
            if rng.random() < 0.75:
                disposal = rng.choice(workflow.DISPOSALS)
                step(
                    case_id,
                    "propose_disposal",
                    status,
                    workflow.DISPOSAL_PROPOSED,
                    received + timedelta(days=5),
                )
                step(
                    case_id,
                    "approve",
                    workflow.DISPOSAL_PROPOSED,
                    disposal,
                    received + timedelta(days=rng.randrange(8, 40)),
                )
                status = disposal
                if disposal == workflow.PRELIMINARY_VERIFICATION:
                    due = received + timedelta(days=60)
                    met = received + timedelta(days=rng.randrange(40, 80)) if rng.random() < 0.8 else None
                    clocks.append({"case_id": case_id, "rule_code": "verification", "started_on": received,
                                   "due_on": due, "met_on": met, "stop_reason": ""})  # fmt: skip
                    if rng.random() < 0.4:
                        filed = received + timedelta(days=rng.randrange(60, 90))
                        step(case_id, "propose_investigation", status, workflow.INVESTIGATION_PROPOSED, filed)
                        step(
                            case_id,
                            "approve",
                            workflow.INVESTIGATION_PROPOSED,
                            workflow.INVESTIGATION,
                            filed + timedelta(days=2),
                        )
                        status = workflow.INVESTIGATION
                        if rng.random() < 0.5:
                            step(
                                case_id,
                                "conclude",
                                workflow.HEARING,
                                workflow.DECIDED,
                                filed + timedelta(days=rng.randrange(30, 120)),
                            )
                            status = workflow.DECIDED
            cases.append({
                "id": case_id, "number": f"BS-{received.year}-{n:06d}", "unit_id": rng.choice(units),
                "source": rng.choice(sources), "category": rng.choice(categories),
                "title": f"统计压测线索{n}", "summary": "群众反映问题。", "status": status,
                "confidential": n % 50 == 0, "received_on": received, "created_by_id": author,
            })  # fmt: skip
            subjects.append({"case_id": case_id, "person_id": rng.choice(persons)})
            if len(cases) == 5000:
                await flush()
        await flush()
        await session.commit()
    if url.startswith("postgresql"):
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    await db.dispose()
    return in_quarter


def app_with_floor() -> Litestar:
    """The app `integrity serve` runs, plus the floor: a plain grouped count, the page's bytes."""
    from integrity.app import create_app

    app = create_app()
    page = Path(os.environ["BENCH_FLOOR_FILE"])
    cached: list[bytes] = []

    @get("/bench/floor", opt=public(), include_in_schema=False)
    async def floor() -> Response[bytes]:
        async with app.state.db.read_session() as session:
            (await session.execute(text("SELECT source, count(*) FROM cases GROUP BY source"))).all()
        if not cached:  # written by the bench before its first floor request
            cached.append(await anyio.Path(page).read_bytes())
        return Response(cached[0], media_type="text/html; charset=utf-8")

    app.register(floor)
    return app


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    url, dbname = await scratch_database(args.engine, folder)
    settings = Settings(env="test", secret_key=SECRET, database_url=url, data_dir=folder)
    floor_file = folder / "statistics.html"
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": SECRET,
        "INTEGRITY_DATABASE_URL": url,
        "INTEGRITY_DATA_DIR": str(folder),
        "BENCH_FLOOR_FILE": str(floor_file),
    }
    server = None
    try:
        await asyncio.to_thread(upgrade, url)
        db = create_database(url)
        await load_demo(db, settings, DEMO_PASSWORD)
        async with db.read_session() as session:
            demo_in_quarter = (
                await session.execute(
                    select(func.count()).where(col(Case.received_on).between(QUARTER.start, QUARTER.end))
                )
            ).scalar_one()
            group = (
                await session.execute(select(col(Unit.id)).where(col(Unit.parent_id).is_(None)))
            ).scalar_one()
        await db.dispose()
        started = time.perf_counter()
        in_quarter = await grow(url, args.cases)
        print(
            f"{args.engine}: {args.cases:,} leads seeded in {time.perf_counter() - started:.0f} s", flush=True
        )
        started = time.perf_counter()
        db = create_database(url)
        months = await count_stale(db)  # what the worker does on its first pass
        if url.startswith("postgresql"):  # as autovacuum would, after the marks it cleared
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE statistics_stale_months"))
                await conn.execute(text("ANALYZE statistics_tallies"))
        await db.dispose()
        print(
            f"  the worker counted {months} months of tallies in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        value = await cookie(url, settings)
        port = 8700 + os.getpid() % 200
        server = serve(env, port, "bench.statistics_page:app_with_floor")
        path = f"/statistics/cases?period=quarter&start={QUARTER.start}&unit_id={group}"
        ours, floor, page = measure(
            f"http://127.0.0.1:{port}", settings.session_cookie, value, floor_file, path, args.requests
        )
        section = page.split('data-testid="figure-received_by_source"', 1)[1].split("</section>", 1)[0]
        total = int(re.search(r'data-testid="total">(\d+)<', section).group(1))  # type: ignore[union-attr]
        expected = in_quarter + demo_in_quarter
        print(f"  the page counts {total:,} leads received in {QUARTER.start}–{QUARTER.end}"
              f" of the {expected:,} rows (those its reader, zhang.wei, may open)")  # fmt: skip
        print(f"  statistics p50 {ours:7.1f} ms   floor (grouped count, same bytes) p50 {floor:7.1f} ms"
              f"   ratio {ours / floor:4.2f}  (goal <= 2)")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        await drop_scratch(dbname)


if __name__ == "__main__":
    asyncio.run(main())
