"""Domain exceptions with messages that are safe to show to users.

Services raise these; the web edge renders them as a page and the API edge as
``{"error": code, "message": text}``. Every message exists in German (the
default UI language) and English. Nothing in a message may reveal data the
viewer is not allowed to see, so messages never contain other items' titles
unless the caller checked access first.
"""

from __future__ import annotations


class KbError(Exception):
    """Base of all errors kb reports to users.

    :param message_de: the German message shown by default.
    :param message_en: the English message; falls back to German.
    """

    code: str = "error"
    status: int = 400

    def __init__(self, message_de: str, message_en: str | None = None) -> None:
        super().__init__(message_de)
        self.message_de = message_de
        self.message_en = message_en or message_de

    def message(self, lang: str = "de") -> str:
        """Return the message in ``lang`` ("de" or "en")."""
        return self.message_en if lang == "en" else self.message_de


class NotFound(KbError):
    code = "not_found"
    status = 404


class Unauthorized(KbError):
    """The action needs a signed-in user; the web edge sends the visitor to the login."""

    code = "unauthorized"
    status = 401


class Forbidden(KbError):
    code = "forbidden"
    status = 403


class ValidationError(KbError):
    code = "invalid"
    status = 400


class Conflict(ValidationError):
    """The request is well-formed but clashes with what exists (e.g. an event that still
    has materials); a ValidationError, so pages treat it like any refused input."""

    code = "conflict"
    status = 409


class UploadTooLarge(KbError):
    code = "too_large"
    status = 413


class StorageFull(KbError):
    """The blob store's disk (or quota) is full; nothing of the file was kept."""

    code = "storage_full"
    status = 507


class UnsupportedType(KbError):
    """The file's type (sniffed from its bytes) is not on the allow-list."""

    code = "unsupported_type"
    status = 415


class ExtractionError(KbError):
    """No text could be read from a stored file; the file itself is kept."""

    code = "extraction_failed"
    status = 422


class EncryptedFile(ExtractionError):
    code = "encrypted"


class CorruptFile(ExtractionError):
    code = "corrupt"


class NoTextFound(ExtractionError):
    code = "no_text"


class IndexUnavailable(KbError):
    """The search index cannot be read (missing or damaged); the indexer rebuilds it."""

    code = "index_unavailable"
    status = 503
