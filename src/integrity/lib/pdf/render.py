"""What a worker process does: lay out one part of a document, or lay the overlay over the parts.

A long trail is cut into parts that workers lay out side by side. Page numbers, the running
header, the watermark and the table of contents need the final page count, so they are drawn
afterwards as an overlay document of exactly that many pages, merged onto the parts' pages.
"""

from __future__ import annotations

import functools
import io
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec

from integrity.lib.pdf.fetcher import ASSETS_DIR, PackagedAssetFetcher

P = ParamSpec("P")

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
    seconds: float
    peak_rss_mb: int  # of the worker process so far
    anchors: dict[str, int] = field(default_factory=dict)  # element id -> page index (0-based)
    refused: list[str] = field(default_factory=list)  # URLs the fetcher turned away


def _peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _html(source: str, fetcher: PackagedAssetFetcher) -> object:
    from weasyprint import HTML

    return HTML(string=source, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher)


MEMORY_EXIT = 3  # a worker out of its address space ends with this status (the pool reports it)


def _dies_out_of_memory(work: Callable[P, Rendered]) -> Callable[P, Rendered]:
    """Run in a worker: out of memory, the process leaves at once. Unwinding and the normal exit path
    allocate again, and at the address-space ceiling a worker was seen spinning in malloc for minutes
    instead of dying (so the pool waited out its whole time limit)."""

    @functools.wraps(work)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> Rendered:
        try:
            return work(*args, **kwargs)
        except MemoryError:
            os._exit(MEMORY_EXIT)

    return guarded


@_dies_out_of_memory
def render(job: RenderJob) -> Rendered:
    """HTML (already escaped by Jinja) to a PDF/A-3; resources only through our fetcher."""
    from weasyprint import Attachment

    fetcher = PackagedAssetFetcher()
    started = time.perf_counter()
    document = _html(job.html, fetcher).render()  # type: ignore[attr-defined]
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
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments)
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:  # an element split over pages is listed on each: keep where it starts
            anchors.setdefault(name, index)
    return Rendered(
        pdf=pdf,
        pages=len(document.pages),
        seconds=time.perf_counter() - started,
        peak_rss_mb=_peak_rss_mb(),
        anchors=anchors,
        refused=fetcher.refused,
    )


@_dies_out_of_memory
def compose(parts: list[bytes], layers: list[bytes]) -> Rendered:
    """Join the parts (the first one's catalogue, metadata and attachments are kept) and stamp the layers
    (overlay documents with one page per page of the whole, in order) over them."""
    from pypdf import PdfReader, PdfWriter

    started = time.perf_counter()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(parts[0])))
    for part in parts[1:]:
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    tops = [page for layer in layers for page in PdfReader(io.BytesIO(layer)).pages]
    if len(tops) != len(writer.pages):
        raise ValueError(f"the overlay has {len(tops)} pages for {len(writer.pages)}")
    for number, (page, top) in enumerate(zip(writer.pages, tops, strict=True), start=1):
        _stamp(writer, page, top, f"/IntegrityOverlay{number}")
    out = io.BytesIO()
    writer.write(out)
    return Rendered(
        pdf=out.getvalue(),
        pages=len(writer.pages),
        seconds=time.perf_counter() - started,
        peak_rss_mb=_peak_rss_mb(),
    )


def _stamp(writer: Any, page: Any, layer: Any, name: str) -> None:
    """Draw `layer` over `page` as a form XObject: the page's own content is never parsed or rewritten.

    Pages of one part share their resource dictionary, so each page's layer needs a name of its own.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

    form = StreamObject()
    form.set_data(layer.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): layer.mediabox,
            NameObject("/Resources"): layer["/Resources"].clone(writer),
        }
    )
    form = form.flate_encode()
    resources = page["/Resources"].get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    xobjects = xobjects.get_object()
    xobjects[NameObject(name)] = writer._add_object(form)
    before, after = StreamObject(), StreamObject()
    before.set_data(b"q\n")
    after.set_data(f"\nQ q {name} Do Q\n".encode())
    contents = page.get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *existing, writer._add_object(after)]
    )
