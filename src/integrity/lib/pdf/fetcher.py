"""The only way WeasyPrint gets a resource: our packaged PDF assets, read from disk, nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from integrity.config import TEMPLATES_DIR

ASSETS_DIR = (TEMPLATES_DIR / "pdf").resolve()
ALLOWED_SUFFIXES = frozenset({".css", ".ttf", ".otf", ".ttc", ".woff", ".woff2"})


class Refused(ValueError):
    """A URL outside the packaged assets; WeasyPrint logs it and renders without the resource."""


def asset_path(url: str) -> Path:
    """The packaged file a URL names, or Refused: file:// only, inside ASSETS_DIR, known suffixes."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise Refused(f"not a packaged asset: {url[:200]}")
    path = Path(unquote(parts.path)).resolve()  # resolves .. and symlinks before the containment test
    if not path.is_relative_to(ASSETS_DIR) or path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise Refused(f"not a packaged asset: {url[:200]}")
    if not path.is_file():
        raise Refused(f"no such packaged asset: {path.name}")
    return path


class PackagedAssetFetcher(URLFetcher):
    """Refuses http(s), data:, ftp, and every file outside the assets folder; never follows a redirect."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            path = asset_path(url)
        except Refused:
            self.refused.append(url[:200])
            raise
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
