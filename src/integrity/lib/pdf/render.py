"""What a worker process does: lay out our HTML with WeasyPrint and write a PDF/A-3 with attachments."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from datetime import datetime

from integrity.lib.pdf.fetcher import ASSETS_DIR, PackagedAssetFetcher

PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    description: str
    relationship: str = "Data"


@dataclass(frozen=True)
class RenderJob:
    html: str
    attachments: tuple[EmbeddedFile, ...] = ()
    created: datetime | None = None


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    layout_seconds: float
    write_seconds: float
    peak_rss_mb: int  # of the worker process so far
    refused: list[str] = field(default_factory=list)  # URLs the fetcher turned away


def render(job: RenderJob) -> Rendered:
    """Runs in a worker: HTML (already escaped by Jinja) to PDF bytes; resources only via our fetcher."""
    from weasyprint import HTML, Attachment

    fetcher = PackagedAssetFetcher()
    started = time.perf_counter()
    document = HTML(string=job.html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher).render()
    laid_out = time.perf_counter()
    attachments = [
        Attachment(
            string=item.data.decode("utf-8"),
            name=item.name,
            description=item.description,
            relationship=item.relationship,
            url_fetcher=fetcher,
            created=job.created,
            modified=job.created,
        )
        for item in job.attachments
    ]
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments, uncompressed_pdf=False)
    assert pdf is not None
    written = time.perf_counter()
    return Rendered(
        pdf=pdf,
        pages=len(document.pages),
        layout_seconds=laid_out - started,
        write_seconds=written - laid_out,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        refused=fetcher.refused,
    )
