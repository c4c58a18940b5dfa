"""Small files of every extracted format, built with the project's own libraries.

Shared by the format, limit, hostile-input and fuzz tests of kb.extract. Each
builder returns bytes, so tests can write, cut or mutate them as they need.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
import openpyxl
from odfdo import Document as OdfDocument
from odfdo import Element, Paragraph
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TXT = "text/plain"
MD = "text/markdown"
CSV = "text/csv"
PNG = "image/png"
JPEG = "image/jpeg"

_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with one sheet per entry, rows as given."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods(sheets: dict[str, list[list[str]]]) -> bytes:
    """A spreadsheet with one table per entry; the first row repeated empty a million times."""
    document = OdfDocument("spreadsheet")
    document.body.clear()
    for title, rows in sheets.items():
        xml = [f'<table:table table:name="{title}">']
        for row in rows:
            cells = "".join(
                f'<table:table-cell office:value-type="string"><text:p>{c}</text:p>'
                "</table:table-cell>"
                for c in row
            )
            xml.append(f"<table:table-row>{cells}</table:table-row>")
        xml.append('<table:table-row table:number-rows-repeated="1048000"><table:table-cell/>')
        xml.append("</table:table-row></table:table>")
        document.body.append(Element.from_tag("".join(xml)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx(slides: list[str]) -> bytes:
    prs = Presentation()
    for text in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = text
        slide.placeholders[1].text = f"Inhalt: {text}"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def docx_file(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt(paragraphs: list[str]) -> bytes:
    document = OdfDocument("text")
    for text in paragraphs:
        document.body.append(Paragraph(text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odp(slides: list[str]) -> bytes:
    """A presentation with one title frame and one note per slide."""
    document = OdfDocument("presentation")
    document.body.clear()
    for number, text in enumerate(slides, start=1):
        document.body.append(
            Element.from_tag(
                f'<draw:page draw:name="p{number}"><draw:frame presentation:class="title">'
                f"<draw:text-box><text:p>{text}</text:p></draw:text-box></draw:frame>"
                "<presentation:notes><draw:frame><draw:text-box>"
                f"<text:p>Notiz {number}</text:p></draw:text-box></draw:frame>"
                "</presentation:notes></draw:page>"
            )
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_image(lines: list[str], fmt: str = "PNG", size: tuple[int, int] = (1400, 400)) -> bytes:
    """Black text on white, large enough for OCR, saved as PNG or JPEG."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(_FONT, 56)
    except OSError:
        font = ImageFont.load_default(size=56)
    for number, line in enumerate(lines):
        draw.text((40, 40 + number * 90), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def image_pdf(pages: list[bytes]) -> bytes:
    """A PDF whose pages are the given images and nothing else (a scan)."""
    images = [Image.open(io.BytesIO(data)).convert("RGB") for data in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but holds almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def docx_bomb(unpacked_mb: int) -> bytes:
    """A valid DOCX whose document.xml inflates to about ``unpacked_mb`` MB of one paragraph."""
    base = docx_file(["Harmlos"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info.filename))
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as member:
            member.write(
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                b'main"><w:body>'
            )
            paragraph = b"<w:p><w:r><w:t>Bombe</w:t></w:r></w:p>" * 26_000  # about 1 MB
            for _ in range(unpacked_mb):
                member.write(paragraph)
            member.write(b"</w:body></w:document>")
    return out.getvalue()
