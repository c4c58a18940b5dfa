"""The pages a German public web site must have: Impressum, Datenschutzerklärung and
Erklärung zur Barrierefreiheit.

Their text is the operator's (who is responsible, whom to contact), so an Admin edits
it in the database (``site_pages``). Until then each page shows a default text shipped
with the app (``kb/data/site_<slug>.md``), which says plainly which details the operator
must fill in. The content is German on every UI language: it is a legal text, not UI.
Bodies are Markdown, shown only through :func:`kb.services.markdown.render_markdown`.
Saving an empty text removes the row, so the page shows the shipped default again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from kb.errors import Forbidden, NotFound, ValidationError
from kb.models import SitePage, User, utcnow
from kb.services import audit
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.markdown import render_markdown

logger = logging.getLogger(__name__)

#: Slug -> German title, in footer order. The slug is also the page's path.
PAGES: dict[str, str] = {
    "impressum": "Impressum",
    "datenschutz": "Datenschutzerklärung",
    "barrierefreiheit": "Erklärung zur Barrierefreiheit",
}
#: Generous for a legal text; keeps a pasted document from filling the database.
MAX_BODY = 50_000
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class SitePageView:
    slug: str
    title: str
    #: Markdown as stored (or the shipped default).
    body: str
    #: Sanitised HTML of ``body``.
    html: str
    #: False while the shipped default is shown.
    customised: bool
    updated_at: dt.datetime | None = None
    updated_by: str = ""


def default_body(slug: str) -> str:
    """The shipped placeholder text of a page."""
    return (DATA_DIR / f"site_{_known(slug)}.md").read_text(encoding="utf-8")


def _known(slug: str) -> str:
    if slug not in PAGES:
        raise NotFound("Diese Seite gibt es nicht.", "This page does not exist.")
    return slug


def get_page(kb: Kb, slug: str) -> SitePageView:
    """The page as everyone sees it: the Admin's text, else the default.

    :raises NotFound: not one of :data:`PAGES`.
    """
    _known(slug)
    with kb.db.reading() as session:
        row = session.get(SitePage, slug)
        if row is None:
            body = default_body(slug)
            return SitePageView(slug, PAGES[slug], body, render_markdown(body), False)
        editor = session.get(User, row.updated_by_id) if row.updated_by_id else None
        return SitePageView(
            slug,
            PAGES[slug],
            row.body,
            render_markdown(row.body),
            True,
            row.updated_at,
            (editor.display_name or editor.username) if editor else "",
        )


def save_page(kb: Kb, slug: str, body: str, viewer: Viewer) -> None:
    """Store an Admin's text; an empty text brings the shipped default back.

    :raises Forbidden: the viewer is not an Admin.
    :raises ValidationError: the text is longer than :data:`MAX_BODY` characters.
    """
    _known(slug)
    if not viewer.has_role("admin"):
        raise Forbidden(
            "Diese Seite ist der Verwaltung vorbehalten.", "This page is for administrators."
        )
    body = body.replace("\r\n", "\n")
    if len(body) > MAX_BODY:
        raise ValidationError(
            f"Der Text ist länger als {MAX_BODY:,} Zeichen.".replace(",", "."),
            f"The text is longer than {MAX_BODY:,} characters.",
        )
    with kb.db.writing() as session:
        _store(session, slug, body, viewer)
        audit.record(session, "site_page_changed", viewer, detail=slug)
    logger.info("Site page %s changed by user %s", slug, viewer.user_id)


def _store(session: Session, slug: str, body: str, viewer: Viewer) -> None:
    row = session.get(SitePage, slug)
    if not body.strip():
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = SitePage(slug=slug)
        session.add(row)
    row.body = body
    row.updated_at = utcnow()
    row.updated_by_id = viewer.user_id
