"""The Chinese interface speaks Chinese: every page of every persona, and every error page, in zh."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Request
from litestar.exceptions import HTTPException

from integrity.app import create_app
from integrity.config import Settings
from integrity.db.engine import create_database
from integrity.demo.data import DEMO_PASSWORD, load_demo
from integrity.lib.errors import handle_error
from integrity.lib.i18n import current_locale
from integrity.lib.pdf.pool import PdfPool
from tests.conftest import Client, DemoApp, MigratedTemplates, new_client
from tests.support.helpers import close

PERSONAS = ("admin", "zhang.wei", "li.na", "liu.yang", "chen.jing", "zhao.min", "sun.qiang", "zhou.li")
FIRST_OF = {"/cases": "/cases/", "/rectification": "/rectification/items/", "/decisions": "/decisions/"}
# Pages no navigation link leads to directly.
FORMS = ("/done", "/cases/new", "/cases/import")
# What may stay in Latin letters on a Chinese page: the other language's own name, file formats and
# technical terms an office uses as they are, and identifiers (numbers, codes, user names, dates).
ALLOWED_WORDS = {"English", "PDF", "Excel", "API", "SHA", "HTTP", "URL", "ID", "PDF/A"}
IDENTIFIERS = re.compile(
    r"[A-Z]{1,4}(?:-[A-Z0-9]+)*-\d{4}-\d{3,6}"  # case numbers: JJ-2026-0001, BW-…
    r"|\b[a-z][a-z0-9]*\.[a-z0-9.]+\b"  # user names: li.na
    r"|\bHX[A-Z0-9-]*\b"  # unit codes
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\b[a-f0-9]{16,}\b"  # hashes
    r"|\bSHA-256\b"
    r"|(?<![\w/])/[a-z][\w/.-]*"  # paths of this site (a refused request's address)
    r"|\b(?:GET|POST|PUT|PATCH|DELETE)\b"  # request methods
    r"|\b(?:itg|int)_[A-Za-z0-9_-]+"  # token prefixes
)
VISIBLE_ATTRIBUTES = re.compile(r'\s(?:placeholder|title|aria-label|alt)="([^"]*)"')


def english_words(page: str) -> list[str]:
    """Latin-letter words a reader sees (text and the attributes read aloud), identifiers aside."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    # codes an administrator keys by, and data marked as English (a unit's or person's English name)
    body = re.sub(r"<code\b.*?</code>", " ", body, flags=re.S)
    body = re.sub(r'<(\w+)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", body, flags=re.S)
    said = " ".join(VISIBLE_ATTRIBUTES.findall(body))
    text = html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + said)
    text = IDENTIFIERS.sub(" ", text)
    return sorted({w for w in re.findall(r"[A-Za-z][A-Za-z/'-]*[A-Za-z]", text) if w not in ALLOWED_WORDS})


async def pages_of(c: Client) -> list[str]:
    home = (await c.get("/?lang=zh")).text
    nav = home.split('class="mainnav"', 1)[1].split("</nav>", 1)[0] if 'class="mainnav"' in home else ""
    found = ["/", *FORMS, *re.findall(r'href="(/[^"?#]*)"', nav)]
    for listing, prefix in FIRST_OF.items():
        if listing in found:
            first = re.search(rf'href="({re.escape(prefix)}\d+)"', (await c.get(listing)).text)
            if first:
                found.append(first.group(1))
    return list(dict.fromkeys(found))


@pytest.fixture(scope="module")
def pristine_demo(
    tmp_path_factory: pytest.TempPathFactory, migrated_templates: MigratedTemplates, pdf_pool: PdfPool
) -> Iterator[DemoApp]:
    """An app of its own on a fresh demo (SQLite; the words do not depend on the engine): the pages as
    an office sees them, not the records other tests type in English into the shared demo."""
    for database in migrated_templates.copy("sqlite", tmp_path_factory.mktemp("pristine")):
        settings = database.settings()

        async def load(url: str = database.url, settings: Settings = settings) -> None:
            db = create_database(url)
            await load_demo(db, settings, DEMO_PASSWORD)
            await db.dispose()

        asyncio.run(load())
        app = create_app(settings, pdf_pool)
        yield DemoApp(app, database, settings)
        asyncio.run(app.state.db.dispose())


async def test_every_page_of_every_persona_is_chinese(pristine_demo: DemoApp) -> None:
    demo_app = pristine_demo
    offenders: dict[str, list[str]] = {}
    visited = 0
    for persona in PERSONAS:
        c = await new_client(demo_app, persona)
        try:
            for path in await pages_of(c):
                page = await c.get(f"{path}?lang=zh")
                if page.status_code in (403, 404):  # a form this persona may not open: its error page
                    assert "text/html" in page.headers["content-type"]
                visited += 1
                words = english_words(page.text)
                if words:
                    offenders[f"{persona} {path} ({page.status_code})"] = words
        finally:
            await close(c)
    assert visited > 60
    assert offenders == {}, "\n".join(f"{where}: {words}" for where, words in offenders.items())


async def test_every_error_page_is_chinese(pristine_demo: DemoApp) -> None:
    demo_app = pristine_demo
    member, inspector = await new_client(demo_app, "zhou.li"), await new_client(demo_app, "li.na")
    try:
        answers = {
            404: await inspector.get("/cases/2147483000?lang=zh"),
            403: await member.get("/audit?lang=zh"),  # a member may read no audit trail
            405: await inspector.request("DELETE", "/cases?lang=zh", headers={"accept": "text/html"}),
        }
    finally:
        await close(member)
        await close(inspector)
    for status, page in answers.items():
        assert page.status_code == status, (status, page.status_code)
        assert english_words(page.text) == [], (status, english_words(page.text))
        assert "返回我的待办" in page.text


def test_every_status_the_framework_raises_reads_in_chinese() -> None:
    """413, 415, 429, 500 and any other: the page's words are ours, translated, never the framework's."""
    scope: dict[str, Any] = {
        "type": "http", "method": "GET", "path": "/cases", "raw_path": b"/cases", "query_string": b"",
        "headers": [(b"accept", b"text/html")], "app": None, "state": {}, "path_params": {},
    }  # fmt: skip
    request: Request[Any, Any, Any] = Request(scope)
    token = current_locale.set("zh")
    try:
        for exc in (
            HTTPException(status_code=413, detail="Request Entity Too Large"),
            HTTPException(status_code=415, detail="Unsupported Media Type"),
            HTTPException(status_code=429, detail="Too Many Requests"),
            HTTPException(status_code=418, detail="I'm a teapot"),
            RuntimeError("boom"),
        ):
            context = handle_error(request, exc).context  # type: ignore[attr-defined]
            for words in (context["title"], context["detail"]):
                assert re.search(r"[\u4e00-\u9fff]", words), words
                assert english_words(words) == [], words
    finally:
        current_locale.reset(token)
