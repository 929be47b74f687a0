"""Benchmark the case-trail PDF, as ratios against floors measured in the same run.

    .venv/bin/python bench/trail_pdf.py [--events 1000] [--rounds 3]

It seeds a SQLite database (demo data plus a case with --events audit events and one with a
tenth of them), serves it with `integrity serve` in a process of its own, and prints:
  * end to end (HTTP GET of the PDF) / WeasyPrint alone on the HTML our templates produce  (goal <= 1.15)
  * end to end / a naive rendering of the same events as one long table                    (goal <= 0.5)
  * end to end, 1,000 events / 100 events                                                    (goal <= 11)
  * peak memory of a PDF worker process (VmHWM)                                              (goal <= 300 MB)
  * p99 of GET /api/v1/cases while three such PDFs render / p99 when idle                   (goal <= 1.5)
WeasyPrint alone and the naive table run in this process while the server is idle; "WeasyPrint
alone" lays out and writes the parts our templates produce and then their overlay, one after the
other, in one process (PDF/A-3 and the attachment included): what the service adds is the
database, the seal, templating, the worker pool (which lays the parts out side by side) and the
merge of parts and overlay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import Case, User
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.exports.document import ExportFacts, TrailDocument, overlay_html, trail_document
from integrity.domain.exports.sealing import ATTACHMENT_NAME, sealed_trail, sha256_hex, signing_key
from integrity.domain.exports.trail import load_case_trail
from integrity.domain.users.services import create_token
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.audit.checkpoint import checkpoint_head, public_key_text
from integrity.lib.pdf.render import EmbeddedFile, RenderJob, render

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
BIG_CASE, SMALL_CASE = 6, 1
WORKERS = Settings.model_fields["pdf_workers"].default  # the server runs with its defaults
NOTES = [
    "调取了{n}号车辆的出车记录，与反映的时间段进行比对。",
    "与当事人进行谈话，当事人对反映的问题作了说明（第{n}次）。",
    "Received the unit's written explanation, attached as item {n}.",
    "补充核实相关票据{n}张，财务部门已出具情况说明。",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(settings: Settings, events: int) -> str:
    """Demo data, then real chained events on two cases; returns an auditor's API token."""
    db = create_database(settings.database_url)
    await load_demo(db, settings, DEMO_PASSWORD)
    for case_id, target in ((BIG_CASE, events), (SMALL_CASE, max(events // 10, 1))):
        async with db.read_session() as session:
            case = await session.get(Case, case_id)
            assert case is not None
            existing = await session.execute(
                text("SELECT count(*) FROM audit_events WHERE object_type = 'case' AND object_id = :id"),
                {"id": str(case_id)},
            )
            have = int(existing.scalar() or 0)
            inspector = (
                await session.execute(select(User).where(col(User.username) == "li.na"))
            ).scalar_one()
        actor = Actor("li.na", inspector.id, "bench")
        n = have
        while n < target:
            async with db.write_session() as session:
                batch = []
                for _ in range(min(100, target - n)):
                    n += 1
                    if n % 3 == 0:
                        batch.append(
                            AuditEntry(
                                "case.edit",
                                "case",
                                case_id,
                                case.unit_id,
                                before={"summary": NOTES[n % 4].format(n=n - 1)},
                                after={"summary": NOTES[n % 4].format(n=n)},
                            )
                        )
                    else:
                        body = NOTES[n % 4].format(n=n)
                        batch.append(
                            AuditEntry(
                                "case.note", "case", case_id, case.unit_id, after={"note_id": n, "body": body}
                            )
                        )
                await record(session, actor, *batch)
                await session.commit()
    async with db.write_session() as session:
        auditor = (await session.execute(select(User).where(col(User.username) == "zhao.min"))).scalar_one()
        token = (await create_token(session, settings, Actor("bench"), auditor, "bench", None)).token
        await session.commit()
    await db.dispose()
    return token


async def our_document(settings: Settings, case_id: int, workers: int) -> tuple[TrailDocument, bytes]:
    """The HTML our templates produce for the case (its parts), and its trail, as an export makes them."""
    db = create_database(settings.database_url)
    async with db.read_session() as session:
        access, _ = await offline_access(session, "zhao.min", "bench")
        trail = await load_case_trail(session, access, case_id)
    key = signing_key(settings)
    async with db.write_session() as session:
        checkpoint = await checkpoint_head(session, key)
        await session.commit()
    await db.dispose()
    facts = ExportFacts(str(uuid.uuid4()), "赵敏", datetime.now(UTC), settings.timezone)
    trail_bytes = sealed_trail(key, {"id": facts.id}, trail.events, checkpoint)
    public = public_key_text(key.public_key())
    document = trail_document(trail, facts, checkpoint, public, sha256_hex(trail_bytes), workers)
    return document, trail_bytes


def weasyprint_alone(document: TrailDocument, trail_bytes: bytes) -> tuple[float, int]:
    """WeasyPrint, in this process, on each part and then each run of the overlay, one after the other."""
    started = time.perf_counter()
    attachment = EmbeddedFile(ATTACHMENT_NAME, trail_bytes, "trail")
    parts = [
        render(RenderJob(html, (attachment,) if i == 0 else ())) for i, html in enumerate(document.parts)
    ]
    pages = [p.pages for p in parts]
    for layer in overlay_html(document, pages, [p.anchors for p in parts]):
        render(RenderJob(layer))
    return time.perf_counter() - started, sum(pages)


def naive_html(trail_bytes: bytes) -> str:
    """The same events as one long table, the obvious way: auto layout, every column, raw JSON."""
    from html import escape

    events = json.loads(trail_bytes)["events"]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(e[k]))}</td>"
            for k in ("seq", "occurred_at", "actor", "action", "object_type", "changes", "hash")
        )
        + "</tr>"
        for e in events
    )
    head = "".join(f"<th>{k}</th>" for k in ("seq", "time", "actor", "action", "object", "changes", "hash"))
    return (
        "<html><head><meta charset='utf-8'><style>@page { size: A4; margin: 20mm;"
        " @bottom-right { content: counter(page) ' / ' counter(pages) } }"
        " body { font-family: 'WenQuanYi Micro Hei', sans-serif; font-size: 8pt }"
        " table { border-collapse: collapse } td, th { border: 1px solid #999 }</style></head>"
        f"<body><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>"
    )


def naive_seconds(html: str) -> tuple[float, int]:
    from weasyprint import HTML

    started = time.perf_counter()
    document = HTML(string=html).render()
    document.write_pdf()
    return time.perf_counter() - started, len(document.pages)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


async def timed_export(client: httpx.AsyncClient, case_id: int) -> float:
    started = time.perf_counter()
    response = await client.get(f"/api/v1/cases/{case_id}/trail.pdf", timeout=300)
    assert response.status_code == 200, response.text[:500]
    return time.perf_counter() - started


async def list_latencies(client: httpx.AsyncClient, until: asyncio.Event | None, count: int) -> list[float]:
    samples: list[float] = []
    while (until is None and len(samples) < count) or (until is not None and not until.is_set()):
        started = time.perf_counter()
        response = await client.get("/api/v1/cases", params={"limit": 50})
        assert response.status_code == 200
        samples.append(time.perf_counter() - started)
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-pdf-"))
    settings = Settings(env="test", secret_key=SECRET, data_dir=folder)
    await asyncio.to_thread(upgrade, settings.database_url)  # Alembic runs its own event loop
    token = await seed(settings, args.events)
    port = free_port()
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": SECRET,
        "INTEGRITY_DATA_DIR": str(folder),
    }
    server = subprocess.Popen(  # noqa: ASYNC220  (started once, before anything is measured)
        [str(ROOT / ".venv" / "bin" / "integrity"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            for _ in range(100):
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            await timed_export(client, SMALL_CASE)  # starts the worker processes (WeasyPrint imported)
            await timed_export(client, BIG_CASE)
            big = [await timed_export(client, BIG_CASE) for _ in range(args.rounds)]
            small = [await timed_export(client, SMALL_CASE) for _ in range(args.rounds)]
            workers = descendants(server.pid)
            worker_peak = max((peak_rss_mb(pid) for pid in workers), default=0)
            server_peak = peak_rss_mb(server.pid)

            document, attachment = await our_document(settings, BIG_CASE, WORKERS)
            weasy = [weasyprint_alone(document, attachment) for _ in range(args.rounds)]
            naive_markup = naive_html(attachment)
            naive = [naive_seconds(naive_markup) for _ in range(max(1, args.rounds - 1))]

            await list_latencies(client, None, 50)  # warm
            idle = await list_latencies(client, None, 600)
            done = asyncio.Event()
            lister = asyncio.create_task(list_latencies(client, done, 0))
            await asyncio.gather(*(timed_export(client, BIG_CASE) for _ in range(3)))
            done.set()
            loaded = await lister
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    e2e, e2e_small = statistics.median(big), statistics.median(small)
    alone, pages = statistics.median(w[0] for w in weasy), weasy[0][1]
    naive_s, naive_pages = statistics.median(n[0] for n in naive), naive[0][1]
    print(f"case with {args.events} audit events: {pages} pages; {args.rounds} rounds, medians")
    print(f"  end to end (HTTP):           {e2e:6.2f} s   rounds: {[round(x, 2) for x in big]}")
    print(f"  WeasyPrint alone, our HTML:  {alone:6.2f} s   rounds: {[round(w[0], 2) for w in weasy]}")
    print(f"    ({len(document.parts)} parts and the overlay, one after the other, in this process)")
    print(f"  naive long table:            {naive_s:6.2f} s   ({naive_pages} pages)")
    print(f"  end to end, {max(args.events // 10, 1)} events:     {e2e_small:6.2f} s")
    print(f"  end to end / WeasyPrint alone:   {e2e / alone:5.2f}  (goal <= 1.15)")
    print(f"  end to end / naive table:        {e2e / naive_s:5.2f}  (goal <= 0.5)")
    tenth = max(args.events // 10, 1)
    print(f"  {args.events} events / {tenth} events:      {e2e / e2e_small:5.2f}  (goal <= 11)")
    print(f"  peak memory of a PDF worker:     {worker_peak} MB  (goal <= 300)")
    print(f"  peak memory of the web process:  {server_peak} MB")
    print(
        f"  p99 GET /api/v1/cases: idle {p99(idle) * 1000:.1f} ms ({len(idle)} requests),"
        f" during 3 renders {p99(loaded) * 1000:.1f} ms ({len(loaded)} requests)"
    )
    print(f"  p99 during renders / idle:       {p99(loaded) / p99(idle):5.2f}  (goal <= 1.5)")


if __name__ == "__main__":
    asyncio.run(main())
