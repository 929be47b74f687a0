"""Benchmark a 10,000-row ledger as PDF and as Excel, as ratios against floors measured in the same run.

    .venv/bin/python bench/ledgers.py [--rows 10000] [--rounds 3]

It seeds a SQLite database (demo data plus --rows leads received in one quarter, each disposed of),
serves it the way `integrity serve` does (uvicorn, its PDF workers), and prints:
  * the leads ledger's PDF over HTTP / WeasyPrint rendering a plain table of the same rows  (goal <= 0.6)
  * the leads ledger's workbook over HTTP / openpyxl writing the same rows without styles     (goal <= 1.5)
  * peak memory of a PDF worker process (VmHWM)                                               (goal <= 400 MB)
The floors run in this process while the server is idle, on the very cells the ledger shows (read
before timing); rounds alternate ours and the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.education_coverage import cookie
from bench.statistics_page import grow_quarter
from bench.trail_pdf import descendants, peak_rss_mb
from bench.work_queue import serve

from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.db.migrate import upgrade
from integrity.db.models import Unit
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.ledgers.definitions import BY_NAME
from integrity.domain.ledgers.tables import ledger_table
from integrity.domain.statistics.figures import Reach
from integrity.domain.statistics.periods import Period

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
QUARTER = Period.containing("quarter", date(2026, 8, 15))
READER = "zhang.wei"


async def cells(url: str) -> tuple[list[str], list[list[Any]], int]:
    """The headings and rows the leads ledger shows the reader, and the group's unit id."""
    db = create_database(url)
    async with db.read_session() as session:
        access, _ = await offline_access(session, READER, "bench")
        group = (await session.execute(select(Unit).where(col(Unit.parent_id).is_(None)))).scalar_one()
        table = await ledger_table(session, access, BY_NAME["leads"], Reach(group), QUARTER)
    await db.dispose()
    return table.headings, table.rows, int(group.id or 0)


def plain_pdf(headings: list[str], rows: list[list[Any]]) -> float:
    """WeasyPrint on a plain table of the same cells: default layout, A4 landscape, page numbers."""
    from weasyprint import HTML

    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    html = (
        "<html><head><meta charset='utf-8'><style>@page { size: A4 landscape; margin: 14mm;"
        " @bottom-right { content: counter(page) ' / ' counter(pages) } }"
        " body { font-family: 'WenQuanYi Micro Hei', sans-serif; font-size: 8pt }"
        " table { border-collapse: collapse } td, th { border: 1px solid #999 }</style></head>"
        f"<body><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )
    started = time.perf_counter()
    HTML(string=html).render().write_pdf()
    return time.perf_counter() - started


def plain_xlsx(headings: list[str], rows: list[list[Any]]) -> float:
    """openpyxl writing the same cells, no styles."""
    from openpyxl import Workbook

    started = time.perf_counter()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headings)
    for r in rows:
        sheet.append(r)
    book.save(io.BytesIO())
    return time.perf_counter() - started


def fetch(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    got = client.get(path, timeout=600)
    got.raise_for_status()
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="integrity-bench-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    settings = Settings(env="test", secret_key=SECRET, database_url=url, data_dir=folder)
    await asyncio.to_thread(upgrade, url)
    db = create_database(url)
    await load_demo(db, settings, DEMO_PASSWORD)
    await db.dispose()
    await grow_quarter(url, args.rows, QUARTER)
    headings, rows, group = await cells(url)
    print(f"leads ledger: {len(rows):,} rows of {len(headings)} columns", flush=True)
    env = {
        **os.environ,
        "INTEGRITY_ENV": "test",
        "INTEGRITY_SECRET_KEY": SECRET,
        "INTEGRITY_DATABASE_URL": url,
        "INTEGRITY_DATA_DIR": str(folder),
        "INTEGRITY_WORKER_IN_PROCESS": "false",
    }
    port = 8700 + os.getpid() % 200
    server = serve(env, port, "integrity.app:create_app")
    query = f"period=custom&start={QUARTER.start}&end={QUARTER.end}&unit_id={group}"
    ours_pdf: list[float] = []
    ours_xlsx: list[float] = []
    floor_pdf: list[float] = []
    floor_xlsx: list[float] = []
    try:
        value = await cookie(url, settings)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", cookies={settings.session_cookie: value}
        ) as client:
            fetch(client, f"/statistics/ledgers/leads/xlsx?{query}")  # warm: the first PDF starts workers
            fetch(client, f"/statistics/ledgers/decisions/pdf?{query}")
            for _ in range(args.rounds):
                ours_pdf.append(fetch(client, f"/statistics/ledgers/leads/pdf?{query}"))
                floor_pdf.append(plain_pdf(headings, rows))
                ours_xlsx.append(fetch(client, f"/statistics/ledgers/leads/xlsx?{query}"))
                floor_xlsx.append(plain_xlsx(headings, rows))
        workers = [p for p in descendants(server.pid) if p != server.pid]
        worker_peak = max((peak_rss_mb(p) for p in workers), default=0)
    finally:
        server.terminate()
        server.wait(timeout=30)
    pdf, pdf_floor = statistics.median(ours_pdf), statistics.median(floor_pdf)
    xlsx, xlsx_floor = statistics.median(ours_xlsx), statistics.median(floor_xlsx)
    print(f"  PDF over HTTP {pdf:6.2f} s   plain WeasyPrint table {pdf_floor:6.2f} s"
          f"   ratio {pdf / pdf_floor:4.2f}  (goal <= 0.6)")  # fmt: skip
    print(f"    rounds: ours {[round(x, 2) for x in ours_pdf]}, floor {[round(x, 2) for x in floor_pdf]}")
    print(f"  Excel over HTTP {xlsx:6.2f} s   plain openpyxl {xlsx_floor:6.2f} s"
          f"   ratio {xlsx / xlsx_floor:4.2f}  (goal <= 1.5)")  # fmt: skip
    print(f"  peak memory of a PDF worker: {worker_peak} MB  (goal <= 400)")


if __name__ == "__main__":
    asyncio.run(main())
