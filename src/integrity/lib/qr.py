"""QR codes as inline SVG: our own markup, nothing fetched."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, scale: int = 4, *, fit: bool = False) -> Markup:
    """segno draws fixed markup around the encoded text (never the text itself as markup). `fit`: no
    width or height, only a viewBox, so the page's style sizes it (a projector's screen)."""
    svg = segno.make(text, error="m").svg_inline(scale=scale, border=2, omitsize=fit)
    return Markup(svg)  # noqa: S704  (segno's output, not the caller's text)
