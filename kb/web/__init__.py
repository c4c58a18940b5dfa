"""The HTML pages: thin views over :mod:`kb.services`."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, url_for

from kb.services.access import ANONYMOUS, Viewer
from kb.services.context import Kb


def kb() -> Kb:
    """The current app's services bundle."""
    return current_app.extensions["kb"]


def viewer() -> Viewer:
    """The person asking, as loaded from the session by :mod:`kb.web.auth`."""
    return g.get("viewer", ANONYMOUS)


def safe_next(target: str | None, default: str = "pages.home") -> str:
    """``target`` if it is a path on this site, else the default page (no open redirects).

    Only plain absolute paths pass: no scheme, no host, no ``//`` or ``/\\``
    that browsers would read as another host.
    """
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith(("//", "/\\"))
            and not any(ord(c) < 32 for c in target)
        ):
            return target
    return url_for(default)
