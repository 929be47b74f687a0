"""Take the README's screenshots: the main pages at a phone's and a desk's size, as the personas see them.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python scripts/screenshots.py admin-unit # only the pages named

Serves a throwaway database with the demo data (`integrity db upgrade`, `integrity demo`, `integrity
serve`) and drives the project's Chromium with Playwright. Prints each page's width, which must not
exceed the window's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DOCS = ROOT / "docs"
SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
CHROMIUM = os.environ.get("INTEGRITY_CHROMIUM") or "/usr/lib/chromium/chromium"
# (file name, persona, path or "first:<list>:<link prefix>")
PAGES = (
    ("work-queue-reviewer", "liu.yang", "/"),
    ("work-queue-rectifier", "sun.qiang", "/"),
    ("case-list", "zhang.wei", "/cases"),
    ("case-page", "li.na", "first:/cases:/cases/"),
    ("audit-trail", "zhao.min", "/audit?lang=zh"),  # the auditor reads English; the page shown in Chinese
    ("notifications", "zhang.wei", "/notifications"),
    ("notification-settings", "liu.yang", "/account/notifications"),
    ("notifications-admin", "admin", "/admin/notifications"),
    ("admin-users", "admin", "/admin/users"),
    ("admin-user", "admin", "first:/admin/users?q=sun:/admin/users/"),
    ("admin-unit", "admin", "first:/org:/org/"),
    ("account-password", "zhou.li", "/account/password"),
    ("account-sessions", "zhou.li", "/account/sessions"),
    ("second-factor", "li.na", "/account/second-factor"),
    ("relations", "li.na", "/account/relations?q=李明"),
    ("persons", "li.na", "/persons"),
    ("person", "zhang.wei", "first:/persons?q=郑芳:/persons/"),
    ("catalogues", "admin", "/admin/catalogues"),
    ("calendar", "admin", "/admin/calendar"),
    ("education-projector", "li.na", "/education/1/projector"),
    ("education-sign-in", "zhou.li", "/education/1/sign-in"),
    ("education-mine", "zhou.li", "/education"),
    ("education-invitation", "zhou.li", "/education/1"),
    ("education-reflection", "zhou.li", "/education/12"),
    ("education-manage", "li.na", "/education/manage?when=past"),
    ("education-new", "li.na", "/education/new"),
    ("education-event", "li.na", "/education/12"),
    ("education-coverage", "zhang.wei", "/education/coverage?unit=3"),
    ("education-plan", "li.na", "/education/plans?unit=4"),
    ("education-coverage-people", "li.na", "/education/coverage/people?unit=4"),
    ("work-queue-organiser", "li.na", "/"),
    ("export-verify", "zhao.min", "/exports/verify"),
    ("statistics-cases", "zhao.min", "/statistics/cases?period=year"),
    ("statistics-accountability", "liu.yang", "/statistics/accountability?period=year"),
    ("statistics-rectification", "zhao.min", "/statistics/rectification?period=year"),
    ("statistics-education", "zhang.wei", "/statistics/education?period=year&unit_id=3"),
    ("statistics-reports", "liu.yang", "/statistics/reports"),
    (
        "statistics-drill-down",
        "zhao.min",
        "/statistics/cases/list?figure=received_by_source&key=letters_visits&period=year",
    ),
    # PDFs: the first page as docs/<name>.png (pdftoppm, from poppler-utils)
    ("education-attendance-record", "li.na", "pdf:/education/12/attendance-record.pdf"),
    ("education-report", "li.na", "pdf:/education/report.pdf?unit=4"),
    ("ledger-leads", "liu.yang", "pdf:/statistics/ledgers/leads/pdf?period=year"),
    ("ledger-filed-cases", "liu.yang", "pdf:/statistics/ledgers/filed_cases/pdf?period=year"),
    ("ledger-rectification", "liu.yang", "pdf:/statistics/ledgers/rectification/pdf?period=year"),
    ("ledger-decisions", "liu.yang", "pdf:/statistics/ledgers/decisions/pdf?period=year"),
    ("ledger-education", "liu.yang", "pdf:/statistics/ledgers/education/pdf?period=year"),
)


def main() -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.support.second_factor import pass_second_factor

    OUT.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="integrity-shots-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "INTEGRITY_ENV": "development", "INTEGRITY_DATA_DIR": str(data)}
    cli = [sys.executable, "-m", "integrity"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, **quiet)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            wanted = set(sys.argv[1:])
            for name, persona, path in PAGES:
                if wanted and name not in wanted:
                    continue
                for size, (width, height) in SIZES.items():
                    if path.startswith("pdf:") and size != "desktop":
                        continue
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    page.goto(f"{base}/login")
                    page.fill("input[name=username]", persona)
                    page.fill("input[name=password]", "Integrity-2026")
                    page.click("form[action='/login'] button[type=submit]")
                    page.wait_for_load_state()
                    pass_second_factor(page, base, persona)  # administrators and auditors need one
                    page.wait_for_url(f"{base}/")
                    if path.startswith("first:"):
                        _, listing, prefix = path.split(":")
                        page.goto(f"{base}{listing}")
                        first = page.locator(f"main :is(table, ul) a[href^='{prefix}']").first
                        path = first.get_attribute("href") or "/"
                    if path.startswith("pdf:"):
                        pdf = page.request.get(f"{base}{path[4:]}").body()
                        (data / f"{name}.pdf").write_bytes(pdf)
                        page_one = ["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", "1", "-l", "1"]
                        subprocess.run([*page_one, str(data / f"{name}.pdf"), str(DOCS / name)], check=True)
                        print(f"{name}: {persona} {path[4:]} -> docs/{name}.png")
                        context.close()
                        continue
                    page.goto(f"{base}{path}")
                    page.wait_for_load_state("networkidle")
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    # a phone shows the whole of a short page; long ones (the trail) their first screen
                    whole = size == "phone" and page.evaluate("document.body.scrollHeight") < 2400
                    page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=whole)
                    print(f"{name}-{size}: {persona} {path} width {wide} (window {width})")
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
