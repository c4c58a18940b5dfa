"""Item handouts: tagged PDF, language, metadata, page numbers, locked-down fetcher, cache key."""

from __future__ import annotations

import datetime
import io
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdf
import pytest

from kb.errors import ValidationError
from kb.handouts import (
    RefusedURL,
    handout_cache_key,
    make_url_fetcher,
    render_item_handout,
    render_item_html,
)
from kb.handouts.fetcher import resolve_static

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TITLE = "Arbeitgeberkooperation: Größe, Maß und Übergänge in Halle (Saale)"
SLIDE3_TEXT = "Patenschaftsmodell für Betriebe in Sachsen-Anhalt"


def sample_data(**overrides: Any) -> dict[str, Any]:
    """Plain item data as the service layer would pass it."""
    data: dict[str, Any] = {
        "title": TITLE,
        "kind_label": "Impulsvortrag",
        "summary": "Wie Kommunen und Betriebe zusammenarbeiten.\n\nMit Grüßen aus Weißenfels.",
        "event_title": "13. IKOE-Ideenwerkstatt",
        "date": datetime.date(2025, 3, 5),
        "access_label": "öffentlich",
        "state_label": "Veröffentlicht",
        "url": "https://kb.example.org/items/42",
        "files": [
            {
                "name": "Impuls_Arbeitgeberkooperation.pptx",
                "size": 48_213,
                "mime_label": "PowerPoint-Präsentation",
                "sha256": "ab" * 32,
            }
        ],
        "pages": [
            {"number": 1, "label": "Folie 1", "text": "Begrüßung\nAblauf"},
            {"number": 2, "label": "Folie 2", "text": "Ausgangslage"},
            {"number": 3, "label": "Folie 3", "text": SLIDE3_TEXT + "\n- Tandems\n- Kammern"},
        ],
        "generated_at": datetime.datetime(2025, 3, 6, 9, 30),
        "extraction_notes": ["Anhang.pdf: Die Datei ist verschlüsselt."],
    }
    data.update(overrides)
    return data


def render(data: dict[str, Any], static_dir: Path, lang: str = "de") -> pypdf.PdfReader:
    pdf = render_item_handout(data, templates_dir=TEMPLATES, static_dir=static_dir, lang=lang)
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(reader: pypdf.PdfReader) -> str:
    """All text with whitespace collapsed (headings may wrap across lines)."""
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def link_uris(reader: pypdf.PdfReader) -> list[str]:
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def test_german_handout_is_tagged_with_metadata(tmp_path: Path) -> None:
    reader = render(sample_data(), tmp_path)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "de"
    assert reader.metadata.title == TITLE
    assert reader.metadata.author == "kb – Wissensdatenbank Integrationskoordination Sachsen-Anhalt"
    text = text_of(reader)
    for expected in (
        TITLE,
        "Zusammenfassung",
        "Mit Grüßen aus Weißenfels.",
        "Folie 3",
        SLIDE3_TEXT,
        "Seite 1 von",
        "Prüfsumme",
        "47,1 KB",
        "05.03.2025",
        "https://kb.example.org/items/42",
        "Die Datei ist verschlüsselt.",
    ):
        assert expected in text
    assert link_uris(reader) == ["https://kb.example.org/items/42"]


def test_english_handout(tmp_path: Path) -> None:
    reader = render(sample_data(), tmp_path, lang="en")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = text_of(reader)
    assert "Page 1 of" in text
    assert "Summary" in text
    assert "5 March 2025" in text


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        render_item_handout(sample_data(), templates_dir=TEMPLATES, static_dir=tmp_path, lang="fr")


def test_html_has_structure_and_escapes_text() -> None:
    data = sample_data(summary='<img src="file:///etc/passwd">', event_title=None, date=None)
    html = render_item_html(data, templates_dir=TEMPLATES)
    assert '<html lang="de">' in html
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img" in html
    assert '<section class="page-text" id="page-3">' in html
    assert "<h3>Folie 3</h3>" in html
    assert html.count('scope="col"') == 5  # name, type, size, checksum, link
    assert "Veranstaltung" not in html


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x",
        "data:image/png;base64,iVBORw0KGgo=",
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "kb-static:../../etc/passwd",
        "kb-static://example.org/handout.css",
        "kb-static:missing.css",
        "",
    ],
)
def test_fetcher_refuses(tmp_path: Path, url: str) -> None:
    (tmp_path / "handout.css").write_text("p { color: red }", encoding="utf-8")
    with pytest.raises(RefusedURL):
        resolve_static(url, tmp_path)
    fetcher = make_url_fetcher(tmp_path)
    with pytest.raises(RefusedURL):
        fetcher(url)


def test_fetcher_refuses_symlink_out_of_static_dir(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text("geheim", encoding="utf-8")
    (static / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(RefusedURL):
        make_url_fetcher(static).fetch("kb-static:link.txt")


def test_fetcher_serves_static_files(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "extra.css").write_text("h1 { color: navy }", encoding="utf-8")
    fetcher = make_url_fetcher(tmp_path)
    for url in ("kb-static:css/extra.css", "kb-static:/css/extra.css", "css/extra.css"):
        response = fetcher(url)
        try:
            assert response.read() == b"h1 { color: navy }"
            assert response.content_type == "text/css"
        finally:
            response.close()


def test_refused_resources_do_not_break_rendering(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from weasyprint import HTML

    html = (
        '<html lang="de"><head><title>t</title>'
        '<link rel="stylesheet" href="http://example.org/x.css"></head>'
        '<body><p>Text</p><img src="file:///etc/passwd" alt=""><img src="../../etc/passwd" alt="">'
        "</body></html>"
    )
    with caplog.at_level(logging.WARNING, logger="kb.handouts.fetcher"):
        pdf = HTML(string=html, base_url="kb-static:/", url_fetcher=make_url_fetcher(tmp_path))
        data = pdf.write_pdf()
    refused = [r.getMessage() for r in caplog.records if r.name == "kb.handouts.fetcher"]
    assert any("file:///etc/passwd" in m for m in refused)
    assert any("http://example.org/x.css" in m for m in refused)
    assert any("etc/passwd" in m and "file:" not in m for m in refused)
    assert b"root:" not in data


def test_non_web_item_url_is_text_not_link(tmp_path: Path) -> None:
    reader = render(sample_data(url="file:///etc/passwd"), tmp_path)
    assert "file:///etc/passwd" in text_of(reader)
    assert link_uris(reader) == []


def test_long_item_has_page_numbers_to_the_end(tmp_path: Path) -> None:
    pages = [
        {"number": n, "label": f"Seite {n}", "text": f"Absatz {n} über Förderanträge.\n" * 3}
        for n in range(1, 201)
    ]
    reader = render(sample_data(pages=pages), tmp_path)
    total = len(reader.pages)
    assert total > 10
    last = " ".join((reader.pages[-1].extract_text() or "").split())
    assert f"Seite {total} von {total}" in last
    assert "Absatz 200 über Förderanträge." in text_of(reader)


def test_cache_key_is_stable_and_sensitive() -> None:
    base = handout_cache_key(sample_data(), "de", "public")
    assert base == handout_cache_key(sample_data(), "de", "public")
    later = sample_data(generated_at=datetime.datetime(2026, 1, 1, 8, 0))
    assert handout_cache_key(later, "de", "public") == base
    assert len(base) == 64
    changed = {
        handout_cache_key(sample_data(), "en", "public"),
        handout_cache_key(sample_data(), "de", "internal"),
        handout_cache_key(sample_data(title="Anderer Titel"), "de", "public"),
        handout_cache_key(sample_data(date=datetime.date(2025, 3, 6)), "de", "public"),
    }
    assert base not in changed
    assert len(changed) == 4


def test_cache_key_refuses_non_plain_data() -> None:
    with pytest.raises(TypeError):
        handout_cache_key(sample_data(files=[object()]), "de", "public")


def test_importing_handouts_does_not_import_weasyprint() -> None:
    code = "import sys, kb.handouts; assert 'weasyprint' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
