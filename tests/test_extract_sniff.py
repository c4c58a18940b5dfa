"""Tests of sniff_mime: the bytes decide, the file name only refines a generic answer."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from odfdo import Document as OdfDocument
from pptx import Presentation

from kb.extract import sniff_mime

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
TXT = "text/plain"
MD = "text/markdown"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One minimal file of every supported format, saved by its own library."""
    paths = {ext: tmp_path / f"datei.{ext}" for ext in ("pdf", "pptx", "docx", "odt", "odp")}
    document = pdfium.PdfDocument.new()
    try:
        document.new_page(595, 842).close()
        document.save(paths["pdf"])
    finally:
        document.close()
    Presentation().save(paths["pptx"])
    docx.Document().save(paths["docx"])
    OdfDocument("text").save(paths["odt"])
    OdfDocument("presentation").save(paths["odp"])
    paths["txt"] = tmp_path / "notiz.txt"
    paths["txt"].write_text("Hallo Welt\n", encoding="utf-8")
    return paths


def test_sniff_each_format(files: dict[str, Path]) -> None:
    assert sniff_mime(files["pdf"], "x.pdf") == PDF
    assert sniff_mime(files["pptx"], "x.pptx") == PPTX
    assert sniff_mime(files["docx"], "x.docx") == DOCX
    assert sniff_mime(files["odt"], "x.odt") == ODT
    assert sniff_mime(files["odp"], "x.odp") == ODP
    assert sniff_mime(files["txt"], "notiz.txt") == TXT
    assert sniff_mime(files["txt"], "Notiz.MD") == MD
    assert sniff_mime(files["txt"], "notiz.markdown") == MD


def test_sniff_trusts_bytes_over_name(tmp_path: Path, files: dict[str, Path]) -> None:
    blob = tmp_path / "blob.docx"
    blob.write_bytes(os.urandom(4096))
    assert sniff_mime(blob, "blob.docx") != DOCX
    png = tmp_path / "bild.docx"
    png.write_bytes(_png())
    assert sniff_mime(png, "bild.docx") == "image/png"
    assert sniff_mime(files["pdf"], "tarnung.docx") == PDF
    assert sniff_mime(files["pptx"], "tarnung.docx") == PPTX


def test_sniff_refines_zip_only_with_the_right_parts(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    plain_zip = tmp_path / "archiv.docx"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("readme.txt", "kein Word")
    assert sniff_mime(plain_zip, "archiv.docx") == "application/zip"
    reordered = tmp_path / "umsortiert.docx"
    with zipfile.ZipFile(files["docx"]) as src, zipfile.ZipFile(reordered, "w") as dst:
        for name in sorted(src.namelist(), reverse=True):  # [Content_Types].xml not first
            dst.writestr(name, src.read(name))
    assert sniff_mime(reordered, "umsortiert.docx") == DOCX
    assert sniff_mime(reordered, "umsortiert.pptx") != PPTX  # a docx is no pptx
    truncated = tmp_path / "halb.docx"
    truncated.write_bytes(files["docx"].read_bytes()[:1500])
    assert sniff_mime(truncated, "halb.docx") == DOCX  # so extraction says "beschädigt"


def test_sniff_empty_file_uses_extension(tmp_path: Path) -> None:
    path = tmp_path / "leer.txt"
    path.write_bytes(b"")
    assert sniff_mime(path, "leer.txt") == TXT
    assert sniff_mime(path, "leer") in ("application/x-empty", "inode/x-empty")


@pytest.mark.parametrize(
    "text",
    [
        "PA Sitzung des Netzwerks am Montag.\nDie Koordinatorinnen berichten.\n",  # "HP-GL"
        "IN;Protokoll der Fragerunde\n",
        "PAUSCHALEN für Sprachkurse, Größe und Maß\n",
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_text_that_libmagic_mistakes_for_a_plot_stays_text(
    tmp_path: Path, text: str, encoding: str
) -> None:
    """libmagic calls German text starting with "PA" or "IN;" an HP-GL plot file."""
    path = tmp_path / "notiz.txt"
    path.write_bytes(text.encode(encoding))
    assert sniff_mime(path, "notiz.txt") == TXT
    assert sniff_mime(path, "notiz.md") == MD


def test_a_binary_file_named_txt_is_not_made_text(tmp_path: Path) -> None:
    path = tmp_path / "bild.txt"
    path.write_bytes(_png())
    assert sniff_mime(path, "bild.txt") == "image/png"
    noise = tmp_path / "rauschen.txt"
    noise.write_bytes(bytes(range(1, 256)) * 50)  # no NUL, but control bytes everywhere
    assert sniff_mime(noise, "rauschen.txt") != TXT


def _png() -> bytes:
    """Return a valid 1x1 PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    out = io.BytesIO(b"\x89PNG\r\n\x1a\n")
    out.seek(0, io.SEEK_END)
    for kind, data in ((b"IHDR", header), (b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))):
        out.write(chunk(kind, data))
    out.write(chunk(b"IEND", b""))
    return out.getvalue()
