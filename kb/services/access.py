"""Who may see what — one rule for pages, downloads, search, handouts and the CLI.

Until accounts exist every visitor is anonymous. The rule is already written
in terms of principals so that accounts and roles plug in without changing any
caller: an item carries the principals that may see it (stored in the index as
``allow`` terms), a viewer holds principals, and they meet.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.models import Item


@dataclass(frozen=True)
class Viewer:
    """The person asking. ``user_id`` None means anonymous."""

    user_id: int | None = None
    roles: tuple[str, ...] = ()

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def principals(self, include_archived: bool = False) -> list[str]:
        base = ["anon"]
        if not self.is_anonymous:
            base += ["member", f"user:{self.user_id}"]
        if "redaktion" in self.roles or "admin" in self.roles:
            base.append("editor")
        if include_archived:
            base += [f"archived:{p}" for p in base]
        return base

    @property
    def access_level(self) -> str:
        """Coarse level for cache keys: what a handout may contain depends on it."""
        if "redaktion" in self.roles or "admin" in self.roles:
            return "editor"
        return "anon" if self.is_anonymous else "member"


ANONYMOUS = Viewer()
#: The operator at the server's console (``kb import`` reporting on what it just stored).
SYSTEM = Viewer(roles=("admin",))


def item_principals(item: Item) -> list[str]:
    """The principals that may see ``item``; archived ones are prefixed (opt-in in search)."""
    if item.state in ("published", "archived"):
        readers = ["anon", "member"] if item.access == "public" else ["member"]
    else:
        readers = []
    readers.append("editor")
    if item.state == "archived":
        return [f"archived:{p}" for p in readers]
    return readers


def can_view(viewer: Viewer, item: Item) -> bool:
    """The same rule as the index filter, evaluated against the database row."""
    allowed = set(item_principals(item))
    return bool(allowed & set(viewer.principals(include_archived=True)))
