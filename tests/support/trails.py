"""Reading trail PDFs in tests: text, fonts, drawn glyphs, the attachment, and the standalone verifier."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from integrity.domain.exports.sealing import signing_key_text
from tests.conftest import Client, DemoApp

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "verify_trail.py"


async def export_trail(c: Client, case_id: int, lang: str = "zh") -> Any:
    """The case's trail PDF, in Chinese unless asked otherwise (the demo auditor reads English)."""
    return await c.get(f"/api/v1/cases/{case_id}/trail.pdf", params={"lang": lang})


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def trail_json(pdf: bytes) -> bytes:
    return reader(pdf).attachments["trail.json"][0]


def font_names(pdf: bytes) -> set[str]:
    """The /BaseFont of every font any page uses."""
    names = set()
    for page in reader(pdf).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def drawn_glyph_ids(pdf: bytes) -> dict[str, set[int]]:
    """Per font, every glyph id a page draws (Identity-H: two bytes per glyph; 0 is .notdef)."""
    drawn: dict[str, set[int]] = {}
    doc = reader(pdf)
    for page in doc.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        current = ""
        for operands, operator in ContentStream(page.get_contents(), doc).operations:
            if operator == b"Tf":
                current = str(fonts[operands[0]].get_object()["/BaseFont"])
            elif operator in (b"Tj", b"TJ"):
                items = operands[0] if operator == b"TJ" else [operands[0]]
                for item in items:
                    if isinstance(item, (bytes, str)) or hasattr(item, "original_bytes"):
                        raw = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                        ids = {int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)}
                        drawn.setdefault(current, set()).update(ids)
    return drawn


def with_attachment(pdf: bytes, data: bytes) -> bytes:
    """The same pages with trail.json replaced by `data` (what a forger would produce)."""
    writer = PdfWriter()
    for page in reader(pdf).pages:
        writer.add_page(page)
    writer.add_attachment("trail.json", data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def edit_trail(raw: bytes, change: Any) -> bytes:
    trail = json.loads(raw)
    change(trail)
    return json.dumps(trail, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def run_verifier(pdf: bytes, tmp: Path, public_key: str | None) -> subprocess.CompletedProcess[str]:
    """tools/verify_trail.py in a process of its own, as an auditor would run it."""
    path = tmp / "trail.pdf"
    path.write_bytes(pdf)
    args = [sys.executable, str(VERIFIER), str(path)] + (["--public-key", public_key] if public_key else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def service_public_key(demo_app: DemoApp) -> str:
    return signing_key_text(demo_app.settings)
