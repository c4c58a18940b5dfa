"""Persons and organisations named on items and agendas, kept as linked rows.

Forms and ``kb import`` take speakers and organisation as text ("Anna Beispiel,
Fachstelle IKÖ"). This module turns the text into :class:`Person` and
:class:`Organisation` rows (found by name, created on first use) and writes the
display copies ``Item.speakers`` / ``Item.organisation`` from the rows, so a
rename or a merge of persons shows everywhere after one re-index, and every
reader (index, handouts, pages) keeps working on one plain string.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.models import Item, Organisation, Person, item_persons
from kb.services.reference import slugify

logger = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[;,\n]+")


def split_names(text: str) -> list[str]:
    """ "Anna Beispiel; Ben Muster,  " -> ["Anna Beispiel", "Ben Muster"] (order kept, no twins).

    >>> split_names("A. Beispiel; B. Muster, a. beispiel")
    ['A. Beispiel', 'B. Muster']
    """
    names: dict[str, str] = {}
    for part in _SEPARATORS.split(text):
        name = " ".join(part.split())[:200]
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def persons_by_names(session: Session, names: list[str]) -> list[Person]:
    """The persons with these names, in this order; a name nobody has yet becomes a person.

    Names match case-insensitively on the normalised spelling; when two persons
    share a name (merge them on the persons page), the older one is taken.
    """
    persons: list[Person] = []
    for name in names:
        person = session.scalar(
            select(Person).where(func.lower(Person.name) == name.lower()).order_by(Person.id)
        )
        if person is None:
            person = Person(name=name)
            session.add(person)
        if person not in persons:
            persons.append(person)
    return persons


def organisation_by_name(session: Session, name: str) -> Organisation | None:
    """The organisation called ``name`` (or so abbreviated), made on first use; None if blank."""
    name = " ".join(name.split())[:300]
    if not name:
        return None
    lowered = name.lower()
    found = session.scalar(
        select(Organisation)
        .where(
            or_(
                func.lower(Organisation.name) == lowered,
                func.lower(Organisation.short_name) == lowered,
            )
        )
        .order_by(Organisation.id)
    )
    return found or _create_organisation(session, name)


def _create_organisation(session: Session, name: str) -> Organisation:
    """A new organisation with a unique slug (a concurrent twin is taken, not duplicated)."""
    base = slugify(name)[:70].rstrip("-") or "organisation"
    slug, n = base, 1
    # "new" and "merge" are page addresses under /organisations/.
    while slug in ("new", "merge") or session.scalar(
        select(Organisation.id).where(Organisation.slug == slug)
    ):
        n += 1
        slug = f"{base}-{n}"
    try:
        with session.begin_nested():
            organisation = Organisation(slug=slug, name=name)
            session.add(organisation)
        return organisation
    except IntegrityError:
        logger.info("Organisation %s was created concurrently; using that one", slug)
        return session.scalars(select(Organisation).where(Organisation.slug == slug)).one()


def set_item_people(session: Session, item: Item, speakers: str, organisation: str) -> None:
    """Link ``item`` to the persons and organisation named in the text; refresh display copies."""
    item.persons = persons_by_names(session, split_names(speakers))
    item.organisation_ref = organisation_by_name(session, organisation)
    refresh_display_copies(item)
    session.flush()  # the link rows exist now; give them the order the text named
    for position, person in enumerate(item.persons):
        session.execute(
            update(item_persons)
            .where(item_persons.c.item_id == item.id, item_persons.c.person_id == person.id)
            .values(position=position)
        )


def refresh_display_copies(item: Item) -> None:
    """Write ``Item.speakers`` and ``Item.organisation`` from the linked rows."""
    item.speakers = ", ".join(p.name for p in item.persons)[:500]
    item.organisation = item.organisation_ref.name[:300] if item.organisation_ref else ""
