"""Fingerprinted static files: ``?v=<hash>`` on every static URL, cached for a year.

Every ``url_for("static", filename=...)`` (templates included, without changing them)
gets ``v=`` plus the first 12 hex digits of the file's SHA-256. A browser may then keep
the file for a year without asking again (``immutable``): a changed file has a new hash,
so pages link to a new URL and the old copy is simply never asked for again. A request
without the current hash (an old page still open, a hand-typed URL) gets a short cache
only, so a stale fingerprint can never pin new content for a year.

Hashes are computed once per file when the app starts and recomputed only when a file's
size or modification time changes (one ``stat`` per static URL; this keeps ``kb serve``
in development honest when kb.css is edited while it runs).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

logger = logging.getLogger(__name__)

#: Cache-Control for a static response whose ``v=`` matches the file's content.
LONG_CACHE = "public, max-age=31536000, immutable"
#: Cache-Control for a static response without (the current) fingerprint.
SHORT_CACHE = "public, max-age=300"
#: Hex digits of the SHA-256 kept in the URL (48 bits: collisions between two versions of one
#: file are not a practical concern).
DIGITS = 12


class Fingerprints:
    """The content hash of each file below one static folder, by its URL path."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = Path(static_dir)
        self._lock = threading.Lock()
        #: filename -> (size, mtime_ns, hash)
        self._known: dict[str, tuple[int, int, str]] = {}
        self._scan()

    def _scan(self) -> None:
        if not self.static_dir.is_dir():
            return
        for path in sorted(self.static_dir.rglob("*")):
            if path.is_file():
                self.version(path.relative_to(self.static_dir).as_posix())
        logger.debug("Fingerprinted %d static files in %s", len(self._known), self.static_dir)

    def version(self, filename: str) -> str | None:
        """The fingerprint of ``filename`` (a path below the static folder), or None.

        None for a path that leaves the folder or names no regular file: the URL is then
        built without ``v=`` and Flask answers 404 as before.
        """
        joined = safe_join(str(self.static_dir), filename)
        if joined is None:
            return None
        try:
            stat = os.stat(joined)
        except OSError:
            return None
        if not os.path.isfile(joined):
            return None
        known = self._known.get(filename)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return known[2]
        digest = hashlib.sha256(Path(joined).read_bytes()).hexdigest()[:DIGITS]
        with self._lock:
            self._known[filename] = (stat.st_size, stat.st_mtime_ns, digest)
        return digest


def init_assets(app: Flask) -> None:
    """Add ``v=`` to static URLs and the matching Cache-Control to static responses."""
    if not app.static_folder:
        return
    fingerprints = Fingerprints(Path(app.static_folder))
    app.extensions["kb_fingerprints"] = fingerprints

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = fingerprints.version(str(values["filename"]))
            if version:
                values["v"] = version

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get("v")
        fresh = bool(wanted) and wanted == fingerprints.version(str(filename))
        response.headers["Cache-Control"] = LONG_CACHE if fresh else SHORT_CACHE
        return response
