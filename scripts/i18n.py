"""Extract UI strings from templates and Python and merge them into the zh and en catalogues.

Run after changing UI text: `.venv/bin/python scripts/i18n.py`, then translate the empty
`msgstr` entries in src/integrity/locale/zh/LC_MESSAGES/messages.po. A test fails while any is empty.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "src" / "integrity" / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    """Every message the UI can show."""
    catalog = Catalog(project="integrity", charset="utf-8")
    sources = [
        (
            ROOT / "templates",
            [("**.html", "jinja2.ext:babel_extract")],
            {"**.html": {"extensions": "jinja2.ext.i18n"}},
        ),
        (ROOT / "src" / "integrity", [("**.py", "python")], {}),
    ]
    for folder, method_map, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, method_map, options_map=options, keywords=KEYWORDS
        ):
            catalog.add(
                message,
                None,
                [(str(folder.name + "/" + filename), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def merge(template: Catalog, locale: str) -> Catalog:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if path.exists():
        with path.open("rb") as handle:
            existing = read_po(handle, locale=locale)
        existing.update(template, no_fuzzy_matching=True)
        catalog = existing
    else:
        catalog = Catalog(locale=locale, project="integrity", charset="utf-8")
        for message in template:
            if message.id:
                catalog.add(message.id, None, message.locations)
    if locale == "en":  # English is the source language
        for message in catalog:
            if message.id and not (
                all(message.string) if isinstance(message.string, tuple) else message.string
            ):
                message.string = message.id
    catalog.obsolete.clear()  # (keyed by the singular for plural messages, not by their id tuple)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    return catalog


if __name__ == "__main__":
    template = extract()
    for locale in ("zh", "en"):
        catalog = merge(template, locale)
        # a plural message's string is a tuple, untranslated while any of its forms is empty
        missing = [
            m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
        ]
        print(f"{locale}: {len(catalog)} messages, {len(missing)} untranslated")
        for message_id in missing:
            print("   ", message_id)
    sys.exit(0)
