"""Organisations: the reference list, edit, delete (refused while referenced), merge.

Organisations are created on first use from typed text (:mod:`kb.services.people`)
and from the reference list ``kb/data/organisations.csv`` (``kb init``). Merging
moves every reference (persons, items' organisation and issuing body, Q&A
answers) to the kept row, rewrites display copies and re-indexes what changed.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from kb.errors import NotFound, ValidationError
from kb.models import ORGANISATION_KINDS, District, Item, Organisation, Person, QAEntry
from kb.services import audit
from kb.services.access import Viewer
from kb.services.context import Kb
from kb.services.directory import ids_of, reindex_items, require_editor
from kb.services.indexing import append_index_log
from kb.services.reference import slugify

logger = logging.getLogger(__name__)

DEFAULT_ORGANISATIONS = Path(__file__).resolve().parent.parent / "data" / "organisations.csv"


@dataclass
class OrganisationEdit:
    name: str
    short_name: str = ""
    kind: str = "sonstige"
    district_ags: str = ""
    description: str = ""


def _apply(session: Session, organisation: Organisation, edit: OrganisationEdit) -> None:
    name = " ".join(edit.name.split())[:300]
    if not name:
        raise ValidationError("Bitte geben Sie einen Namen an.", "Please give a name.")
    if edit.kind not in ORGANISATION_KINDS:
        allowed = ", ".join(ORGANISATION_KINDS.values())
        raise ValidationError(
            f"Unbekannte Art „{edit.kind[:40]}“. Erlaubt: {allowed}.",
            "Unknown kind of organisation.",
        )
    ags = edit.district_ags.strip()
    if ags and session.get(District, ags) is None:
        raise ValidationError(
            f"Unbekannter Gebietsschlüssel (AGS): {ags[:20]}.", "Unknown district key."
        )
    twin = session.scalar(
        select(Organisation.id).where(
            func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id
        )
    )
    if twin:
        raise ValidationError(
            f"Eine Organisation „{name}“ gibt es schon; führen Sie die beiden zusammen.",
            "An organisation with this name exists; merge them.",
        )
    organisation.name, organisation.kind = name, edit.kind
    organisation.short_name = " ".join(edit.short_name.split())[:40]
    organisation.district_ags = ags or None
    organisation.description = edit.description.strip()[:5000]


def _items_of_organisation(session: Session, organisation_id: int) -> set[int]:
    return ids_of(
        session,
        select(Item.id).where(
            or_(Item.organisation_id == organisation_id, Item.issuing_body_id == organisation_id)
        ),
    )


def _reindex_qa_of(session: Session, organisation_id: int) -> None:
    for qa_id in sorted(
        ids_of(session, select(QAEntry.id).where(QAEntry.answering_body_id == organisation_id))
    ):
        append_index_log(session, qa_id, "qa")


def create_organisation(kb: Kb, edit: OrganisationEdit, viewer: Viewer) -> str:
    """A new organisation from the edit form; returns its slug."""
    require_editor(viewer)
    with kb.db.writing() as session:
        organisation = Organisation(slug="", name="")
        _apply(session, organisation, edit)
        organisation.slug = _free_slug(session, organisation.name)
        session.add(organisation)
        audit.record(session, "organisation_changed", viewer, detail=organisation.name)
        return organisation.slug


#: Path words under /organisations/ that a slug must not take.
RESERVED_SLUGS = frozenset({"new", "merge"})


def _free_slug(session: Session, name: str) -> str:
    base = slugify(name)[:70].rstrip("-") or "organisation"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or session.scalar(
        select(Organisation.id).where(Organisation.slug == slug)
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug


def update_organisation(kb: Kb, slug: str, edit: OrganisationEdit, viewer: Viewer) -> None:
    """Change an organisation (the slug, its address, stays); its items follow."""
    require_editor(viewer)
    with kb.db.writing() as session:
        organisation = organisation_by_slug(session, slug)
        _apply(session, organisation, edit)
        reindex_items(session, _items_of_organisation(session, organisation.id))
        _reindex_qa_of(session, organisation.id)
        audit.record(session, "organisation_changed", viewer, detail=organisation.name)
    kb.job_signal.set()


def organisation_by_slug(session: Session, slug: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is None:
        raise NotFound("Diese Organisation gibt es nicht.", "This organisation does not exist.")
    return found


def delete_organisation(kb: Kb, slug: str, viewer: Viewer) -> None:
    """Delete an organisation nothing points at.

    :raises ValidationError: persons, items or answers still name it (counted in the message).
    """
    require_editor(viewer)
    with kb.db.writing() as session:
        organisation = organisation_by_slug(session, slug)
        oid = organisation.id
        counts = {
            "Personen": session.scalar(
                select(func.count()).select_from(Person).where(Person.organisation_id == oid)
            ),
            "Einträge": len(_items_of_organisation(session, oid)),
            "Antworten": session.scalar(
                select(func.count()).select_from(QAEntry).where(QAEntry.answering_body_id == oid)
            ),
        }
        used = [f"{n} {label}" for label, n in counts.items() if n]
        if used:
            raise ValidationError(
                f"„{organisation.name}“ wird noch verwendet ({', '.join(used)}); bitte zuerst "
                "zusammenführen oder austragen.",
                f"'{organisation.name}' is still in use; merge or unlink first.",
            )
        audit.record(session, "organisation_deleted", viewer, detail=organisation.name)
        session.delete(organisation)


def merge_organisations(kb: Kb, keep_slug: str, drop_slug: str, viewer: Viewer) -> None:
    """Fold organisation ``drop_slug`` into ``keep_slug``: every reference moves to the kept one."""
    require_editor(viewer)
    if keep_slug == drop_slug:
        raise ValidationError(
            "Bitte wählen Sie zwei verschiedene Organisationen.",
            "Choose two different organisations.",
        )
    with kb.db.writing() as session:
        keep = organisation_by_slug(session, keep_slug)
        drop = organisation_by_slug(session, drop_slug)
        items = _items_of_organisation(session, drop.id)
        _reindex_qa_of(session, drop.id)
        moves = (
            (Person, Person.organisation_id),
            (Item, Item.organisation_id),
            (Item, Item.issuing_body_id),
            (QAEntry, QAEntry.answering_body_id),
        )
        for model, column in moves:
            session.execute(
                update(model).where(column == drop.id).values({column.key: keep.id}),
                execution_options={"synchronize_session": False},
            )
        keep.short_name = keep.short_name or drop.short_name
        keep.district_ags = keep.district_ags or drop.district_ags
        keep.description = keep.description or drop.description
        detail = f"{drop.name} -> {keep.name}"
        session.delete(drop)
        reindex_items(session, items)
        audit.record(session, "organisations_merged", viewer, detail=detail[:500])
    kb.job_signal.set()
    logger.info("Merged organisation %s into %s", drop_slug, keep_slug)


def load_organisations(kb: Kb, path: Path = DEFAULT_ORGANISATIONS) -> int:
    """Add the network's bodies from the reference list; existing rows are kept (idempotent).

    A row already there (same slug, or the same name created on first use from an
    upload) is not overwritten, so Redaktion's edits survive ``kb init``; only its
    empty short name and the kind "sonstige" are filled in from the list.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    added = 0
    with kb.db.writing() as session:
        for row in rows:
            found = session.scalar(
                select(Organisation).where(
                    or_(
                        Organisation.slug == row["slug"],
                        func.lower(Organisation.name) == row["name"].lower(),
                    )
                )
            )
            if found is None:
                found = Organisation(slug=row["slug"], name=row["name"], kind="sonstige")
                session.add(found)
                added += 1
            found.short_name = found.short_name or row.get("short_name", "")
            if found.kind in ("", "sonstige", None):
                found.kind = row.get("kind") or "sonstige"
            found.district_ags = found.district_ags or row.get("district_ags") or None
    logger.info("Reference organisations: %d added", added)
    return added
