"""Rendering user text safely: the URL fetcher reads only our assets, every template escapes, pool limits."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from integrity.config import TEMPLATES_DIR
from integrity.lib.pdf.fetcher import ASSETS_DIR, PackagedAssetFetcher, Refused
from integrity.lib.pdf.pool import PdfPool, RenderFailed
from integrity.lib.pdf.render import RenderJob, render
from tests.conftest import DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import TEST_PASSWORD, close, make_user, unit_id, user_id
from tests.support.trails import export_trail, page_texts, reader


class Counter(BaseHTTPRequestHandler):
    """A loopback server that counts every request; a redirect target points at a local file."""

    hits: list[str] = []

    def do_GET(self) -> None:
        Counter.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    Counter.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def payloads(base: str) -> list[str]:
    """Everything in user text that could make WeasyPrint fetch or embed something."""
    return [
        '<img src="file:///etc/passwd">',
        f'<img src="{base}/img">',
        f'<link rel="attachment" href="{base}/attach">',
        '<link rel="attachment" href="file:///etc/passwd">',
        f'<a rel="attachment" href="{base}/a">x</a>',
        f'<link rel="stylesheet" href="{base}/sheet.css">',
        f'<style>@import url("{base}/import.css"); body {{ background: url("{base}/bg") }}</style>',
        f"<div style=\"background-image: url('{base}/inline')\">x</div>",
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg" width="9" height="9"/></svg>',
        f'<style>@font-face {{ font-family: x; src: url("{base}/font.ttf") }}</style>',
        '<img src="data:image/svg+xml;base64,PHN2Zy8+">',
        f'<object data="{base}/object"></object><embed src="{base}/embed">',
        f'<a href="{base}/redirect">{base}/redirect</a>',
    ]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.css",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x.css",
        (ASSETS_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        (ASSETS_DIR / "trail.html").as_uri(),  # inside, but a template is not an asset
        (TEMPLATES_DIR / "base.html").as_uri(),
        "file://evil.example/" + str(ASSETS_DIR / "trail.css"),
    ],
)
def test_the_fetcher_refuses_everything_but_packaged_assets(url: str) -> None:
    fetcher = PackagedAssetFetcher()
    with pytest.raises(Refused):
        fetcher.fetch(url)
    assert fetcher.refused == [url[:200]]


def test_the_fetcher_serves_our_stylesheet() -> None:
    response = PackagedAssetFetcher().fetch((ASSETS_DIR / "trail.css").as_uri())
    assert b"@page" in response.read()


def test_even_unescaped_html_fetches_nothing_and_embeds_nothing(loopback: str) -> None:
    # Defence in depth: as if escaping had failed, the raw payloads go straight to WeasyPrint.
    html = "<html><body><p>正文</p>" + "".join(payloads(loopback)) + "</body></html>"
    rendered = render(RenderJob(html))
    assert Counter.hits == []
    doc = reader(rendered.pdf)
    assert doc.attachments == {}
    assert _images(rendered.pdf) == 0
    assert any(url.startswith(loopback) for url in rendered.refused)
    assert "file:///etc/passwd" in rendered.refused


def _images(pdf: bytes) -> int:
    count = 0
    for page in reader(pdf).pages:
        objects = page["/Resources"].get_object().get("/XObject", {})
        count += sum(1 for ref in objects.values() if ref.get_object().get("/Subtype") == "/Image")
    return count


async def test_user_text_in_every_field_is_printed_as_text_and_fetches_nothing(
    demo_app: DemoApp, loopback: str
) -> None:
    evil = payloads(loopback)
    inspector = await new_client(demo_app, "li.na")
    person = await inspector.write(
        "POST",
        "/api/v1/persons",
        json={
            "unit_id": await unit_id(demo_app, "HXP"),
            "name": evil[1][:100],
            "position": evil[0],
            "cadre_level": "x",
        },
    )
    assert person.status_code == 201, person.text
    case = await register(inspector, demo_app, title=evil[8][:300])
    case_id = case["id"]
    await inspector.write(
        "PATCH", f"/api/v1/cases/{case_id}", json={"version": case["version"], "summary": "".join(evil)}
    )
    assert (
        await inspector.write("POST", f"/api/v1/cases/{case_id}/notes", json={"body": "".join(evil)})
    ).status_code == 201
    upload = await inspector.write(
        "POST",
        f"/api/v1/cases/{case_id}/evidence",
        files={"file": (evil[2][:200] + ".txt", b"plain text evidence", "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    item = await inspector.write(
        "POST",
        "/api/v1/rectification/items",
        json={
            "unit_id": await unit_id(demo_app, "HXP-EAST"),
            "case_id": case_id,
            "requirement": "".join(evil),
            "responsible_user_id": await user_id(demo_app, "sun.qiang"),
            "due_on": "2027-01-31",
        },
    )
    assert item.status_code == 201, item.text
    proposal = {"transition": "propose_disposal", "reason": "".join(evil), "disposal": "talk_inquiry"}
    current = (await inspector.get(f"/api/v1/cases/{case_id}")).json()["case"]
    proposed = await inspector.write(
        "POST", f"/api/v1/cases/{case_id}/transitions", json={**proposal, "version": current["version"]}
    )
    assert proposed.status_code in (200, 201), proposed.text
    await close(inspector)

    # The downloader's own name goes into the watermark and the footer.
    name, _ = await make_user(demo_app, "auditor", "HX", display_name=evil[6][:100])
    auditor = await new_client(demo_app, name, TEST_PASSWORD)
    response = await export_trail(auditor, case_id)
    await close(auditor)
    assert response.status_code == 200, response.text
    pdf = response.content
    assert Counter.hits == []  # zero fetches
    assert set(reader(pdf).attachments) == {"trail.json"}  # nothing embedded but our trail
    assert _images(pdf) == 0
    text = "".join(page_texts(pdf)).replace("\n", "")
    assert '<img src="file:///etc/passwd">' in text  # printed as the text it is
    assert "root:x:0:0" not in text


async def test_a_render_over_its_time_limit_is_abandoned_and_the_loop_keeps_serving() -> None:
    pool = PdfPool(workers=1, timeout_seconds=0.5, memory_mb=1536)
    html = "<table>" + "<tr><td>长表格</td><td>x</td></tr>" * 4000 + "</table>"
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        with pytest.raises(RenderFailed, match="longer than"):
            await pool.render(RenderJob(html))
        assert ticks >= 5  # the event loop ran while the worker rendered
        # The pool replaced its worker. The worker runs at the lowest CPU priority: beside the other test
        # workers even a one-line PDF once took longer than 0.5 s, so the second render gets more time.
        pool.timeout = 60
        small = await pool.render(RenderJob("<p>小</p>"))
        assert small.pdf.startswith(b"%PDF")
    finally:
        ticker.cancel()
        pool.close()


async def test_a_render_over_its_memory_limit_is_abandoned() -> None:
    # The time limit is generous on purpose: the worker runs at the lowest CPU priority, and beside the
    # other test workers it once took over 60 s to grow to 300 MB. What is tested here is the memory limit.
    pool = PdfPool(workers=1, timeout_seconds=600, memory_mb=300)
    html = "<table>" + "<tr><td>长表格</td><td>x</td></tr>" * 20000 + "</table>"
    try:
        assert (await pool.render(RenderJob("<p>小</p>"))).pages == 1  # a normal trail fits
        with pytest.raises(RenderFailed, match="more than 300 MB"):
            await pool.render(RenderJob(html))
    finally:
        pool.close()


def test_no_template_turns_escaping_off() -> None:
    offenders = []
    for path in sorted(Path(TEMPLATES_DIR).glob("**/*.html")):
        source = path.read_text(encoding="utf-8")
        if "|safe" in source.replace(" ", "") or "autoescape false" in source or "Markup" in source:
            offenders.append(path.name)
    assert offenders == []


def test_start_up_says_clearly_when_no_cjk_font_is_installed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from integrity.lib.pdf import fonts

    assert fonts.warn_if_no_cjk_font() is True  # the set-up command installed one
    monkeypatch.setattr(fonts.shutil, "which", lambda _name: None)
    with caplog.at_level("WARNING", logger="integrity.pdf"):
        assert fonts.warn_if_no_cjk_font() is False
    assert "No CJK font found" in caplog.text
    assert "fonts-wqy-microhei" in caplog.text
