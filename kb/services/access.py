"""Who may see what — one rule for pages, downloads, search, handouts and the CLI.

An item carries the principals that may see it (stored in the index as
``allow`` terms), a viewer holds principals, and they meet. The same function,
:func:`item_principals`, feeds the index and :func:`can_view`, so the search
filter and the database check can never disagree.

Principals: ``anon`` (everyone), ``member`` (any signed-in user, i.e. at least
Leser), ``user:N`` (the owner), ``event:N`` (participants of event N, for decks
a speaker shared only with them), ``editor`` (Redaktion and Admin).
Archived items carry their principals with an ``archived:`` prefix, so search
leaves them out unless a filter asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.models import ROLES, Item

#: Rank of each role; a role may do everything the weaker ones may.
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES, start=1)}


@dataclass(frozen=True)
class Viewer:
    """The person asking. ``user_id`` None means anonymous (or the server's console).

    ``name`` and ``address`` are carried for the audit log only; they never
    change what the viewer may see.
    """

    user_id: int | None = None
    roles: tuple[str, ...] = ()
    #: Events whose participant group the viewer belongs to.
    events: tuple[int, ...] = ()
    name: str = field(default="", compare=False)
    address: str = field(default="", compare=False)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def has_role(self, role: str) -> bool:
        """True if one of the viewer's roles is ``role`` or stronger."""
        needed = ROLE_RANK[role]
        return any(ROLE_RANK.get(r, 0) >= needed for r in self.roles)

    @property
    def is_editor(self) -> bool:
        return self.has_role("redaktion")

    def principals(self, include_archived: bool = False) -> list[str]:
        base = ["anon"]
        if not self.is_anonymous:
            base += ["member", f"user:{self.user_id}"]
            base += [f"event:{e}" for e in self.events]
        if self.is_editor:
            base.append("editor")
        if include_archived:
            base += [f"archived:{p}" for p in base]
        return base

    @property
    def access_level(self) -> str:
        """Cache key part for derived output (handouts): equal keys must see equal content.

        Only anonymous viewers and editors share what they see; what any
        signed-in user sees depends on their own items and event groups.
        """
        if self.is_editor:
            return "editor"
        if self.is_anonymous:
            return "anon"
        return "user:" + str(self.user_id) + ":" + ",".join(map(str, sorted(self.events)))


ANONYMOUS = Viewer()
#: The operator at the server's console (``kb import`` reporting on what it just stored).
SYSTEM = Viewer(roles=("admin",), name="system")


def item_principals(item: Item) -> list[str]:
    """The principals that may see ``item``; archived ones are prefixed (opt-in in search).

    An item in the trash has none: it is invisible everywhere (pages, search, downloads,
    Mappe, API) except the Redaktion's trash page, which loads it on purpose.
    """
    if item.deleted_at is not None:
        return []
    if item.state in ("published", "archived"):
        if item.participants_only and item.event_id is not None:
            readers = [f"event:{item.event_id}"]
        elif item.access == "public":
            readers = ["anon", "member"]
        else:
            readers = ["member"]
    else:
        readers = []
    readers.append("editor")
    if item.owner_id is not None:
        readers.append(f"user:{item.owner_id}")
    if item.state == "archived":
        return [f"archived:{p}" for p in readers]
    return readers


def access_principals(access: str) -> list[str]:
    """Principals for objects with only an access level (events, Q&A entries), not a workflow."""
    readers = ["anon", "member"] if access == "public" else ["member"]
    return [*readers, "editor"]


def can_view_object(viewer: Viewer, access: str) -> bool:
    """May ``viewer`` see an event or Q&A entry with this access level?"""
    return bool(set(access_principals(access)) & set(viewer.principals()))


def can_view(viewer: Viewer, item: Item) -> bool:
    """The same rule as the index filter, evaluated against the database row."""
    allowed = set(item_principals(item))
    return bool(allowed & set(viewer.principals(include_archived=True)))


def can_edit(viewer: Viewer, item: Item) -> bool:
    """Redaktion edits everything; an Autor edits the items they own."""
    if viewer.is_editor:
        return True
    return (
        viewer.has_role("autor") and viewer.user_id is not None and item.owner_id == viewer.user_id
    )


def is_public(item: Item) -> bool:
    """Readable by anonymous visitors (downloads of anything else are audited)."""
    return "anon" in item_principals(item)
