"""Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit: shown to everyone,
edited by Admin (see :mod:`kb.services.site_pages`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.errors import KbError
from kb.services import site_pages
from kb.web import kb, viewer
from kb.web.admin import require_role
from kb.web.i18n import error_text
from kb.web.labels import N_

bp = Blueprint("site", __name__)

#: The page titles as UI text (the pages' content stays German in every language).
TITLES = {
    "impressum": N_("Impressum"),
    "datenschutz": N_("Datenschutzerklärung"),
    "barrierefreiheit": N_("Erklärung zur Barrierefreiheit"),
}
assert TITLES.keys() == site_pages.PAGES.keys()
SLUGS = "<any(" + ", ".join(site_pages.PAGES) + "):slug>"


@bp.get(f"/{SLUGS}")
def show(slug: str) -> str:
    return render_template(
        "site/page.html", page=site_pages.get_page(kb(), slug), title=_(TITLES[slug])
    )


@bp.route(f"/{SLUGS}/edit", methods=["GET", "POST"])
def edit(slug: str):  # type: ignore[no-untyped-def]
    require_role("admin")
    page = site_pages.get_page(kb(), slug)
    error = None
    body = page.body
    if request.method == "POST":
        body = request.form.get("body", "")
        try:
            site_pages.save_page(kb(), slug, body, viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Die Seite ist gespeichert."))
            return redirect(url_for("site.show", slug=slug))
    return render_template(
        "site/edit.html", page=page, title=_(TITLES[slug]), body=body, error=error
    ), (400 if error else 200)
