"""Demo content: every file opens with its own library and says what the demo promises."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys

import docx
import pypdf
import pytest
from pptx import Presentation

from kb.demo import (
    SLIDE3_WORD,
    DemoEvent,
    DemoFile,
    DemoItem,
    build_demo,
    build_demo_items,
)

KINDS = {"praesentation", "impulsvortrag", "leitfaden", "protokoll", "formular", "sonstiges"}
TODAY = datetime.date.today()
NEXT_YEAR = TODAY.year + 1


@pytest.fixture(scope="module")
def events() -> list[DemoEvent]:
    return build_demo(TODAY)


@pytest.fixture(scope="module")
def all_items(events: list[DemoEvent]) -> list[DemoItem]:
    return [item for event in events for item in event.items] + build_demo_items(TODAY)


def item(items: list[DemoItem], key: str) -> DemoItem:
    return next(i for i in items if i.key == key)


def pptx_slides(data: bytes) -> list[str]:
    """Text per slide: shapes, table cells and speaker notes."""
    texts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
        texts.append("\n".join(parts))
    return texts


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def file_pages(demo_file: DemoFile) -> list[str]:
    """Open a demo file with its own library and return its text, one entry per page."""
    suffix = demo_file.filename.rsplit(".", 1)[-1]
    if suffix == "pptx":
        return pptx_slides(demo_file.data)
    if suffix == "docx":
        return [docx_text(demo_file.data)]
    assert suffix == "pdf"
    return pdf_pages(demo_file.data)


def test_workshop_event(events: list[DemoEvent]) -> None:
    assert len(events) == 1
    event = events[0]
    assert (event.series, event.number, event.title) == (
        "IKOE-Ideenwerkstatt",
        13,
        "13. IKOE-Ideenwerkstatt",
    )
    assert (event.city, event.host_district_ags) == ("Halle (Saale)", "15002")
    assert event.days_offset < 0
    assert f"01.01.{NEXT_YEAR}" in event.description
    assert {i.key for i in event.items} == {
        "impuls-arbeitgeber",
        "leitfaden-antragsformalitaeten",
        "protokoll-fragerunde",
        "eu-migrationsdienst",
    }


def test_items_are_complete(all_items: list[DemoItem]) -> None:
    assert len({i.key for i in all_items}) == len(all_items)
    for demo_item in all_items:
        assert demo_item.kind in KINDS
        assert demo_item.title and demo_item.summary and demo_item.organisation
        assert demo_item.files
        for demo_file in demo_item.files:
            assert len(demo_file.data) > 1000, demo_file.filename
            assert all(page.strip() for page in file_pages(demo_file)), demo_file.filename


def test_impulse_talk(all_items: list[DemoItem]) -> None:
    (talk_file,) = item(all_items, "impuls-arbeitgeber").files
    assert talk_file.filename == "Impuls_Arbeitgeberkooperation.pptx"
    prs = Presentation(io.BytesIO(talk_file.data))
    assert len(prs.slides) == 8
    assert sum(1 for s in prs.slides for shape in s.shapes if shape.has_table) == 1
    assert all(s.has_notes_slide for s in list(prs.slides)[1:])
    text = "\n".join(pptx_slides(talk_file.data))
    for word in (
        "Arbeitsmarktintegration",
        "Arbeitgeberkooperation",
        "Anerkennung ausländischer Berufsabschlüsse",
        "Jobcenter",
        "Integrationskurse",
        "Willkommenskultur im Betrieb",
    ):
        assert word in text


def test_slide3_word_is_unique_to_slide3(all_items: list[DemoItem]) -> None:
    needle = SLIDE3_WORD.lower()
    assert needle == "patenschaftsmodell"
    slides = pptx_slides(item(all_items, "impuls-arbeitgeber").files[0].data)
    assert needle in slides[2].lower()
    assert [n for n, text in enumerate(slides, 1) if "patenschaft" in text.lower()] == [3]
    for demo_item in all_items:
        assert "patenschaft" not in (demo_item.title + demo_item.summary).lower()
        if demo_item.key == "impuls-arbeitgeber":
            continue
        for demo_file in demo_item.files:
            for page in file_pages(demo_file):
                assert "patenschaft" not in page.lower(), demo_file.filename


def test_guidance_pdf(all_items: list[DemoItem]) -> None:
    guidance = item(all_items, "leitfaden-antragsformalitaeten")
    assert guidance.kind == "leitfaden"
    assert guidance.valid_from == datetime.date(NEXT_YEAR, 1, 1)
    (pdf_file,) = guidance.files
    assert pdf_file.filename == f"Leitfaden_Antragsformalitäten_{NEXT_YEAR}.pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf_file.data))
    assert len(reader.pages) >= 2
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title == guidance.title
    text = " ".join(pdf_pages(pdf_file.data))
    for expected in (
        f"Gilt ab 01.01.{NEXT_YEAR}",
        "Verwendungsnachweis",
        "Zwischennachweis",
        "Kostenplan",
        "Belegliste",
        "Förderportal",
        "Fristen",
        "Checkliste",
    ):
        assert expected in text


def test_previous_guidance_edition_describes_its_own_year() -> None:
    """The edition of the year before states its formalities (paper allowed, three months,
    copies of single receipts, 15 %), not changes, and knows no Belegliste yet."""
    from kb.demo.documents import build_leitfaden_pdf
    from kb.demo.guidance import body_markdown

    year = TODAY.year
    text = " ".join(pdf_pages(build_leitfaden_pdf(year, previous=True)))
    body = body_markdown(year, previous=True)
    for expected in (
        f"Gilt vom 01.01.{year} bis 31.12.{year}",
        "fasst die Formalitäten zusammen",
        "schriftlich oder elektronisch",
        "drei Monaten",
        "Kopien aller Einzelbelege",
        "15 Prozent",
    ):
        assert expected in text
    for untrue in ("Änderungen", "Belegliste", "neue Formalitäten", "sechs Monaten"):
        assert untrue not in text
        assert untrue not in body
    assert "Förderportal" not in body.split("## Checkliste")[1]


def test_protocol_docx(events: list[DemoEvent], all_items: list[DemoItem]) -> None:
    protocol = item(all_items, "protokoll-fragerunde")
    assert protocol.files[0].filename.endswith("Fördermittelgeber.docx")
    text = docx_text(protocol.files[0].data)
    event_date = TODAY + datetime.timedelta(days=events[0].days_offset)
    for expected in (
        "AMIF-Förderperiode",
        "Verwendungsnachweis",
        f"01.01.{NEXT_YEAR}",
        event_date.strftime("%d.%m.%Y"),
        "Landesverwaltungsamt Sachsen-Anhalt",
        "Investitionsbank Sachsen-Anhalt",
    ):
        assert expected in text


def test_eu_migration_service_presentation(all_items: list[DemoItem]) -> None:
    presentation = item(all_items, "eu-migrationsdienst")
    slides = pptx_slides(presentation.files[0].data)
    assert 3 <= len(slides) <= 5
    assert "EU-Migrationsdienst" in slides[0]


def test_office_metadata_names_organisations_only(all_items: list[DemoItem]) -> None:
    for demo_item in all_items:
        for demo_file in demo_item.files:
            if demo_file.filename.endswith(".pptx"):
                props = Presentation(io.BytesIO(demo_file.data)).core_properties
            elif demo_file.filename.endswith(".docx"):
                props = docx.Document(io.BytesIO(demo_file.data)).core_properties
            else:
                continue
            assert props.author == demo_item.organisation
            assert props.last_modified_by == demo_item.organisation


def test_dates_follow_today() -> None:
    events = build_demo(datetime.date(2031, 6, 1))
    guidance = item(events[0].items, "leitfaden-antragsformalitaeten")
    assert guidance.valid_from == datetime.date(2032, 1, 1)
    assert "Gilt ab 01.01.2032" in " ".join(pdf_pages(guidance.files[0].data))


def test_importing_demo_content_does_not_import_weasyprint() -> None:
    code = "import sys, kb.demo; assert 'weasyprint' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
