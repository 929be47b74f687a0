"""Benchmark GET /api/v1/cases on 100,000 cases, as ratios against floors measured in the same run.

    .venv/bin/python bench/cases_list.py --engine sqlite
    .venv/bin/python bench/cases_list.py --engine postgresql   # INTEGRITY_TEST_PG_URL or local test db

Prints, for a page of 50 with a status filter and a text query:
  * median latency of our endpoint / a bare Litestar handler returning the same bytes (goal <= 3)
  * our endpoint / the same list query without authentication and visibility rules  (goal <= 1.15)
  * page depth 1,000 / page 1 of the unfiltered list                                (goal <= 1.5)
Requests go through the ASGI app in-process (httpx ASGITransport) for all three, so the
network is the same (none) on both sides of every ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from litestar import Litestar, Response, get
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from integrity.app import create_app
from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import Case, CaseSearchTerm, CaseSubject, Person, Unit, User
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.cases import search, workflow
from integrity.domain.cases.listing import CASE_COLUMNS
from integrity.domain.cases.schemas import CaseOut
from integrity.domain.users.services import create_token
from integrity.lib.audit import Actor
from integrity.lib.pagination import Page, fetch_row_page

PG_ADMIN = os.environ.get("INTEGRITY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
PHRASES = [
    "公车私用",
    "收受回扣",
    "违规吃喝",
    "超标准接待",
    "虚报差旅费",
    "工程招标违规",
    "违规发放津贴",
    "私设小金库",
    "插手工程项目",
    "利用职务便利",
    "违规收受礼金",
    "借婚丧嫁娶敛财",
]


async def seed(url: str, settings: Settings, count: int) -> str:
    """Demo organisation, then `count` cases inserted directly (bench data, not audited)."""
    db = create_database(url)
    await load_demo(db, settings, DEMO_PASSWORD)
    rng = random.Random(7)
    async with db.write_session() as session:
        units = [(u.id, u.name) for u in (await session.execute(select(Unit))).scalars()]
        # Subjects drawn from a realistic population: each person is the subject of a few cases,
        # not (as with the 28 demo persons alone) of thousands.
        await session.execute(
            insert(Person),
            [
                {"unit_id": rng.choice(units)[0], "name": f"人员{i}", "employee_no": f"BM{i:06d}"}
                for i in range(20_000)
            ],
        )
        persons = [p.id for p in (await session.execute(select(Person))).scalars()]
        author = (await session.execute(select(User).where(User.username == "zhang.wei"))).scalar_one()  # type: ignore[arg-type]
        batch: list[dict[str, Any]] = []
        first_id = 1000
        for n in range(count):
            unit_id, unit_name = rng.choice(units)
            phrase = rng.choice(PHRASES)
            title = f"{unit_name}{phrase}问题线索{n}"
            summary = f"群众反映{phrase}，涉及{rng.choice(PHRASES)}。"
            batch.append(
                {
                    "id": first_id + n,
                    "number": f"BM-2026-{n:06d}",
                    "unit_id": unit_id,
                    "source": "audit",
                    "category": "integrity",
                    "title": title,
                    "summary": summary,
                    "status": rng.choice(workflow.STATUSES),
                    "confidential": n % 20 == 0,
                    "received_on": date(2026, 1 + n % 12, 1 + n % 28),
                    "created_by_id": author.id,
                }
            )
            if len(batch) == 5000:
                await flush(session, batch, persons, rng)
                batch = []
        if batch:
            await flush(session, batch, persons, rng)
        await session.commit()
    await db.dispose()
    return await bench_token(url, settings)


async def bench_token(url: str, settings: Settings) -> str:
    """An API token for zhang.wei (group inspector: every unit in scope, so the widest visibility check)."""
    db = create_database(url)
    async with db.write_session() as session:
        user = (await session.execute(select(User).where(User.username == "zhang.wei"))).scalar_one()  # type: ignore[arg-type]
        token = (await create_token(session, settings, Actor("bench"), user, "bench", None)).token
        await session.commit()
    await db.dispose()
    return token


async def flush(session: Any, batch: list[dict[str, Any]], persons: list[int], rng: random.Random) -> None:
    await session.execute(insert(Case), batch)
    await session.execute(
        insert(CaseSubject), [{"case_id": c["id"], "person_id": rng.choice(persons)} for c in batch]
    )
    terms = [
        {"term": t, "case_id": c["id"]}
        for c in batch
        for t in search.terms_of(" ".join([c["title"], c["summary"], c["number"]]))
    ]
    for i in range(0, len(terms), 20_000):
        await session.execute(insert(CaseSearchTerm), terms[i : i + 20_000])


Variant = tuple[httpx.AsyncClient, str, dict[str, str]]


async def medians_ms(variants: list[Variant], n: int) -> list[float]:
    """Median latency of each variant, measured in turns (one request of each, round after round), so a
    slow spell of the machine or of the database weighs on every variant alike instead of on one."""
    for _ in range(max(5, n // 10)):
        for client, url, headers in variants:
            (await client.get(url, headers=headers)).raise_for_status()
    samples: list[list[float]] = [[] for _ in variants]
    for _ in range(n):
        for i, (client, url, headers) in enumerate(variants):
            start = time.perf_counter()
            response = await client.get(url, headers=headers)
            samples[i].append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return [statistics.median(s) for s in samples]


def unscoped_app(url: str) -> Litestar:
    """The same list query and serialisation, with no authentication and no visibility rules."""
    db = create_database(url)

    @get("/api/v1/cases")
    async def unscoped(
        status: str | None = None, q: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> Page[CaseOut]:
        async with db.read_session() as session:
            stmt = select(*CASE_COLUMNS)
            if status:
                stmt = stmt.where(Case.status == status)  # type: ignore[arg-type]
            if q:
                clause = await search.matches(session, q)
                assert clause is not None
                stmt = stmt.where(clause)
            page = await fetch_row_page(session, stmt, Case.id, cursor, limit)
        return Page([CaseOut.of(c) for c in page.items], page.next_cursor)

    return Litestar([unscoped])


def ratio(label: str, ours: float, floor: float, goal: float) -> None:
    print(f"{label} ({ours:.2f} / {floor:.2f} ms): ratio {ours / floor:.2f}  (goal <= {goal})")


async def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database and print its URL")
    parser.add_argument("--reuse", metavar="URL", help="measure a database kept by an earlier --keep run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    pg_name = None
    if args.reuse:
        url = args.reuse
        args.engine = "sqlite" if url.startswith("sqlite") else "postgresql"
        if args.engine == "sqlite":
            folder = Path(url.split("///", 1)[1]).parent
    elif args.engine == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    else:
        pg_name = f"integrity_bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'CREATE DATABASE "{pg_name}"')
        await conn.close()
        url = re.sub(r"/[^/]*$", f"/{pg_name}", PG_ADMIN.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        settings = Settings(env="test", secret_key=SECRET, database_url=url, data_dir=folder)
        await asyncio.to_thread(upgrade, url)
        started = time.perf_counter()
        token = await bench_token(url, settings) if args.reuse else await seed(url, settings, args.cases)
        if args.engine == "postgresql" and not args.reuse:
            db = create_database(url)
            # What autovacuum does after a bulk load: statistics, and the visibility map that lets
            # the search-term index answer without visiting the table.
            async with db.engine.connect() as conn2:
                from sqlalchemy import text

                await conn2.execution_options(isolation_level="AUTOCOMMIT")
                await conn2.execute(text("VACUUM ANALYZE"))
            await db.dispose()
        print(f"engine={args.engine} cases={args.cases} seeded in {time.perf_counter() - started:.1f}s")

        ours = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://b")
        auth = {"Authorization": f"Bearer {token}"}
        query = "/api/v1/cases?limit=50&status=preliminary_verification&q=公车"
        body = (await ours.get(query, headers=auth)).content
        items = len(httpx.Response(200, content=body).json()["items"])

        @get("/api/v1/cases", sync_to_thread=False)
        def bare() -> Response[bytes]:
            return Response(body, media_type="application/json")

        floor = httpx.AsyncClient(transport=httpx.ASGITransport(app=Litestar([bare])), base_url="http://b")
        plain = httpx.AsyncClient(transport=httpx.ASGITransport(app=unscoped_app(url)), base_url="http://b")

        ours_ms, floor_ms, plain_ms = await medians_ms(
            [(ours, query, auth), (floor, query, {}), (plain, query, {})], args.requests
        )

        page1 = "/api/v1/cases?limit=50"
        cursor = None
        db = create_database(url)
        async with db.read_session() as session:
            depth = min(1000, args.cases // 50)
            ids = (
                await session.execute(select(Case.id).order_by(Case.id).limit(1).offset(50 * (depth - 1)))
            ).scalar()  # type: ignore[arg-type]
        await db.dispose()
        from integrity.lib.pagination import encode_cursor

        cursor = encode_cursor(int(ids) - 1)
        deep = f"/api/v1/cases?limit=50&cursor={cursor}"
        page1_ms, deep_ms = await medians_ms([(ours, page1, auth), (ours, deep, auth)], args.requests)

        print(f"list page (50, status + text '公车', {items} items on the page): ours {ours_ms:.2f} ms")
        ratio("  vs bare handler returning the same bytes", ours_ms, floor_ms, 3)
        ratio("  vs the same query without authentication/visibility", ours_ms, plain_ms, 1.15)
        ratio(f"page depth {depth:,} vs page 1", deep_ms, page1_ms, 1.5)
        for client in (ours, floor, plain):
            await client.aclose()
        if args.keep:
            print(f"kept: --reuse {url}")
    finally:
        if pg_name and not args.keep:
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
