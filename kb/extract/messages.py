"""User-facing errors and notices of the extract stage, each in German and English.

Kept in one module so the wording stays consistent between formats and the
child-process protocol, and so translators find every text in one place.
Messages never contain file contents or paths: they are shown to users and
returned by the API. A message about a limit always names the limit, so a
user knows what to change (split the file, save it differently) and an
administrator knows which setting was reached.
"""

from __future__ import annotations

import mimetypes

from kb.errors import CorruptFile, EncryptedFile, ExtractionError, NoTextFound, UnsupportedType
from kb.extract.result import Notice

#: German and English names of one unit, singular and plural.
_UNIT_NAMES = {
    "page": ("Seite", "Seiten", "page", "pages"),
    "slide": ("Folie", "Folien", "slide", "slides"),
    "section": ("Abschnitt", "Abschnitte", "section", "sections"),
}
#: Old binary Office formats: no well-kept Python reader exists, so we ask for the new format.
_LEGACY = {
    "application/vnd.ms-powerpoint": ("PowerPoint", "PPT", "PPTX"),
    "application/msword": ("Word", "DOC", "DOCX"),
    "application/vnd.ms-excel": ("Excel", "XLS", "XLSX"),
}


def number(value: int, lang: str = "de") -> str:
    """Return ``value`` with thousands separators: "2.000" in German, "2,000" in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "de" else text


def seconds(value: float, lang: str = "de") -> str:
    """Return ``value`` seconds as a number: "180", or "0,5" in German and "0.5" in English."""
    if value >= 10 or float(value).is_integer():
        return number(round(value), lang)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "de" else text


def type_label(mime: str, supported: dict[str, str]) -> str:
    """Return a short, recognisable name for ``mime`` ("PNG" rather than "image/png")."""
    if mime in supported:
        return supported[mime]
    if mime in _LEGACY:
        return _LEGACY[mime][1]
    ext = mimetypes.guess_extension(mime, strict=False)
    return ext.lstrip(".").upper() if ext else mime


def _enumerate(labels: list[str], conjunction: str) -> str:
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" {conjunction} " + labels[-1]


def unsupported(label: str, supported: list[str]) -> UnsupportedType:
    return UnsupportedType(
        f"Dateityp {label} wird nicht unterstützt; unterstützt werden "
        f"{_enumerate(supported, 'und')}.",
        f"File type {label} is not supported; supported types are {_enumerate(supported, 'and')}.",
    )


def legacy_office(mime: str) -> UnsupportedType | None:
    """The error for an old binary Office file, or None if ``mime`` is not one."""
    if mime not in _LEGACY:
        return None
    app, old, new = _LEGACY[mime]
    return UnsupportedType(
        f"Das alte {app}-Format ({old}) kann nicht gelesen werden. Bitte die Datei in {app} "
        f"oder LibreOffice als {new} speichern und erneut hochladen.",
        f"The old {app} format ({old}) cannot be read. Please save the file as {new} in {app} "
        "or LibreOffice and upload it again.",
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


def no_text(notices: tuple[Notice, ...] = ()) -> NoTextFound:
    """No text at all; ``notices`` (e.g. a limit that stopped OCR) say why, if known."""
    de = "In der Datei wurde kein Text gefunden (vielleicht eine eingescannte Seite oder nur "
    de += "Bilder)."
    en = "No text was found in the file (perhaps a scanned page or only images)."
    return NoTextFound(
        " ".join([de, *(n.de for n in notices)]), " ".join([en, *(n.en for n in notices)])
    )


def image_only_pdf() -> NoTextFound:
    return NoTextFound(
        "Die PDF-Datei enthält nur Bilder und keinen Text (Scan?). Texterkennung (OCR) ist "
        "nicht eingerichtet.",
        "The PDF file contains only images and no text (a scan?). Text recognition (OCR) is "
        "not set up.",
    )


def image_without_ocr() -> NoTextFound:
    return NoTextFound(
        "Das Bild ist gespeichert. Sein Text kann nicht gelesen werden, weil die Texterkennung "
        "(OCR) nicht eingerichtet ist.",
        "The image is stored. Its text cannot be read because text recognition (OCR) is not "
        "set up.",
    )


def no_text_recognised() -> NoTextFound:
    return NoTextFound(
        "Die Texterkennung (OCR) hat keinen Text gefunden.",
        "Text recognition (OCR) found no text.",
    )


def empty_file() -> NoTextFound:
    return NoTextFound("Die Datei ist leer.", "The file is empty.")


def aborted_time(limit: float, cpu: bool = False) -> ExtractionError:
    """The child was killed by the wall-clock limit, or by the CPU-time limit if ``cpu``."""
    kind_de, kind_en = ("Rechenzeit", "CPU time") if cpu else ("Zeit", "time")
    return ExtractionError(
        f"Das Lesen der Datei wurde abgebrochen: {kind_de}limit von {seconds(limit)} "
        "Sekunden pro Datei überschritten.",
        f"Reading the file was aborted: the {kind_en} limit of {seconds(limit, 'en')} "
        "seconds per file was exceeded.",
    )


def aborted_memory(megabytes: int) -> ExtractionError:
    return ExtractionError(
        f"Das Lesen der Datei wurde abgebrochen: Speicherlimit von {number(megabytes)} MB pro "
        "Datei überschritten.",
        f"Reading the file was aborted: the memory limit of {number(megabytes, 'en')} MB per "
        "file was exceeded.",
    )


def aborted_crash() -> ExtractionError:
    return ExtractionError(
        "Das Lesen der Datei wurde abgebrochen: Der Leseprozess ist abgestürzt.",
        "Reading the file was aborted: the reading process crashed.",
    )


def zip_too_large(limit_mb: int) -> ExtractionError:
    return ExtractionError(
        f"Die Datei wäre entpackt größer als {number(limit_mb)} MB (Grenze für Office-Dateien: "
        f"{number(limit_mb)} MB entpackt) und wurde zum Schutz nicht gelesen (ZIP-Bombe?).",
        f"Unpacked, the file would be larger than {number(limit_mb, 'en')} MB (limit for office "
        f"files: {number(limit_mb, 'en')} MB unpacked); it was not read (a zip bomb?).",
    )


def zip_ratio(limit: int) -> ExtractionError:
    return ExtractionError(
        f"Ein Teil der Datei ist mehr als {number(limit)}-fach gepackt (Grenze: "
        f"{number(limit)}-fach); die Datei wurde zum Schutz nicht gelesen (ZIP-Bombe?).",
        f"A part of the file is compressed more than {number(limit, 'en')} times (limit: "
        f"{number(limit, 'en')} times); it was not read (a zip bomb?).",
    )


def zip_members(limit: int) -> ExtractionError:
    return ExtractionError(
        f"Die Datei besteht aus mehr als {number(limit)} Teilen (Grenze: {number(limit)} Teile "
        "je Office-Datei) und wurde zum Schutz nicht gelesen.",
        f"The file has more than {number(limit, 'en')} parts (limit: {number(limit, 'en')} "
        "parts per office file); it was not read.",
    )


def image_too_large(limit: int) -> ExtractionError:
    limit_mp = round(limit / 1e6)
    return ExtractionError(
        f"Das Bild ist zu groß (Grenze: {number(limit_mp)} Megapixel); sein Text wurde nicht "
        "gelesen.",
        f"The image is too large (limit: {number(limit_mp, 'en')} megapixels); its text was "
        "not read.",
    )


def pages_cut(total: int, limit: int, unit: str) -> Notice:
    """Notice that only the first ``limit`` of ``total`` units were read."""
    _one, many_de, _one_en, many_en = _UNIT_NAMES.get(unit, _UNIT_NAMES["page"])
    return Notice(
        f"Nur die ersten {number(limit)} von {number(total)} {many_de} wurden gelesen (Grenze: "
        f"{number(limit)} {many_de} pro Datei).",
        f"Only the first {number(limit, 'en')} of {number(total, 'en')} {many_en} were read "
        f"(limit: {number(limit, 'en')} {many_en} per file).",
    )


def rows_cut(sheet: str, limit: int) -> Notice:
    return Notice(
        f"Tabellenblatt „{sheet}“: nur die ersten {number(limit)} Zeilen wurden gelesen (Grenze: "
        f"{number(limit)} Zeilen je Tabellenblatt).",
        f"Sheet “{sheet}”: only the first {number(limit, 'en')} rows were read (limit: "
        f"{number(limit, 'en')} rows per sheet).",
    )


def text_cut(limit_mb: int) -> Notice:
    return Notice(
        f"Nur die ersten {number(limit_mb)} MB des Textes wurden gelesen (Grenze: "
        f"{number(limit_mb)} MB je Textdatei).",
        f"Only the first {number(limit_mb, 'en')} MB of the text were read (limit: "
        f"{number(limit_mb, 'en')} MB per text file).",
    )


def ocr_used(pages: list[int], whole: bool) -> Notice:
    """Notice that text came from OCR: for the whole file, or for the listed pages."""
    if whole:
        return Notice(
            "Text per Texterkennung (OCR) gelesen; er kann Fehler enthalten.",
            "Text read by text recognition (OCR); it may contain errors.",
        )
    listed = page_list(pages)
    return Notice(
        f"Text per Texterkennung (OCR) auf Seite {listed}; er kann Fehler enthalten.",
        f"Text read by text recognition (OCR) on page {listed}; it may contain errors.",
    )


def ocr_missing(count: int) -> Notice:
    return Notice(
        f"{number(count)} Seite(n) enthalten nur Bilder; ihr Text fehlt, weil die Texterkennung "
        "(OCR) nicht eingerichtet ist.",
        f"{number(count, 'en')} page(s) contain only images; their text is missing because text "
        "recognition (OCR) is not set up.",
    )


def ocr_stopped(done: int, wanted: int, limit: float) -> Notice:
    return Notice(
        f"Texterkennung (OCR) nach {number(done)} von {number(wanted)} Bildseiten beendet: "
        f"Zeitlimit von {seconds(limit)} Sekunden pro Datei erreicht.",
        f"Text recognition (OCR) stopped after {number(done, 'en')} of {number(wanted, 'en')} "
        f"image pages: the time limit of {seconds(limit, 'en')} seconds per file was "
        "reached.",
    )


def ocr_pages_cut(limit: int, wanted: int) -> Notice:
    return Notice(
        f"Texterkennung (OCR) nur für die ersten {number(limit)} von {number(wanted)} Bildseiten "
        f"(Grenze: {number(limit)} Seiten pro Datei).",
        f"Text recognition (OCR) only for the first {number(limit, 'en')} of "
        f"{number(wanted, 'en')} image pages (limit: {number(limit, 'en')} pages per file).",
    )


def page_list(pages: list[int]) -> str:
    """Return "1–3, 7" for [1, 2, 3, 7]."""
    runs: list[list[int]] = []
    for page in sorted(pages):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
