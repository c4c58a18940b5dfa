"""A locked-down URL fetcher for WeasyPrint.

WeasyPrint fetches every stylesheet, image and font a document references. Left with its
default fetcher it would read ``file:`` URLs and make HTTP requests, so a crafted template
value could read local files into a handout or reach hosts inside the network (SSRF). The
fetcher built here serves only regular files below one static directory and refuses
everything else.

Accepted references:

- ``kb-static:handout.css`` or ``kb-static:/img/logo.png`` (the private scheme; handouts are
  rendered with :data:`BASE_URL` as base, so relative references also end up here);
- relative paths such as ``img/logo.png``, resolved against the static directory.

Refused, with :class:`RefusedURL` (WeasyPrint logs it and skips the resource):

- any other scheme: ``file:``, ``http:``, ``https:``, ``ftp:`` …;
- ``data:`` URLs as well. Handouts need none: a QR code is inline SVG markup and a logo is a
  file in the static directory, so allowing them would only widen the surface;
- paths that leave the static directory (``../``, symlinks pointing outside, a host part
  such as ``kb-static://host/x``) and files above :data:`MAX_BYTES`.

WeasyPrint itself is imported only inside :func:`make_url_fetcher`, because the design
forbids loading it before a server forks.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

SCHEME = "kb-static"
#: Base URL handouts are rendered with; relative references resolve to the static directory.
BASE_URL = f"{SCHEME}:/"
#: Largest static file served (a logo or a stylesheet, never a document).
MAX_BYTES = 5 * 1024 * 1024

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9.+-]*):")


class RefusedURL(ValueError):
    """A handout referenced a resource the fetcher will not serve."""


def resolve_static(url: str, static_dir: Path) -> Path:
    """Map ``url`` to a file below ``static_dir`` or refuse it.

    Kept free of WeasyPrint so the security rule can be tested on its own.

    :param url: the URL WeasyPrint asks for (absolute or relative).
    :param static_dir: the only directory whose files may be served.
    :return: the resolved path of an existing regular file inside ``static_dir``.
    :raises RefusedURL: for any other scheme, a host part, traversal or a missing file.
    """
    match = _SCHEME_RE.match(url)
    if match:
        scheme = match[1].lower()
        if scheme != SCHEME:
            raise RefusedURL(f"Handout resource refused (scheme {scheme!r} not allowed): {url}")
        parts = urlsplit(url)
        if parts.netloc:
            raise RefusedURL(f"Handout resource refused (host part not allowed): {url}")
        raw_path = parts.path
    else:
        raw_path = url.split("?", 1)[0].split("#", 1)[0]
    rel = unquote(raw_path).lstrip("/")
    if not rel or "\x00" in rel:
        raise RefusedURL(f"Handout resource refused (empty or invalid path): {url}")
    root = static_dir.resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root):
        raise RefusedURL(f"Handout resource refused (outside the static directory): {url}")
    if not target.is_file():
        raise RefusedURL(f"Handout resource refused (no such static file): {url}")
    if target.stat().st_size > MAX_BYTES:
        raise RefusedURL(f"Handout resource refused (larger than {MAX_BYTES} bytes): {url}")
    return target


def make_url_fetcher(static_dir: Path) -> Any:
    """Return a WeasyPrint URL fetcher that serves only files below ``static_dir``.

    WeasyPrint 70 expects an instance of :class:`weasyprint.urls.URLFetcher` (it reads the
    instance's ``_fail_on_errors``), so the returned object subclasses it and overrides
    ``fetch``; the older "function returning a dict" form is not used. Errors are not fatal:
    WeasyPrint logs the refusal and renders the document without the resource.

    :param static_dir: the directory whose files may be referenced by a handout.
    :return: a ``URLFetcher`` instance to pass as ``url_fetcher=``.
    """
    return _fetcher_class()(Path(static_dir))


@functools.cache
def _fetcher_class() -> type:
    """Build the fetcher class once per process, importing WeasyPrint only now."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):  # type: ignore[misc]
        """Serves :func:`resolve_static` paths; never opens a network or file: URL."""

        def __init__(self, static_dir: Path) -> None:
            super().__init__(allowed_protocols=[SCHEME], allow_redirects=False)
            self.static_dir = static_dir

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            try:
                path = resolve_static(url, self.static_dir)
            except RefusedURL:
                logger.warning("Refused handout resource %r", url)
                raise
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            content_type = f"{mime}; charset=utf-8" if mime.startswith("text/") else mime
            return URLFetcherResponse(
                f"{SCHEME}:/{path.relative_to(self.static_dir.resolve()).as_posix()}",
                body=path.read_bytes(),
                headers={"Content-Type": content_type},
            )

        def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
            # urllib's opener machinery must never run: everything goes through fetch().
            return self.fetch(url if isinstance(url, str) else url.full_url)

    return StaticOnlyURLFetcher
