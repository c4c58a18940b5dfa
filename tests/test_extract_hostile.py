"""Hostile and broken input, end to end through the worker's path: sniff, then the child.

Each file ends in a clear status the upload page can show: text, or a KbError whose German
message says why. Nothing else may reach the worker (no other exception, no hang). The
real encrypted, truncated and image-only documents of the corpus are covered in
test_extract_corpus.py; these are constructed so the suite runs without the corpus.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest
from extract_files import (
    DOCX,
    ODT,
    PDF,
    PNG,
    PPTX,
    TXT,
    XLSX,
    docx_bomb,
    docx_file,
    odt,
    pptx,
    text_image,
    xlsx,
)

from kb.errors import CorruptFile, EncryptedFile, ExtractionError, KbError, UnsupportedType
from kb.extract import Extracted, extract_in_child, sniff_mime
from kb.extract.containers import OLE_MAGIC


def _read(tmp_path: Path, name: str, data: bytes) -> Extracted | KbError:
    """What the worker gets for an upload named ``name``: a result or a user-safe error."""
    path = tmp_path / name
    path.write_bytes(data)
    try:
        return extract_in_child(path, sniff_mime(path, name), use_ocr=False)
    except KbError as exc:
        return exc


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="geheim", owner_password="chef", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted_odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", ODT)
        zf.writestr("content.xml", bytes(range(256)) * 4)
        zf.writestr("META-INF/manifest.xml", "<manifest><encryption-data/></manifest>")
    return out.getvalue()


ENCRYPTED_OOXML = OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("geheim.pdf", _encrypted_pdf()),
        ("geheim.docx", ENCRYPTED_OOXML),
        ("geheim.pptx", ENCRYPTED_OOXML),
        ("geheim.xlsx", ENCRYPTED_OOXML),
        ("geheim.odt", _encrypted_odt()),
    ],
)
def test_encrypted(tmp_path: Path, name: str, data: bytes) -> None:
    outcome = _read(tmp_path, name, data)
    assert isinstance(outcome, EncryptedFile)
    assert "verschlüsselt oder passwortgeschützt" in outcome.message_de


def _good_files(make_pdf) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {
        "a.pdf": make_pdf(["Eine Seite mit Text zum Abschneiden " * 20]),
        "a.docx": docx_file(["Absatz"] * 50),
        "a.pptx": pptx(["Folie eins", "Folie zwei"]),
        "a.xlsx": xlsx({"Blatt": [["Zelle"]] * 50}),
        "a.odt": odt(["Absatz"] * 50),
        "a.png": text_image(["Text"]),
    }


@pytest.mark.parametrize("name", ["a.pdf", "a.docx", "a.pptx", "a.xlsx", "a.odt", "a.png"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated(tmp_path: Path, make_pdf, name: str, keep: float) -> None:  # type: ignore[no-untyped-def]
    data = _good_files(make_pdf)[name]
    outcome = _read(tmp_path, name, data[: int(len(data) * keep)])
    if name == "a.pdf" and isinstance(outcome, Extracted):
        return  # PDFium repairs what it can; a readable first page is a fine outcome
    assert isinstance(outcome, CorruptFile), outcome
    assert "beschädigt oder unvollständig" in outcome.message_de


@pytest.mark.parametrize("name", ["folien.pptx", "bericht.pdf", "notiz.txt", "bild.png"])
def test_renamed_executable(tmp_path: Path, name: str) -> None:
    program = Path(sys.executable).resolve().read_bytes()[: 256 * 1024]
    outcome = _read(tmp_path, name, program)
    assert isinstance(outcome, UnsupportedType)
    assert "wird nicht unterstützt" in outcome.message_de


def test_zip_bomb_in_docx_clothing(tmp_path: Path) -> None:
    outcome = _read(tmp_path, "protokoll.docx", docx_bomb(100))
    assert type(outcome) is ExtractionError
    assert "ZIP-Bombe" in outcome.message_de and "Grenze: 200-fach" in outcome.message_de


@pytest.mark.parametrize("name", ["leer.pdf", "leer.docx", "leer.xlsx", "leer.png", "leer"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    outcome = _read(tmp_path, name, b"")
    assert isinstance(outcome, KbError)
    assert outcome.message_de == "Die Datei ist leer." or "nicht unterstützt" in (
        outcome.message_de
    )
    if name != "leer":  # a known extension: the message is the specific one
        assert outcome.message_de == "Die Datei ist leer."


def test_extension_that_lies_is_read_as_what_the_bytes_are(tmp_path: Path, make_pdf) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "bericht.docx": (make_pdf(["Ein PDF im Word-Kostüm"]), PDF, "PDF im Word-Kostüm"),
        "vortrag.pdf": (pptx(["Folien im PDF-Kostüm"]), PPTX, "Folien im PDF-Kostüm"),
        "tabelle.pptx": (xlsx({"B": [["Tabelle im Folien-Kostüm"]]}), XLSX, "Folien-Kostüm"),
        "brief.xlsx": (docx_file(["Brief im Tabellen-Kostüm"]), DOCX, "Tabellen-Kostüm"),
        "notiz.png": ("Reiner Text im Bild-Kostüm\n".encode(), TXT, "Bild-Kostüm"),
    }
    for name, (data, mime, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert sniff_mime(path, name) == mime, name
        outcome = _read(tmp_path, name, data)
        assert isinstance(outcome, Extracted), (name, outcome)
        assert words in "\n".join(outcome.pages), name


def test_image_named_as_document_is_an_image(tmp_path: Path) -> None:
    path = tmp_path / "scan.docx"
    path.write_bytes(text_image(["Text"]))
    assert sniff_mime(path, path.name) == PNG
