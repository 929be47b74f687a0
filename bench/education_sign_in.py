"""Benchmark 200 members signing in to one event at once over HTTP, as a ratio to a floor in the same run.

    .venv/bin/python bench/education_sign_in.py --engine sqlite
    .venv/bin/python bench/education_sign_in.py --engine postgresql  # INTEGRITY_TEST_PG_URL or local test

The demo organisation plus a unit of 200 members (bench rows, inserted directly) and one published event
per round, under way now, for that unit. One server, started the way `integrity serve` starts it (uvicorn
with the app factory, one worker), serves both the member's sign-in (POST /education/{id}/sign-in with
the pass a scan of the projector's code leaves: the pass check, the one-row update from "invited", the
audit event in the hash chain, the page saying 已签到) and the floor: a handler that inserts one row in
one transaction. Each round fires the floor's 220 requests at once, then the 200 sign-ins at once (one
in ten members sends theirs twice), and so on alternately, each request on its own connection. Both
bursts are 220 requests.

Prints sign-ins per second and the p99 latency of both, their ratio (goal: p99 <= 3 x the floor's, 0
errors), and checks that every member was recorded exactly once per event, with one audit event each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar, Response, post
from sqlalchemy import select, text
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.work_queue import drop_scratch, scratch_database, serve

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import RoleGrant, Unit, User
from integrity.db.types import utcnow
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.accounts.sessions import start_session
from integrity.domain.education import codes
from integrity.domain.education.events import AudienceRule, EventDraft, create_event, publish, set_audience
from integrity.lib.authz.declarations import public

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
MEMBERS = 200
TWICE_EVERY = 10  # one member in ten sends the sign-in twice at once
# Requests in each burst, the floor's as the sign-ins' (200 members and the 20 sent twice): a burst's p99
# grows with its size, so both are measured on bursts of the same size.
BURST = MEMBERS + MEMBERS // TWICE_EVERY


async def members_unit(url: str) -> int:
    """A unit under the East China branch with MEMBERS users holding the member role; its id."""
    db = create_database(url)
    async with db.write_session() as s:
        east = (await s.execute(select(Unit).where(col(Unit.code) == "HXP-EAST"))).scalar_one()
        unit = Unit(
            parent_id=east.id, code="BENCH-EDU", name="压测党支部", kind="team", path=f"{east.path}x/"
        )
        s.add(unit)
        await s.flush()
        unit.path = f"{east.path}{unit.id}/"
        users = [
            User(username=f"bench.member{n:03d}", display_name=f"党员{n:03d}", unit_id=unit.id or 0)
            for n in range(MEMBERS)
        ]
        s.add_all(users)
        await s.flush()
        s.add_all(RoleGrant(user_id=u.id or 0, role="member", unit_id=unit.id or 0) for u in users)
        await s.execute(text("CREATE TABLE bench_floor (at VARCHAR(40) NOT NULL)"))
        await s.commit()
    await db.dispose()
    return int(unit.id or 0)


async def event_for(url: str, unit: int, title: str) -> int:
    """A published event of the unit, under way now, for everyone in it."""
    db = create_database(url)
    async with db.write_session() as s:
        access, actor = await offline_access(s, "li.na", "bench")
        now = utcnow()
        draft = EventDraft(
            unit, "warning_education", title, now - timedelta(minutes=2), now + timedelta(hours=2)
        )
        event = await create_event(s, actor, draft, access=access)
        assert event.id is not None
        await set_audience(s, actor, event.id, [AudienceRule("unit", unit_id=unit)], access=access)
        await publish(s, actor, event.id, access=access)
        await s.commit()
    await db.dispose()
    return int(event.id)


async def sessions(url: str, settings: Settings, unit: int) -> list[tuple[str, str]]:
    """(cookie, csrf token) of a fresh session for each member."""
    db = create_database(url)
    made = []
    async with db.write_session() as s:
        users = (
            await s.execute(text("SELECT id FROM users WHERE unit_id = :u ORDER BY id"), {"u": unit})
        ).scalars()
        for user_id in list(users):
            user = await s.get(User, user_id)
            assert user is not None
            started = await start_session(
                s, settings, user, client_addr="127.0.0.1", user_agent="bench", previous_cookie=None
            )
            made.append((started.cookie_value, started.row.csrf_token))
        await s.commit()
    await db.dispose()
    return made


def app_with_floor() -> Litestar:
    """The app `integrity serve` runs, plus the floor: one row inserted in one transaction."""
    from integrity.app import create_app

    app = create_app()

    @post("/bench/floor", opt=public(), include_in_schema=False, status_code=200)
    async def floor() -> Response[bytes]:
        async with app.state.db.write_session() as session:
            await session.execute(
                text("INSERT INTO bench_floor (at) VALUES (:at)"), {"at": utcnow().isoformat()}
            )
            await session.commit()
        return Response(b"ok", media_type="text/plain")

    app.register(floor)
    return app


async def timed(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> tuple[float, int]:
    start = time.perf_counter()
    response = await client.request(method, path, **kwargs)
    return (time.perf_counter() - start) * 1000, response.status_code


async def burst(calls: Sequence[Awaitable[tuple[float, int]]]) -> tuple[list[float], list[int], float]:
    started = time.perf_counter()
    done = await asyncio.gather(*calls)
    wall = time.perf_counter() - started
    return [ms for ms, _ in done], [status for _, status in done], wall


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    url, dbname = await scratch_database(args.engine, folder)
    settings = Settings(env="test", secret_key=SECRET, database_url=url, data_dir=folder)
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": SECRET,
        "INTEGRITY_DATABASE_URL": url,
        "INTEGRITY_DATA_DIR": str(folder),
    }
    server = None
    try:
        await asyncio.to_thread(upgrade, url)
        db = create_database(url)
        await load_demo(db, settings, DEMO_PASSWORD)
        await db.dispose()
        unit = await members_unit(url)
        events = [await event_for(url, unit, f"压测警示教育 {n + 1}") for n in range(args.rounds)]
        signed_in = await sessions(url, settings, unit)
        port = 8700 + os.getpid() % 200
        server = serve(env, port, "bench.education_sign_in:app_with_floor")
        base = f"http://127.0.0.1:{port}"
        ours: list[float] = []
        floor: list[float] = []
        errors = 0
        ours_wall = floor_wall = 0.0
        limits = httpx.Limits(max_connections=2 * MEMBERS + 10, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
            for event in events:
                ms, statuses, wall = await burst(
                    [timed(client, "POST", "/bench/floor") for _ in range(BURST)]
                )
                floor += ms
                floor_wall += wall
                errors += sum(1 for s in statuses if s != 200)
                # Each phone scanned the projector's code first: its browser holds the five-minute pass the
                # scan address leaves (the same value the server gives), and the member taps "sign in".
                scanned, name = codes.issue_pass(settings, event), settings.session_cookie
                calls = []
                for n, (cookie, csrf) in enumerate(signed_in):
                    times = 2 if n % TWICE_EVERY == 0 else 1
                    for _ in range(times):
                        calls.append(
                            timed(
                                client,
                                "POST",
                                f"/education/{event}/sign-in",
                                data={"code": "", "csrf_token": csrf},
                                headers={"Cookie": f"{name}={cookie}; {codes.SCAN_COOKIE}={scanned}"},
                            )
                        )
                ms, statuses, wall = await burst(calls)
                ours += ms
                ours_wall += wall
                errors += sum(1 for s in statuses if s != 200)
                if any(s != 200 for s in statuses):
                    print(f"  event {event}: answers {sorted(Counter(statuses).items())}")
        check = create_database(url)
        async with check.read_session() as s:
            for event in events:
                rows = (
                    await s.execute(
                        text(
                            "SELECT count(*), count(DISTINCT user_id) FROM education_attendance"
                            " WHERE event_id = :e AND status IN ('present', 'late')"
                        ),
                        {"e": event},
                    )
                ).one()
                audited = (
                    await s.execute(
                        text(
                            "SELECT count(*) FROM audit_events WHERE action = 'education.sign_in'"
                            " AND object_id = :e"
                        ),
                        {"e": str(event)},
                    )
                ).scalar_one()
                if tuple(rows) != (MEMBERS, MEMBERS) or audited != MEMBERS:
                    errors += 1
                    print(
                        f"  event {event}: {tuple(rows)} rows, {audited} audit events (want {MEMBERS} each)"
                    )
        await check.dispose()
        sign_ins = MEMBERS * len(events)
        print(
            f"{args.engine}: {sign_ins} sign-ins in {len(events)} bursts of {MEMBERS}"
            f" (+{MEMBERS // TWICE_EVERY} sent twice each), {errors} errors,"
            f" every member recorded once: {errors == 0}"
        )
        print(
            f"  sign-in: {sign_ins / ours_wall:6.0f}/s  p99 {p99(ours):7.1f} ms   floor (one-row insert):"
            f" {BURST * len(events) / floor_wall:6.0f}/s  p99 {p99(floor):7.1f} ms"
        )
        print(f"  p99 ratio {p99(ours) / p99(floor):4.2f}  (goal <= 3, 0 errors)")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        await drop_scratch(dbname)


if __name__ == "__main__":
    asyncio.run(main())
