"""The typed domain model (SQLAlchemy 2.x), split by area; import names from here.

The database is the source of truth: extracted text lives in ``pages`` so that
the search index can be rebuilt from the database alone. ``jobs`` is the
transactional outbox for slow work and ``index_log`` the append-only log the
indexer replays into Whoosh.
"""

from kb.models.accounts import (
    ROLES,
    AuditEvent,
    EventParticipant,
    LoginFailure,
    ResetToken,
    User,
    WorkflowStep,
)
from kb.models.content import (
    ACCESS,
    KINDS,
    LICENCES,
    STATES,
    UNITS,
    District,
    Event,
    EventSeries,
    FileVersion,
    IndexLog,
    Item,
    Job,
    Page,
    SavedSearch,
    Topic,
    item_districts,
    item_topics,
    utcnow,
)
from kb.models.mappe import Mappe, MappeEntry

__all__ = [
    "ACCESS",
    "KINDS",
    "LICENCES",
    "ROLES",
    "STATES",
    "UNITS",
    "AuditEvent",
    "District",
    "Event",
    "EventParticipant",
    "EventSeries",
    "FileVersion",
    "IndexLog",
    "Item",
    "Job",
    "LoginFailure",
    "Mappe",
    "MappeEntry",
    "Page",
    "ResetToken",
    "SavedSearch",
    "Topic",
    "User",
    "WorkflowStep",
    "item_districts",
    "item_topics",
    "utcnow",
]
