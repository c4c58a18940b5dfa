"""Handouts: plain data in, tagged PDF out.

The service layer collects what the viewer may see into a plain ``dict`` (never ORM
objects) and calls :func:`render_item_handout`; it caches the result under
:func:`handout_cache_key`, which includes the viewer's access level and language.

Item data keys: ``title``, ``kind_label``, ``summary`` (may be ""), ``event_title``
(str | None), ``date`` (date | None), ``access_label``, ``state_label``, ``licence_label``,
``url`` (absolute link
back to the item), ``files`` (list of ``{name, size, mime_label, sha256}``), ``pages`` (list of
``{number, label, text}``), ``generated_at`` (datetime) and ``extraction_notes`` (list of str).

Importing this package does not import WeasyPrint; rendering does.
"""

from __future__ import annotations

from kb.handouts.fetcher import RefusedURL, make_url_fetcher
from kb.handouts.render import (
    handout_cache_key,
    render_item_handout,
    render_item_html,
    template_version,
)

__all__ = [
    "RefusedURL",
    "handout_cache_key",
    "make_url_fetcher",
    "render_item_handout",
    "render_item_html",
    "template_version",
]
