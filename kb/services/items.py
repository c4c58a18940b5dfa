"""Items and their files: upload, look-up, download.

An upload stores each file's bytes in the blob store first, then commits the
Item, its FileVersion and an extraction job in one transaction per file. One
bad file never takes its siblings down: each file has its own transaction
and its own outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import ClientDisconnected

from kb import extract
from kb.errors import (
    Forbidden,
    KbError,
    Unauthorized,
    UploadTooLarge,
    ValidationError,
)
from kb.models import (
    ACCESS,
    KINDS,
    LICENCES,
    STATES,
    TEXT_PRIORITY,
    Event,
    FileVersion,
    Item,
    Job,
    Tag,
)
from kb.services import audit, blobs, duplicates
from kb.services.access import Viewer
from kb.services.accounts import accounts_exist
from kb.services.alt_text import IMAGE_MIMES, clean_alt, looks_like_image, missing_alt
from kb.services.context import Kb
from kb.services.indexing import append_index_log

# The read side lives in kb/services/item_reads.py; these names stay importable from here.
from kb.services.item_reads import (  # noqa: F401 (re-exported)
    Download,
    FileStatus,
    file_for_download,
    file_statuses,
    load_item,
    recent_items,
)
from kb.services.people import set_item_people
from kb.services.reference import classify_topics, districts_by_ags, programme_name, tags_by_name
from kb.services.wakeup import JOBS_CHANNEL, notify
from kb.storage import Blob

logger = logging.getLogger(__name__)

EMPTY_MESSAGE = ("Die Datei ist leer.", "The file is empty.")


@dataclass
class ItemMeta:
    """Metadata set once for a whole upload."""

    title: str = ""
    kind: str = "sonstiges"
    summary: str = ""
    organisation: str = ""
    speakers: str = ""
    event_slug: str | None = None
    date: dt.date | None = None
    #: None: by who uploads — intern for a signed-in user, öffentlich in open mode and at
    #: the console (see :func:`upload_files`).
    access: str | None = None
    state: str = "published"
    programme: str = ""
    #: Topic names or slugs; a name not in the vocabulary becomes a free tag.
    topics: list[str] = field(default_factory=list)
    #: Free tags, created on first use.
    tags: list[str] = field(default_factory=list)
    #: Official district keys (AGS), e.g. "15002" for Halle (Saale).
    districts: list[str] = field(default_factory=list)
    licence: str = ""
    #: The speaker's consent covers only the participants of the item's event.
    participants_only: bool = False


@dataclass
class UploadFile:
    filename: str
    stream: BinaryIO
    #: What an image shows (required for PNG/JPEG when ``require_alt``; see alt_text.py).
    alt_text: str = ""


@dataclass
class UploadOutcome:
    """What happened to one file of an upload."""

    filename: str
    #: "queued" (text is being read), "failed" (stored, no text), "rejected" (not stored),
    #: "duplicate" (the bytes are already stored; ``item_id`` names where, if visible)
    status: str
    item_id: int | None = None
    file_version_id: int | None = None
    sha256: str = ""
    messages: dict[str, str] = field(default_factory=dict)  # lang -> message
    #: The alternative text sent with an image (kept for "Trotzdem als eigenen Eintrag").
    alt_text: str = ""


def validate_meta(session: Session, meta: ItemMeta) -> int | None:
    """Check the choices against the allowed values; return the event id."""
    for value, allowed, name_de, name_en in (
        (meta.kind, KINDS, "Art", "kind"),
        (meta.access or "public", ACCESS, "Zugriff", "access"),
        (meta.state, STATES, "Status", "state"),
        (meta.licence, LICENCES, "Lizenz", "licence"),
    ):
        if value not in allowed:
            raise ValidationError(
                f"Unbekannte {name_de}: „{value}“. Erlaubt: {', '.join(allowed)}.",
                f"Unknown {name_en}: '{value}'. Allowed: {', '.join(allowed)}.",
            )
    districts_by_ags(session, meta.districts)  # raises on an unknown key
    programme_name(session, meta.programme)  # raises on a programme not in the vocabulary
    if not meta.event_slug:
        return None
    event_id = session.scalar(select(Event.id).where(Event.slug == meta.event_slug))
    if event_id is None:
        raise ValidationError(
            f"Die Veranstaltung „{meta.event_slug}“ gibt es nicht.",
            f"There is no event '{meta.event_slug}'.",
        )
    return event_id


def title_from_filename(filename: str) -> str:
    stem = Path(filename).stem.replace("_", " ").strip()
    return stem or filename or "Ohne Titel"


def upload_files(
    kb: Kb,
    files: list[UploadFile],
    meta: ItemMeta,
    viewer: Viewer,
    twins: bool = False,
    require_alt: bool = False,
) -> list[UploadOutcome]:
    """Store each file as a new item; queue text extraction for the readable ones.

    A file whose bytes are already stored becomes no new item unless ``twins``
    is true: its outcome is "duplicate" and says where the file already is.
    With ``require_alt`` (web form and API) a PNG/JPEG without alternative text is
    refused before it is stored; its siblings are not affected.

    Once accounts exist, only an Autor (or stronger) may upload, and a signed-in
    user's upload starts as Entwurf owned by them, whatever the form said about
    the state, and intern unless öffentlich was chosen: new material is never
    public by default. The console (``SYSTEM``) and open mode (no account yet,
    everyone anonymous) keep the state asked for and default to öffentlich.

    :raises Forbidden: the viewer may not upload.
    :raises ValidationError: when the shared metadata is invalid (nothing is stored).
    """
    with kb.db.reading() as session:
        check_may_upload(session, viewer)
        event_id = validate_meta(session, meta)
    if viewer.user_id is not None:
        meta = replace(meta, state="draft", access=meta.access or "internal")
    elif meta.access is None:
        meta = replace(meta, access="public")
    outcomes = [
        _upload_one(kb, f, meta, event_id, len(files), viewer, twins, require_alt) for f in files
    ]
    if any(o.status == "queued" for o in outcomes):
        kb.job_signal.set()
    return outcomes


def check_upload_allowed(kb: Kb, viewer: Viewer) -> None:
    """:raises Unauthorized/Forbidden: when ``viewer`` may not upload (see below)."""
    with kb.db.reading() as session:
        check_may_upload(session, viewer)


def check_may_upload(session: Session, viewer: Viewer) -> None:
    """Anyone may upload while no account exists (the embedded default); then Autor+."""
    if viewer.has_role("autor") or not accounts_exist(session):
        return
    if viewer.is_anonymous:
        raise Unauthorized(
            "Bitte melden Sie sich an, um Dateien hochzuladen.", "Please sign in to upload."
        )
    raise Forbidden(
        "Hochladen dürfen Autorinnen und Autoren, die Redaktion und die Verwaltung.",
        "Only authors, editors and administrators may upload.",
    )


@dataclass(frozen=True)
class StoredFile:
    """Bytes safely in the blob store, sniffed, with the reason (if any) no text can be read."""

    name: str
    blob: Blob
    mime: str
    error: KbError | None

    def new_version(self, viewer: Viewer, label: str = "", alt_text: str = "") -> FileVersion:
        fv = FileVersion(
            sha256=self.blob.sha256,
            size=self.blob.size,
            mime=self.mime,
            filename=self.name[:255],
            label=label[:200],
            uploaded_by_id=viewer.user_id,
            alt_text=clean_alt(alt_text) if self.mime in IMAGE_MIMES else "",
        )
        if self.error is not None:
            fv.status = "failed"
            fv.status_message_de, fv.status_message_en = (
                self.error.message_de,
                self.error.message_en,
            )
        return fv


#: Bidirectional overrides let "Rechnung\u202etxt.exe" look like "Rechnungexe.txt".
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def clean_filename(raw: str) -> str:
    """The name a file is shown and downloaded under: no path, no control characters.

    The name is never used as a path (blobs are named by their hash); this is
    about what users see and what goes into a Content-Disposition header.

    >>> clean_filename("../../Protokoll\x07.txt")
    'Protokoll.txt'
    """
    name = unicodedata.normalize("NFC", Path(raw.replace("\\", "/")).name)
    name = "".join(c for c in name if unicodedata.category(c) != "Cc" and c not in _BIDI_CONTROLS)
    return name.strip()[:255]


def store_file(kb: Kb, upload: UploadFile) -> StoredFile:
    """Put one uploaded file into the blob store (atomic, deduplicated by SHA-256).

    :raises KbError: no file name, or the file is over the size limit (nothing is kept).
    """
    name = clean_filename(upload.filename or "")
    if not name:
        raise KbError("Keine Datei ausgewählt.", "No file selected.")
    limit_mb = int(kb.config.get("KB_MAX_FILE_MB") or kb.config["KB_MAX_UPLOAD_MB"])
    try:
        blob = kb.store.put(upload.stream, max_size=limit_mb * 1024 * 1024)
    except UploadTooLarge as exc:
        raise UploadTooLarge(
            f"Die Datei ist größer als die erlaubten {limit_mb} MB pro Datei.",
            f"The file is larger than the allowed {limit_mb} MB per file.",
        ) from exc
    except (OSError, ClientDisconnected) as exc:  # the store removed its temporary file
        raise KbError(
            "Die Übertragung wurde abgebrochen, bevor die Datei vollständig war. Es wurde "
            "nichts gespeichert; bitte laden Sie die Datei noch einmal hoch.",
            "The transfer broke off before the file was complete. Nothing was stored; "
            "please upload the file again.",
        ) from exc
    mime = extract.sniff_mime(kb.store.path(blob.sha256), name)
    return StoredFile(name, blob, mime, _unreadable(kb, blob, mime))


def queue_text(
    session: Session, item_id: int, fv: FileVersion, config: Mapping[str, Any] | None = None
) -> None:
    """Queue text extraction (and page images), or (no text to read) make the item findable
    by title at once."""
    if fv.status != "failed":
        session.add(Job(kind="extract", priority=TEXT_PRIORITY, file_version_id=fv.id))
        from kb.services.previews import PREVIEW_PRIORITY, wanted

        if wanted(config or {}, fv.mime):
            session.add(Job(kind="preview", priority=PREVIEW_PRIORITY, file_version_id=fv.id))
        notify(session, JOBS_CHANNEL)  # delivered on commit, to workers elsewhere
    else:
        append_index_log(session, item_id)


def _upload_one(
    kb: Kb,
    upload: UploadFile,
    meta: ItemMeta,
    event_id: int | None,
    n: int,
    viewer: Viewer,
    twins: bool,
    require_alt: bool = False,
) -> UploadOutcome:
    alt = clean_alt(upload.alt_text)
    if require_alt and not alt and looks_like_image(upload.stream):
        name = clean_filename(upload.filename or "")
        return _rejected(name, missing_alt(name))  # nothing stored: no orphan blob
    try:
        stored = store_file(kb, upload)
    except KbError as exc:
        return _rejected(Path(upload.filename or "").name, exc)
    name, error = stored.name, stored.error
    existing = (
        None if twins or stored.blob.size == 0 else duplicates.find(kb, stored.blob.sha256, viewer)
    )
    if existing is not None:
        outcome = UploadOutcome(
            name, "duplicate", existing.item_id, None, stored.blob.sha256, existing.messages()
        )
        outcome.alt_text = alt
        return outcome
    title = meta.title.strip() if (n == 1 and meta.title.strip()) else title_from_filename(name)
    try:
        with kb.db.writing() as session:
            blobs.claim(kb, session, stored.blob.sha256)
            outcome = _record_upload(session, kb, stored, meta, title, event_id, viewer, alt)
    except blobs.BlobGone as exc:
        return _rejected(name, exc)
    if error is not None:
        outcome.messages = {"de": error.message_de, "en": error.message_en}
    logger.info(
        "Uploaded %s as item %s (%s, %s)", name, outcome.item_id, stored.mime, outcome.status
    )
    return outcome


def _record_upload(
    session: Session,
    kb: Kb,
    stored: StoredFile,
    meta: ItemMeta,
    title: str,
    event_id: int | None,
    viewer: Viewer,
    alt: str = "",
) -> UploadOutcome:
    item = _new_item(session, meta, title, event_id)
    item.owner_id = viewer.user_id
    fv = stored.new_version(viewer, alt_text=alt)
    item.files.append(fv)
    session.add(item)
    session.flush()
    audit.record(session, "upload", viewer, item.id, stored.name[:255])
    queue_text(session, item.id, fv, kb.config)
    status = "failed" if stored.error else "queued"
    return UploadOutcome(stored.name, status, item.id, fv.id, stored.blob.sha256)


def _rejected(name: str, error: KbError) -> UploadOutcome:
    return UploadOutcome(
        name, "rejected", messages={"de": error.message_de, "en": error.message_en}
    )


def _unreadable(kb: Kb, blob: Blob, mime: str) -> KbError | None:
    """Why no text can be read from a file, known before extraction (empty, wrong type)."""
    if blob.size == 0:
        return KbError(*EMPTY_MESSAGE)
    if mime in extract.SUPPORTED:
        return None
    try:
        # The registry owns the message: unsupported type, or encrypted for sealed OOXML.
        extract.extract(kb.store.path(blob.sha256), mime)
    except KbError as exc:
        return exc
    return None


def _new_item(session: Session, meta: ItemMeta, title: str, event_id: int | None) -> Item:
    item = Item(
        title=title[:500],
        kind=meta.kind,
        summary=meta.summary,
        event_id=event_id,
        date=meta.date,
        access=meta.access or "public",  # always chosen by now (upload_files)
        state=meta.state,
        programme=programme_name(session, meta.programme),
        licence=meta.licence,
        participants_only=meta.participants_only,
    )
    item.topics, extra_tags = classify_topics(session, meta.topics)
    item.tags = _unique(extra_tags + tags_by_name(session, meta.tags))
    item.districts = districts_by_ags(session, meta.districts)
    session.add(item)
    set_item_people(session, item, meta.speakers, meta.organisation)
    return item


def _unique(tags: list[Tag]) -> list[Tag]:
    """Tags in order, each once (a tag typed both as topic and as tag)."""
    return list(dict.fromkeys(tags))
