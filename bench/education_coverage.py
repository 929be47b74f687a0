"""Benchmark education coverage for a 10,000-member organisation with a year of 300 events (about a
million attendance rows), as a ratio to a floor in the same run.

    .venv/bin/python bench/education_coverage.py --engine sqlite
    .venv/bin/python bench/education_coverage.py --engine postgresql  # INTEGRITY_TEST_PG_URL or local test

The demo organisation plus a company of 50 units with 200 members each (bench rows, inserted
directly), 300 closed events of the past year and their attendance (each member on a third of the
lists; present, late, excused, absent or made up by a fixed spread). One server, started the way
`integrity serve` starts it, serves the coverage page of the company for the year (one request:
every unit rolled up the tree, never-attended counts) and the floor: a handler that runs a plain
grouped count (`SELECT status, count(*) … GROUP BY status`) over the same rows and returns the very
bytes the coverage page returned. Requests alternate over one keep-alive connection.

Prints both medians and their ratio (goal <= 2), and checks the page's totals against the rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import anyio
import httpx
from litestar import Litestar, Response, get
from sqlalchemy import insert, select, text
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.work_queue import drop_scratch, scratch_database, serve

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import EducationEvent, RoleGrant, Unit, User
from integrity.db.types import utcnow
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.accounts.sessions import start_session
from integrity.domain.cases.clocks import local_today
from integrity.lib.authz.declarations import public

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
UNITS, PER_UNIT, EVENTS = 50, 200, 300
READER = "zhang.wei"  # the group's inspector: reads every unit's education


async def grow(url: str) -> tuple[int, int]:
    """The bench company, its members, events and attendance; (company unit id, attendance rows)."""
    db = create_database(url)
    async with db.write_session() as s:
        group = (await s.execute(select(Unit).where(col(Unit.code) == "HX"))).scalar_one()
        company = Unit(parent_id=group.id, code="BENCH", name="压测公司", kind="company", path="tmp/")
        s.add(company)
        await s.flush()
        company.path = f"{group.path}{company.id}/"
        units = [
            Unit(
                parent_id=company.id,
                code=f"BENCH-{n:02d}",
                name=f"压测支部{n:02d}",
                kind="team",
                path=f"t{n}/",
            )
            for n in range(UNITS)
        ]
        s.add_all(units)
        await s.flush()
        for unit in units:
            unit.path = f"{company.path}{unit.id}/"
        await s.flush()
        now = utcnow()
        await s.execute(
            insert(User),
            [
                {"username": f"bench.{u.id}.{n:03d}", "display_name": f"党员{u.id}-{n:03d}", "unit_id": u.id}
                for u in units
                for n in range(PER_UNIT)
            ],
        )
        organiser = (await s.execute(select(col(User.id)).where(col(User.username) == READER))).scalar_one()
        await s.execute(
            insert(EducationEvent),
            [
                {
                    "unit_id": company.id,
                    "type_code": ("party_lesson", "warning_education", "lecture", "topic_study")[n % 4],
                    "title": f"压测活动{n:03d}",
                    "starts_at": now - timedelta(days=360) + timedelta(hours=28 * n),
                    "ends_at": now - timedelta(days=360) + timedelta(hours=28 * n + 2),
                    "status": "closed",
                    "created_by_id": organiser,
                }
                for n in range(EVENTS)
            ],
        )
        members = select(col(User.id)).where(col(User.unit_id).in_([u.id for u in units]))
        spread = (
            "CASE WHEN (u.id * 7 + e.id * 13) % 100 < 75 THEN 'present'"
            " WHEN (u.id * 7 + e.id * 13) % 100 < 83 THEN 'late'"
            " WHEN (u.id * 7 + e.id * 13) % 100 < 88 THEN 'excused'"
            " WHEN (u.id * 7 + e.id * 13) % 100 < 98 THEN 'absent' ELSE 'made_up' END"
        )
        ids = ",".join(str(i) for i in (await s.execute(members)).scalars())
        await s.execute(
            text(
                "INSERT INTO education_attendance (event_id, user_id, status, walk_in, method, invited_at,"
                " leave_state, leave_reason, note)"
                f" SELECT e.id, u.id, {spread}, false, 'staff', e.starts_at, '', '', ''"
                f" FROM education_events e JOIN users u ON u.id IN ({ids}) AND (u.id + e.id) % 3 = 0"
                " WHERE e.unit_id = :company"
            ),
            {"company": company.id},
        )
        rows = (
            await s.execute(
                text(
                    "SELECT count(*) FROM education_attendance a JOIN education_events e ON e.id = a.event_id"
                    " WHERE e.unit_id = :company"
                ),
                {"company": company.id},
            )
        ).scalar_one()
        s.add(RoleGrant(user_id=organiser, role="inspector", unit_id=company.id or 0))
        await s.commit()
    async with db.write_session() as s:
        await s.execute(text("ANALYZE"))
        await s.commit()
    await db.dispose()
    return int(company.id or 0), int(rows)


async def cookie(url: str, settings: Settings) -> str:
    db = create_database(url)
    async with db.write_session() as s:
        user = (await s.execute(select(User).where(col(User.username) == READER))).scalar_one()
        made = await start_session(
            s, settings, user, client_addr="127.0.0.1", user_agent="bench", previous_cookie=None
        )
        await s.commit()
    await db.dispose()
    return made.cookie_value


def app_with_floor() -> Litestar:
    """The app `integrity serve` runs, plus the floor: a plain grouped count, the page's bytes."""
    from integrity.app import create_app

    app = create_app()
    page = Path(os.environ["BENCH_FLOOR_FILE"])
    cached: list[bytes] = []

    @get("/bench/floor", opt=public(), include_in_schema=False)
    async def floor() -> Response[bytes]:
        async with app.state.db.read_session() as session:
            (
                await session.execute(
                    text("SELECT status, count(*) FROM education_attendance GROUP BY status")
                )
            ).all()
        if not cached:  # written by the bench before its first floor request
            cached.append(await anyio.Path(page).read_bytes())
        return Response(cached[0], media_type="text/html; charset=utf-8")

    app.register(floor)
    return app


def measure(
    base: str, cookie_name: str, value: str, floor_file: Path, path: str, n: int
) -> tuple[float, float, str]:
    with httpx.Client(base_url=base, cookies={cookie_name: value}, timeout=120) as client:
        page = client.get(path)
        page.raise_for_status()
        floor_file.write_bytes(page.content)
        pairs: tuple[tuple[str, list[float]], ...] = ((path, []), ("/bench/floor", []))
        for _ in range(2):
            for p, _samples in pairs:
                client.get(p).raise_for_status()
        for _ in range(n):
            for p, samples in pairs:
                start = time.perf_counter()
                client.get(p).raise_for_status()
                samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(pairs[0][1]), statistics.median(pairs[1][1]), page.text


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    url, dbname = await scratch_database(args.engine, folder)
    settings = Settings(env="test", secret_key=SECRET, database_url=url, data_dir=folder)
    floor_file = folder / "coverage.html"
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
        await db.dispose()
        started = time.perf_counter()
        company, rows = await grow(url)
        print(f"{args.engine}: {UNITS * PER_UNIT:,} members, {EVENTS} events, {rows:,} attendance rows seeded"
              f" in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        value = await cookie(url, settings)
        port = 8700 + os.getpid() % 200
        server = serve(env, port, "bench.education_coverage:app_with_floor")
        today = local_today()
        path = f"/education/coverage?unit={company}&from={today - timedelta(days=366)}&to={today}"
        ours, floor, page = measure(
            f"http://127.0.0.1:{port}", settings.session_cookie, value, floor_file, path, args.requests
        )
        row = page.split(f'data-unit="{company}"', 1)[1].split("</tr>", 1)[0]
        counted = sum(
            int(row.split(f'data-status="{s}">', 1)[1].split("<", 1)[0])
            for s in ("present", "late", "made_up", "excused", "absent", "invited")
        )
        print(
            f"  the page's totals count {counted:,} rows of {rows:,}: {'ok' if counted == rows else 'WRONG'}"
        )
        print(f"  coverage p50 {ours:7.1f} ms   floor (grouped count, same bytes) p50 {floor:7.1f} ms"
              f"   ratio {ours / floor:4.2f}  (goal <= 2)")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        await drop_scratch(dbname)


if __name__ == "__main__":
    asyncio.run(main())
