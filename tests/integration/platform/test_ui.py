"""The UI shell: Chinese by default, English by choice, complete catalogues, autoescape everywhere."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from babel.messages.pofile import read_po

from integrity.config import LOCALE_DIR, TEMPLATES_DIR
from integrity.lib.templating import template_environment
from tests.conftest import Client, DemoApp, new_client
from tests.support.helpers import TEST_PASSWORD, close, make_user

ROOT = Path(__file__).resolve().parents[3]


def _i18n_script() -> object:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_ui_string_has_a_chinese_translation() -> None:
    extracted = {m.id for m in _i18n_script().extract() if m.id}  # type: ignore[attr-defined]
    assert len(extracted) > 40
    with (LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        zh = {m.id: m.string for m in read_po(handle) if m.id}
    # a plural's string is a tuple of forms, translated only when every form is
    done = {k for k, v in zh.items() if (all(v) if isinstance(v, tuple) else v)}
    missing = sorted(extracted - done, key=str)
    assert missing == [], f"untranslated (run scripts/i18n.py and translate): {missing}"


def test_every_translation_survives_the_pages_formatting() -> None:
    """Pages format every message with its named values (`%`), even one that has none: a lone "%" in a
    translation ("90%分位数") broke the page that showed it."""
    broken = []
    for locale in ("zh", "en"):
        with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not message.string:
                    continue
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                names = dict.fromkeys(re.findall(r"%\((\w+)\)", str(message.id)), 1)
                for text in strings:
                    try:
                        text % {**names, "num": 1}
                    except (ValueError, TypeError, KeyError):
                        broken.append((locale, message.id, text))
    assert broken == []


# Text left in a template once tags, expressions and comments are removed must be punctuation or
# the names of the two languages in the language switch (written in their own language on purpose),
# or technical symbols that read the same in every language.
ALLOWED_LITERALS = {"中文", "English", "|", "·", "#", "…", "SHA-256", "KB"}


def test_templates_hold_no_hard_coded_ui_text() -> None:
    offenders: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES_DIR.glob("**/*.html")):
        source = path.read_text(encoding="utf-8")
        # {% trans %} blocks are catalogue messages; then drop comments, tags and expressions.
        source = re.sub(r"\{%\s*trans\b.*?\{%\s*endtrans\s*%\}", " ", source, flags=re.DOTALL)
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.DOTALL)
        source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.DOTALL)
        source = re.sub(r"<[^>]+>", " ", source)
        words = [w for w in source.split() if w not in ALLOWED_LITERALS and re.search(r"\w", w)]
        if words:
            offenders[path.name] = words
    assert offenders == {}


def test_every_template_compiles() -> None:
    """The catalogue extractor skips a template it cannot parse, silently: fail here instead."""
    env = template_environment()
    names = env.list_templates()
    assert "work/todo.html" in names
    for name in names:
        env.get_template(name)


def test_autoescape_is_on_for_every_template() -> None:
    env = template_environment()
    evil = "<script>alert(1)</script>"
    # Autoescape is unconditional (not chosen by file name), so it covers every template there is.
    assert env.autoescape is True
    assert env.list_templates()
    rendered = env.from_string("{{ value }}").render(value=evil)
    assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;"


async def test_user_text_is_escaped_in_pages(demo_app: DemoApp) -> None:
    evil = '<img src=x onerror="alert(1)">王五'
    username, _ = await make_user(demo_app, "member", "HXP-EAST-SH", display_name=evil)
    c = await new_client(demo_app, username, TEST_PASSWORD)
    page = (await c.get("/")).text
    assert evil not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;王五" in page
    await close(c)


async def test_chinese_by_default_english_by_choice(client: Client) -> None:
    chinese = await client.get("/login")
    assert '<html lang="zh-CN">' in chinese.text
    assert "登录" in chinese.text
    english = await client.get("/login", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Sign in" in english.text
    assert "登录</h1>" not in english.text
    # The choice sticks (cookie) for the next page.
    again = await client.get("/login")
    assert '<html lang="en">' in again.text


async def test_navigation_follows_roles(demo_app: DemoApp) -> None:
    pages = {}
    for username in ("admin", "zhao.min", "zhou.li"):
        c = await new_client(demo_app, username)
        pages[username] = (await c.get("/")).text
        await close(c)
    assert 'data-nav="users"' in pages["admin"]
    assert 'data-nav="audit"' not in pages["admin"]
    assert 'data-nav="audit"' in pages["zhao.min"]
    assert 'data-nav="users"' not in pages["zhao.min"]
    assert 'data-nav="users"' not in pages["zhou.li"]
    assert 'data-nav="audit"' not in pages["zhou.li"]
    assert "党员/职工" in pages["zhou.li"]
    # The audit page itself is refused to those without the audit permission.
    c = await new_client(demo_app, "admin")
    assert (await c.get("/audit")).status_code == 403
    await close(c)
