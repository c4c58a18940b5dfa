"""Event and guidance handouts from plain data: structure tree, /Lang, bookmarks, contents
with page numbers, programme table, tick boxes, banner, FAQ and the slide limits."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pypdf
from test_handouts import TEMPLATES, text_of
from test_mappe import _outline

from kb.handouts.event import (
    LINES_PER_SLIDE,
    SLIDES_PER_TALK,
    render_event_handout,
    render_event_html,
)
from kb.handouts.guidance import render_guidance_handout, render_guidance_html


def _talk(n: int, slides: int = 3) -> dict:
    return {
        "anchor": f"beitrag-{n}",
        "title": f"Beitrag Nummer {n}",
        "kind_label": "Impulsvortrag",
        "speakers": f"Team Integrationskoordination {n}",
        "organisation": "Fachstelle Interkulturelle Öffnung",
        "summary": f"Zusammenfassung des Beitrags {n}.",
        "url": f"https://kb.example.org/items/{n}",
        "slides": [
            {"label": f"Folie {s}", "lines": [f"Zeile {k} von Folie {s}" for k in range(1, 6)]}
            for s in range(1, slides + 1)
        ],
    }


def event_data(talks: int = 3, slides: int = 3) -> dict:
    return {
        "title": "13. IKOE-Ideenwerkstatt: Arbeit und Ausbildung",
        "series_title": "IKOE-Ideenwerkstatt",
        "number": 13,
        "starts_on": datetime.date(2026, 10, 11),
        "ends_on": datetime.date(2026, 10, 12),
        "city": "Halle (Saale)",
        "venue": "Stadthaus am Markt",
        "host_district": "Halle (Saale)",
        "description": "Arbeitstreffen des Netzwerks.",
        "url": "https://kb.example.org/events/13",
        "programme": [
            {"starts_at": "09:30", "ends_at": "10:00", "title": "Begrüßung", "speakers": "Leitung"},
            *(
                {
                    "starts_at": f"{10 + n}:00",
                    "ends_at": f"{10 + n}:45",
                    "title": f"Beitrag Nummer {n}",
                    "speakers": f"Team Integrationskoordination {n}",
                    "talk_anchor": f"beitrag-{n}",
                }
                for n in range(1, talks + 1)
            ),
        ],
        "talks": [_talk(n, slides) for n in range(1, talks + 1)],
        "materials": [
            {
                "title": "Beitrag Nummer 1",
                "kind_label": "Impulsvortrag",
                "url": "https://kb.example.org/items/1",
                "files": [{"name": "Impuls.pptx", "size": 48213}],
            }
        ],
        "generated_at": datetime.datetime(2026, 11, 25, 9, 0),
    }


def _reader(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def test_event_handout_structure(tmp_path: Path) -> None:
    reader = _reader(
        render_event_handout(event_data(), templates_dir=TEMPLATES, static_dir=tmp_path)
    )
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "de"
    assert reader.metadata.title == "13. IKOE-Ideenwerkstatt: Arbeit und Ausbildung"
    outline = _outline(reader.outline)
    assert outline[0] == (0, "13. IKOE-Ideenwerkstatt: Arbeit und Ausbildung")
    assert (1, "Programm") in outline and (1, "Alle Materialien") in outline
    assert (1, "Beitrag Nummer 2") in outline and (2, "Folie 1") in outline
    text = text_of(reader)
    for expected in (
        "11.10.2026 – 12.10.2026",
        "Stadthaus am Markt, Halle (Saale)",
        "Reihe: IKOE-Ideenwerkstatt · Nr. 13",
        "09:30–10:00",
        "Zusammenfassung des Beitrags 3.",
        "Impuls.pptx (47,1 KB)",
        "Seite 1 von",
        "QR-Code scannen",
    ):
        assert expected in text, expected
    # The contents name the page each talk starts on.
    toc = dict(
        re.findall(r"^(Beitrag Nummer \d) \.{5,} (\d+)$", reader.pages[1].extract_text(), re.M)
    )
    for title, page in toc.items():
        assert title in reader.pages[int(page) - 1].extract_text()
    assert len(toc) == 3


def test_event_handout_shows_the_first_lines_of_the_first_slides() -> None:
    html = render_event_html(
        event_data(talks=1, slides=SLIDES_PER_TALK + 5), templates_dir=TEMPLATES
    )
    assert f"Zeile {LINES_PER_SLIDE} von Folie 1" in html
    assert f"Zeile {LINES_PER_SLIDE + 1} von Folie 1" not in html
    assert f"Folie {SLIDES_PER_TALK}<" in html and f"Folie {SLIDES_PER_TALK + 1}<" not in html
    assert "Weitere 5 Folien/Seiten stehen im Original." in html


def test_event_handout_without_programme_or_materials_says_so() -> None:
    data = {**event_data(talks=0), "programme": [], "materials": []}
    html = render_event_html(data, templates_dir=TEMPLATES)
    assert "kein Programm erfasst" in html and "Keine Materialien" in html


def guidance_data() -> dict:
    return {
        "title": "Leitfaden: Neue Antragsformalitäten ab 01.01.2027",
        "issuing_body": "Landesverwaltungsamt Sachsen-Anhalt",
        "programme": "AMIF",
        "valid_from": datetime.date(2027, 1, 1),
        "valid_until": None,
        "status": "upcoming",
        "banner": "Gilt ab 01.01.2027",
        "url": "https://kb.example.org/items/7",
        "summary": "Was sich ändert.",
        "predecessor": {"title": "Leitfaden 2026", "url": "https://kb.example.org/items/6"},
        "successor": None,
        "body_html": (
            '<ul class="contains-task-list"><li class="task-list-item">'
            '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> '
            "Konto im Förderportal anlegen</li>"
            '<li class="task-list-item"><input class="task-list-item-checkbox" '
            'checked="checked" disabled="disabled" type="checkbox"> Kostenplan geprüft</li></ul>'
        ),
        "deadlines": [
            {"due_on": datetime.date(2027, 3, 31), "title": "Zwischennachweis", "note": "jährlich"}
        ],
        "whats_new": [
            {"change": "added", "text": "Nachweise nur noch elektronisch."},
            {"change": "removed", "text": "Kopien aller Einzelbelege."},
        ],
        "faq": [
            {
                "question": "Bis wann muss der Verwendungsnachweis vorliegen?",
                "answer": "Innerhalb von sechs Monaten.",
                "answering_body": "Investitionsbank Sachsen-Anhalt",
                "asked_on": datetime.date(2026, 10, 11),
                "event_title": "13. IKOE-Ideenwerkstatt",
            }
        ],
        "pages": [{"number": 1, "label": "Seite 1", "text": "Text der ersten Seite"}],
        "generated_at": datetime.datetime(2026, 11, 25, 9, 0),
    }


def test_guidance_handout_structure(tmp_path: Path) -> None:
    reader = _reader(
        render_guidance_handout(guidance_data(), templates_dir=TEMPLATES, static_dir=tmp_path)
    )
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "de"
    outline = _outline(reader.outline)
    for heading in ("Checkliste und Hinweise", "Fristen", "Was ist neu", "Häufige Fragen"):
        assert (1, heading) in outline, heading
    assert (2, "Bis wann muss der Verwendungsnachweis vorliegen?") in outline
    text = text_of(reader)
    for expected in (
        "Gilt ab 01.01.2027",
        "Landesverwaltungsamt Sachsen-Anhalt",
        "☐ Konto im Förderportal anlegen",
        "☑ Kostenplan geprüft",
        "31.03.2027 Zwischennachweis",
        "neu: Nachweise nur noch elektronisch.",
        "entfällt: Kopien aller Einzelbelege.",
        "Investitionsbank Sachsen-Anhalt, 11.10.2026, 13. IKOE-Ideenwerkstatt",
        "Ersetzt Leitfaden 2026",
        "Seite 1 von",
    ):
        assert expected in text, expected


def test_guidance_handout_without_predecessor_says_there_is_nothing_to_compare() -> None:
    data = {**guidance_data(), "predecessor": None, "whats_new": []}
    html = render_guidance_html(data, templates_dir=TEMPLATES, lang="en")
    assert '<html lang="en">' in html and "No previous edition to compare with." in html
    assert "<input" not in html  # printed tick boxes, not form fields


def test_headings_break_only_at_compound_boundaries(tmp_path: Path) -> None:
    """Manual hyphenation: a long heading wraps at "Integrations-|koordination", and the
    bookmark and running header carry the plain title (no soft hyphens)."""
    title = "13. IKOE-Ideenwerkstatt: Integrationskoordination und Arbeitsmarktintegration"
    data = {**event_data(), "title": title}
    html = render_event_html(data, templates_dir=TEMPLATES)
    assert "Integrations\u00adkoordination" in html
    assert f'data-bm="{title}"' in html
    reader = _reader(render_event_handout(data, templates_dir=TEMPLATES, static_dir=tmp_path))
    assert reader.outline[0].title == title
    first = reader.pages[0].extract_text()
    assert (
        re.search(r"Integrations\S?\s*\n\s*koordination", first)
        or "Integrationskoordination" in first
    )
    assert "\u00ad" not in reader.pages[1].extract_text().splitlines()[0]


# -- through the service layer and the CLI ------------------------------------------------


def _event_with_talks(kb, make_item, set_item):
    from kb.services import agenda, events
    from kb.services.access import SYSTEM

    slug = events.create_event(
        kb,
        events.EventData("Werkstatt Magdeburg", datetime.date(2026, 5, 6), city="Magdeburg"),
        SYSTEM,
    )
    talk = make_item(
        "Ausgangslage\fPatenschaften in Betrieben\fNächste Schritte",
        title="Impuls Arbeitgeber",
        kind="impulsvortrag",
        event_slug=slug,
    )
    secret = make_item("Vertraulich", title="Interne Notiz Geheimwort", event_slug=slug)
    set_item(secret, access="internal")
    rows = [
        agenda.AgendaData("09:30", "10:00", "Begrüßung"),
        agenda.AgendaData("10:00", "11:00", "Impuls", "Team Harz", talk),
    ]
    agenda.set_agenda(kb, slug, rows, SYSTEM)
    return slug


def test_event_handout_through_the_service(kb, make_item, set_item):
    from kb.services.access import ANONYMOUS, Viewer
    from kb.services.handout_kinds import event_handout

    slug = _event_with_talks(kb, make_item, set_item)
    pdf, name = event_handout(kb, slug, ANONYMOUS)
    assert name == f"Veranstaltung_{slug}.pdf"
    text = text_of(_reader(pdf))
    for expected in ("Werkstatt Magdeburg", "09:30–10:00", "Impuls Arbeitgeber", "Team Harz",
                     "Patenschaften in Betrieben"):  # fmt: skip
        assert expected in text, expected
    assert "Geheimwort" not in text  # the internal item is not in the public handout
    member = text_of(_reader(event_handout(kb, slug, Viewer(user_id=99, roles=("leser",)))[0]))
    assert "Geheimwort" in member


def test_guidance_item_gets_the_guidance_handout(kb, make_item, set_item):
    from kb.services import qa
    from kb.services.access import ANONYMOUS, SYSTEM
    from kb.services.deadlines import DeadlineInput
    from kb.services.guidance import GuidanceEdit, set_guidance
    from kb.services.handouts import item_handout

    kb.config["KB_TODAY"] = "2026-11-25"
    old = make_item(
        "Nachweis innerhalb von drei Monaten.", title="Merkblatt 2026", kind="leitfaden"
    )
    new = make_item(
        "Nachweis innerhalb von sechs Monaten.", title="Merkblatt 2027", kind="leitfaden"
    )
    edit = GuidanceEdit(
        issuing_body="LVwA",
        valid_from=datetime.date(2027, 1, 1),
        supersedes_id=old,
        body="- [ ] Konto anlegen\n- [x] Kostenplan prüfen",
        deadlines=[DeadlineInput("Zwischennachweis", datetime.date(2027, 3, 31), "jährlich")],
    )
    set_guidance(kb, new, edit, SYSTEM)
    qa.create(
        kb, qa.QAData("Gilt das auch für AMIF?", "Ja.", access="public", guidance_ids=[new]), SYSTEM
    )
    text = text_of(_reader(item_handout(kb, new, ANONYMOUS)[0]))
    for expected in ("Gilt ab 01.01.2027", "☐ Konto anlegen", "☑ Kostenplan prüfen",
                     "31.03.2027", "Zwischennachweis", "Was ist neu", "sechs Monaten",
                     "Gilt das auch für AMIF?", "Ersetzt Merkblatt 2026"):  # fmt: skip
        assert expected in text, expected
    old_text = text_of(_reader(item_handout(kb, old, ANONYMOUS)[0]))
    assert "Wird ab 01.01.2027 ersetzt durch: Merkblatt 2027" in old_text


def test_cli_event_handout_and_bad_arguments(runner, kb, make_item, set_item, tmp_path):
    slug = _event_with_talks(kb, make_item, set_item)
    out = tmp_path / "ev.pdf"
    result = runner.invoke(args=["handout", "--event", slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Impuls Arbeitgeber" in text_of(_reader(out.read_bytes()))
    neither = runner.invoke(args=["handout", "-o", str(out)])
    assert neither.exit_code != 0 and "--event" in neither.output
    unknown = runner.invoke(args=["handout", "--event", "gibt-es-nicht", "-o", str(out)])
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output


def test_guidance_text_headings_sit_below_the_handout_sections() -> None:
    data = {**guidance_data(), "body_html": "<h2>Das gilt</h2><p>x</p><h1>Checkliste</h1>"}
    html = render_guidance_html(data, templates_dir=TEMPLATES)
    assert "<h3>Das gilt</h3>" in html and "<h3>Checkliste</h3>" in html
    assert "<h2>Das gilt" not in html and "<h1>Checkliste" not in html
