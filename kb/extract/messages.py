"""User-facing errors of the extract stage, each in German and English.

Kept in one module so the wording stays consistent between formats and the
child-process protocol, and so translators find every text in one place.
Messages never contain file contents or paths: they are shown to users and
returned by the API.
"""

from __future__ import annotations

import mimetypes

from kb.errors import CorruptFile, EncryptedFile, ExtractionError, NoTextFound, UnsupportedType

_SUPPORTED_DE = "unterstützt werden PDF, PPTX, DOCX, ODT, ODP, TXT und MD."
_SUPPORTED_EN = "supported types are PDF, PPTX, DOCX, ODT, ODP, TXT and MD."

_ABORT_CAUSES = {
    "time": ("Zeitlimit überschritten.", "time limit exceeded."),
    "memory": ("Speicherlimit überschritten.", "memory limit exceeded."),
    "crash": ("Der Leseprozess ist abgestürzt.", "the reading process crashed."),
}


def type_label(mime: str, supported: dict[str, str]) -> str:
    """Return a short, recognisable name for ``mime`` ("PNG" rather than "image/png")."""
    if mime in supported:
        return supported[mime]
    ext = mimetypes.guess_extension(mime, strict=False)
    return ext.lstrip(".").upper() if ext else mime


def unsupported(label: str) -> UnsupportedType:
    return UnsupportedType(
        f"Dateityp {label} wird nicht unterstützt; {_SUPPORTED_DE}",
        f"File type {label} is not supported; {_SUPPORTED_EN}",
    )


def encrypted() -> EncryptedFile:
    return EncryptedFile(
        "Die Datei ist verschlüsselt oder passwortgeschützt; ihr Text kann nicht gelesen werden.",
        "The file is encrypted or password-protected; its text cannot be read.",
    )


def corrupt() -> CorruptFile:
    return CorruptFile(
        "Die Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The file is damaged or incomplete and cannot be read.",
    )


def no_text() -> NoTextFound:
    return NoTextFound(
        "In der Datei wurde kein Text gefunden (vielleicht eine eingescannte Seite oder nur "
        "Bilder).",
        "No text was found in the file (perhaps a scanned page or only images).",
    )


def image_only_pdf() -> NoTextFound:
    return NoTextFound(
        "Die PDF-Datei enthält nur Bilder und keinen Text (Scan?). Texterkennung (OCR) ist noch "
        "nicht eingerichtet.",
        "The PDF file contains only images and no text (a scan?). Text recognition (OCR) is not "
        "set up yet.",
    )


def empty_file() -> NoTextFound:
    return NoTextFound("Die Datei ist leer.", "The file is empty.")


def aborted(cause: str) -> ExtractionError:
    """Return the error for a child process that died; ``cause`` is time, memory or crash."""
    de, en = _ABORT_CAUSES[cause]
    return ExtractionError(
        f"Das Lesen der Datei wurde abgebrochen: {de}",
        f"Reading the file was aborted: {en}",
    )
