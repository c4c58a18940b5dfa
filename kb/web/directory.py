"""Redaktion's pages for persons, organisations and the vocabularies (topics, programmes)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kb.errors import KbError
from kb.models import ORGANISATION_KINDS
from kb.services import browse, directory, organisations, vocabulary
from kb.services.reference import all_districts
from kb.web import kb, viewer
from kb.web.admin import require_role
from kb.web.i18n import error_text

bp = Blueprint("directory", __name__)


def _flash_error(exc: KbError) -> None:
    flash(error_text(exc), "error")


@bp.route("/persons", methods=["GET", "POST"])
def persons():  # type: ignore[no-untyped-def]
    """The person list with counts; POST adds a person."""
    require_role("redaktion")
    form = request.form
    if request.method == "POST":
        try:
            directory.create_person(
                kb(), form.get("name", ""), form.get("function", ""),
                form.get("organisation", ""), viewer(),
            )  # fmt: skip
        except KbError as exc:
            _flash_error(exc)
        else:
            flash(_("Die Person ist angelegt."))
        return redirect(url_for("directory.persons"))
    return render_template("directory/persons.html", persons=directory.list_persons(kb(), viewer()))


@bp.route("/persons/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int):  # type: ignore[no-untyped-def]
    require_role("redaktion")
    person = directory.get_person(kb(), person_id, viewer())
    error = None
    if request.method == "POST":
        form = request.form
        try:
            directory.update_person(
                kb(), person_id, form.get("name", ""), form.get("function", ""),
                form.get("organisation", ""), viewer(),
            )  # fmt: skip
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Die Änderungen sind gespeichert."))
            return redirect(url_for("directory.persons"))
    return render_template("directory/person_edit.html", person=person, error=error), (
        400 if error else 200
    )


@bp.post("/persons/<int:person_id>/delete")
def person_delete(person_id: int) -> Response:
    require_role("redaktion")
    try:
        directory.delete_person(kb(), person_id, viewer())
    except KbError as exc:
        if exc.status == 404:
            raise
        _flash_error(exc)
    else:
        flash(_("Die Person ist gelöscht."))
    return redirect(url_for("directory.persons"))


@bp.post("/persons/merge")
def persons_merge() -> Response:
    require_role("redaktion")
    keep = request.form.get("keep", type=int) or 0
    drop = request.form.get("drop", type=int) or 0
    try:
        directory.merge_persons(kb(), keep, drop, viewer())
    except KbError as exc:
        _flash_error(exc)
    else:
        flash(_("Die Personen sind zusammengeführt."))
    return redirect(url_for("directory.persons"))


def _organisation_edit() -> organisations.OrganisationEdit:
    form = request.form
    return organisations.OrganisationEdit(
        name=form.get("name", ""),
        short_name=form.get("short_name", ""),
        kind=form.get("kind", "sonstige"),
        district_ags=form.get("district_ags", "")[:8],
        description=form.get("description", "")[:5000],
    )


def _organisation_form(org: object, error: str | None, action: str, slug: str = ""):  # type: ignore[no-untyped-def]
    return render_template(
        "directory/organisation_edit.html",
        org=org,
        error=error,
        action=action,
        slug=slug,
        kinds=ORGANISATION_KINDS,
        districts=all_districts(kb()),
    ), (400 if error else 200)


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new():  # type: ignore[no-untyped-def]
    require_role("redaktion")
    error = None
    if request.method == "POST":
        try:
            slug = organisations.create_organisation(kb(), _organisation_edit(), viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Die Organisation ist angelegt."))
            return redirect(url_for("network.organisation", slug=slug))
    return _organisation_form(_organisation_edit(), error, url_for("directory.organisation_new"))


@bp.route("/organisations/<slug>/edit", methods=["GET", "POST"])
def organisation_edit(slug: str):  # type: ignore[no-untyped-def]
    require_role("redaktion")
    page = browse.organisation_page(kb(), slug[:80], viewer())
    error = None
    if request.method == "POST":
        try:
            organisations.update_organisation(kb(), page.slug, _organisation_edit(), viewer())
        except KbError as exc:
            error = error_text(exc)
        else:
            flash(_("Die Änderungen sind gespeichert."))
            return redirect(url_for("network.organisation", slug=page.slug))
    org = organisations.OrganisationEdit(
        page.name, page.short_name, page.kind, page.district[0] if page.district else "",
        page.description,
    )  # fmt: skip
    action = url_for("directory.organisation_edit", slug=page.slug)
    return _organisation_form(org, error, action, page.slug)


@bp.post("/organisations/<slug>/delete")
def organisation_delete(slug: str) -> Response:
    require_role("redaktion")
    try:
        organisations.delete_organisation(kb(), slug[:80], viewer())
    except KbError as exc:
        if exc.status == 404:
            raise
        _flash_error(exc)
        return redirect(url_for("network.organisation", slug=slug[:80]))
    flash(_("Die Organisation ist gelöscht."))
    return redirect(url_for("network.organisations"))


@bp.post("/organisations/merge")
def organisations_merge() -> Response:
    require_role("redaktion")
    form = request.form
    try:
        organisations.merge_organisations(
            kb(), form.get("keep", "")[:80], form.get("drop", "")[:80], viewer()
        )
    except KbError as exc:
        _flash_error(exc)
    else:
        flash(_("Die Organisationen sind zusammengeführt."))
    return redirect(url_for("network.organisations"))


@bp.route("/admin/vocabulary", methods=["GET", "POST"])
def vocabulary_page():  # type: ignore[no-untyped-def]
    """Topics and programmes: list with counts, add, rename/describe, delete (if unused)."""
    require_role("redaktion")
    if request.method == "POST":
        _change_vocabulary()
        return redirect(url_for("directory.vocabulary_page"))
    return render_template(
        "directory/vocabulary.html",
        lists={
            name: (label, vocabulary.entries(kb(), name, viewer()))
            for name, (_, label) in vocabulary.VOCABULARIES.items()
        },
        tags=vocabulary.tags_in_use(kb(), viewer()),
    )


def _change_vocabulary() -> None:
    form = request.form
    which, action = form.get("vocabulary", ""), form.get("action", "")
    entry_id = form.get("id", type=int) or 0
    name, description = form.get("name", "")[:200], form.get("description", "")[:5000]
    try:
        if action == "add":
            vocabulary.add_entry(kb(), which, name, description, viewer())
        elif action == "update":
            vocabulary.update_entry(kb(), which, entry_id, name, description, viewer())
        elif action == "delete":
            vocabulary.delete_entry(kb(), which, entry_id, viewer())
        else:
            flash(_("Unbekannte Aktion."), "error")
            return
    except KbError as exc:
        _flash_error(exc)
    else:
        flash(_("Das Vokabular ist gespeichert."))
