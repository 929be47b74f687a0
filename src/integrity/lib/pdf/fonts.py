"""Whether a CJK font is installed: without one WeasyPrint prints Chinese as empty boxes, silently."""

from __future__ import annotations

import logging
import shutil
import subprocess

log = logging.getLogger("integrity.pdf")

# Tried in this order by the PDF stylesheet (templates/pdf/trail.css).
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC")


def cjk_fonts() -> list[str]:
    """Font families that fontconfig reports as covering Chinese (empty when none, or no fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    found = subprocess.run(  # noqa: S603  (a fixed command, no user input)
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False
    )
    return sorted({name.split(",")[0].strip() for name in found.stdout.splitlines() if name.strip()})


def warn_if_no_cjk_font() -> bool:
    """Log a clear warning at start-up when PDF trails would lose their Chinese; True when a font is there."""
    families = cjk_fonts()
    if not families:
        log.warning(
            "No CJK font found: Chinese text in PDF trails would print as empty boxes. "
            "Install one, e.g. `apt-get install fonts-wqy-microhei` (./run does this)."
        )
        return False
    log.info("CJK fonts for PDF trails: %s", ", ".join(families))
    return True
