"""Benchmark 我的待办 over HTTP at 100,000 and at 1,000,000 cases, as ratios to a floor in the same run.

    .venv/bin/python bench/work_queue.py --engine sqlite
    .venv/bin/python bench/work_queue.py --engine postgresql   # INTEGRITY_TEST_PG_URL or the local test db

The organisation is the demo's, grown with cases inserted directly (bench data, not audited): 5,000 disposal
proposals waiting for a reviewer and 20,000 cases with a running clock (200 of them on zhang.wei's team),
the rest closed with their clocks met. One server, started the way `integrity serve` starts it (uvicorn
with the app factory, one worker), serves both the work queue and the floor: a handler that opens a
database session, runs one trivial query and returns the very bytes the work queue returned. Requests
alternate (queue, floor, queue, floor …) over one keep-alive connection, so a slow spell weighs on both.

Prints, for the group-level reviewer (liu.yang) and the group-level inspector (zhang.wei):
  * p50 of GET / over p50 of the floor, at 100,000 and at 1,000,000 cases    (goal <= 3)
  * p50 at 1,000,000 cases over p50 at 100,000 cases                         (goal <= 1.5)
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
import uuid
from pathlib import Path

import asyncpg
import httpx
from litestar import Litestar, Response, get
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import User
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.accounts.sessions import start_session
from integrity.lib.authz.declarations import public

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("INTEGRITY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
PENDING, RUNNING, TEAM = 5_000, 20_000, 200
USERS = ("liu.yang", "zhang.wei")  # group-level reviewer, group-level inspector
FIRST_ID = 100_000  # bench cases start above the demo's ids


async def scratch_database(engine: str, folder: Path) -> tuple[str, str | None]:
    """A new database for one bench run: a SQLite file in `folder`, or a PostgreSQL database, and its name."""
    if engine != "postgresql":
        return f"sqlite+aiosqlite:///{folder / 'bench.db'}", None
    dbname = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    await admin.close()
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{dbname}", dbname


async def drop_scratch(dbname: str | None) -> None:
    if dbname:
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await admin.close()


def numbers(first: int, last: int, engine: str) -> str:
    """A row per integer in [first, last]: generate_series on PostgreSQL, a recursive CTE on SQLite."""
    if engine == "postgresql":
        return f"n(i) AS (SELECT generate_series({first}, {last}))"
    return f"n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last})"


def day(iso: str, engine: str, plus: str = "0") -> str:
    """A date literal `plus` days on, in the engine's dialect (SQLite keeps dates as ISO text)."""
    if engine == "postgresql":
        return f"(DATE '{iso}' + ({plus}))"
    return f"date('{iso}', '+' || ({plus}) || ' days')"


async def grow(url: str, engine: str, first: int, last: int) -> None:
    """Cases first..last (ids FIRST_ID + i): the first PENDING wait for a reviewer, the next RUNNING have a
    running clock, the rest are closed with a met clock; each has one subject from a pool of 20,000."""
    db = create_database(url)
    async with db.write_session() as s:
        author = (await s.execute(text("SELECT id FROM users WHERE username = 'zhang.wei'"))).scalar_one()
        units = [r[0] for r in (await s.execute(text("SELECT id FROM units ORDER BY id"))).all()]
        slots = " UNION ALL ".join(f"SELECT {k} AS slot, {u} AS unit_id" for k, u in enumerate(units))
        pool = (
            await s.execute(text("SELECT min(id), count(*) FROM persons WHERE employee_no LIKE 'BW%'"))
        ).one()
        if not pool[1]:
            await s.execute(
                text(
                    f"WITH RECURSIVE {numbers(0, 19_999, engine)} INSERT INTO persons "
                    "(unit_id, name, name_en, employee_no, position, cadre_level, party_member, created_at) "
                    f"SELECT {units[0]}, '人员' || i, '', 'BW' || i, '', '', false, CURRENT_TIMESTAMP FROM n"
                )
            )
            pool = (
                await s.execute(text("SELECT min(id), count(*) FROM persons WHERE employee_no LIKE 'BW%'"))
            ).one()
        status = (
            f"CASE WHEN i < {PENDING} THEN 'disposal_proposed' "
            f"WHEN i < {PENDING + RUNNING} THEN 'preliminary_verification' ELSE 'closed' END"
        )
        await s.execute(
            text(
                f"WITH RECURSIVE {numbers(first, last, engine)}, slots AS ({slots}) "
                "INSERT INTO cases (id, number, unit_id, source, category, title, summary, status,"
                " confidential, received_on, created_by_id, created_at, updated_at, version) "
                f"SELECT {FIRST_ID} + i, 'BW-' || i, slots.unit_id, 'audit', 'integrity', '问题线索' || i,"
                f" '', {status}, i % 20 = 7, {day('2026-03-01', engine)}, {author}, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP, 1"
                f" FROM n JOIN slots ON slots.slot = i % {len(units)}"
            )
        )
        await s.execute(
            text(
                "INSERT INTO case_subjects (case_id, person_id) "
                f"SELECT id, {pool[0]} + ((id % {pool[1]}) * 7919) % {pool[1]} FROM cases"
                f" WHERE id BETWEEN {FIRST_ID + first} AND {FIRST_ID + last}"
            )
        )
        # Running clocks (due over the next months, some overdue) and met ones for the closed cases.
        await s.execute(
            text(
                "INSERT INTO case_clocks (case_id, rule_code, started_on, due_on, met_on, stopped_on,"
                " stop_reason) "
                f"SELECT id, 'verification', {day('2026-09-01', engine)},"
                f" {day('2026-10-01', engine, 'id % 150')},"
                f" CASE WHEN status = 'closed' THEN {day('2026-10-01', engine)} END, NULL, '' FROM cases"
                f" WHERE id BETWEEN {FIRST_ID + max(first, PENDING)} AND {FIRST_ID + last}"
            )
        )
        if first == 0:
            await s.execute(
                text(
                    "INSERT INTO approval_requests (kind, object_type, object_id, unit_id, payload, status,"
                    " requested_by_id, requested_at, comment, due_on) "
                    "SELECT 'case.disposal', 'case', id, unit_id, '{\"transition\": \"propose_disposal\","
                    f' "disposal": "closed", "reason": "bench"}}\', \'pending\', {author}, CURRENT_TIMESTAMP,'
                    f" '', {day('2026-10-01', engine, 'id % 150')} FROM cases"
                    f" WHERE id BETWEEN {FIRST_ID} AND {FIRST_ID + PENDING - 1}"
                )
            )
            await s.execute(
                text(
                    "INSERT INTO case_assignments (case_id, user_id, team, assigned_at, recusal_reason) "
                    f"SELECT id, {author}, 'handling', CURRENT_TIMESTAMP, '' FROM cases"
                    f" WHERE id BETWEEN {FIRST_ID + PENDING} AND {FIRST_ID + PENDING + RUNNING - 1}"
                    f" AND id % {RUNNING // TEAM} = 0"
                )
            )
        await s.commit()
    async with db.write_session() as s:  # the statistics a database that grew would have
        await s.execute(text("ANALYZE"))
        await s.commit()
    await db.dispose()


async def cookies(url: str, settings: Settings) -> dict[str, str]:
    db = create_database(url)
    found = {}
    async with db.write_session() as s:
        for name in USERS:
            user = (await s.execute(select(User).where(User.username == name))).scalar_one()  # type: ignore[arg-type]
            made = await start_session(
                s, settings, user, client_addr="127.0.0.1", user_agent="bench", previous_cookie=None
            )
            found[name] = made.cookie_value
        await s.commit()
    await db.dispose()
    return found


def app_with_floor() -> Litestar:
    """The app `integrity serve` runs, plus the floor: one session, one trivial query, the same bytes."""
    from integrity.app import create_app

    app = create_app()
    folder = Path(os.environ["BENCH_FLOOR_DIR"])

    @get("/bench/floor/{name:str}", opt=public(), include_in_schema=False)
    async def floor(name: str) -> Response[bytes]:
        async with app.state.db.read_session() as session:
            await session.execute(text("SELECT 1"))
        return Response((folder / name).read_bytes(), media_type="text/html; charset=utf-8")

    app.register(floor)
    return app


def serve(
    env: dict[str, str], port: int, factory: str = "bench.work_queue:app_with_floor"
) -> subprocess.Popen[bytes]:
    """A server started the way `integrity serve` starts one (uvicorn, the app factory, one worker)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def measure(
    base: str, cookie_name: str, cookie: str, floor_dir: Path, name: str, n: int
) -> tuple[float, float, int]:
    """p50 (ms) of GET / and of the floor returning its bytes, alternating; and the page's row count."""
    with httpx.Client(base_url=base, cookies={cookie_name: cookie}) as client:
        page = client.get("/")
        page.raise_for_status()
        (floor_dir / name).write_bytes(page.content)
        pairs = (("/", []), (f"/bench/floor/{name}", []))
        for _ in range(max(10, n // 10)):
            for path, _samples in pairs:
                client.get(path).raise_for_status()
        for _ in range(n):
            for path, samples in pairs:
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
        rows = page.text.count('data-testid="work-row"')
    return statistics.median(pairs[0][1]), statistics.median(pairs[1][1]), rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    floor_dir = folder / "floor"
    floor_dir.mkdir()
    url, dbname = await scratch_database(args.engine, folder)
    settings = Settings(env="test", secret_key=SECRET, database_url=url, data_dir=folder)
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": SECRET,
        "INTEGRITY_DATABASE_URL": url,
        "INTEGRITY_DATA_DIR": str(folder),
        "BENCH_FLOOR_DIR": str(floor_dir),
    }
    server = None
    try:
        await asyncio.to_thread(upgrade, url)
        db = create_database(url)
        await load_demo(db, settings, DEMO_PASSWORD)
        await db.dispose()
        signed_in = await cookies(url, settings)
        results: dict[tuple[str, int], float] = {}
        grown = 0
        for size in sizes:
            started = time.perf_counter()
            await grow(url, args.engine, grown, size - 1)
            grown = size
            print(
                f"{args.engine}: {size:,} cases seeded in {time.perf_counter() - started:.0f} s", flush=True
            )
            port = 8700 + os.getpid() % 200
            server = serve(env, port)
            try:
                for name in USERS:
                    ours, floor, rows = measure(
                        f"http://127.0.0.1:{port}", settings.session_cookie, signed_in[name], floor_dir, name,
                        args.requests,
                    )  # fmt: skip
                    results[(name, size)] = ours
                    print(
                        f"  {name:10} {rows:3} rows  GET / p50 {ours:6.2f} ms  floor p50 {floor:5.2f} ms"
                        f"  ratio {ours / floor:4.2f}  (goal <= 3)",
                        flush=True,
                    )
            finally:
                server.terminate()
                server.wait()
                server = None
        if len(sizes) == 2:
            for name in USERS:
                growth = results[(name, sizes[1])] / results[(name, sizes[0])]
                print(
                    f"  {name:10} p50 at {sizes[1]:,} / at {sizes[0]:,} cases: {growth:4.2f}  (goal <= 1.5)"
                )
    finally:
        if server is not None:
            server.terminate()
        await drop_scratch(dbname)


if __name__ == "__main__":
    asyncio.run(main())
