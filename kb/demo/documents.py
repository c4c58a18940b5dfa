"""The demo's Word documents (python-docx) and the guidance PDF (WeasyPrint, imported lazily)."""

from __future__ import annotations

import datetime
import html
import io
from typing import TYPE_CHECKING

from kb.demo.orgs import FSIKOE, IB, LVWA, SAMPLE_NOTE

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument


PROTOKOLL_QA = (
    (
        "Wie lange läuft die aktuelle AMIF-Förderperiode, und können laufende Projekte "
        "verlängert werden?",
        LVWA,
        "Bewilligungen sind höchstens bis zum Ende der laufenden Förderperiode möglich. "
        "Verlängerungen werden über einen Änderungsantrag im Förderportal beantragt, sofern die "
        "Kofinanzierung des Landes gesichert ist. Zur nachfolgenden Förderperiode liegen noch "
        "keine Eckpunkte der Europäischen Kommission vor.",
    ),
    (
        "Bis wann muss der Verwendungsnachweis vorliegen?",
        IB,
        "Ab dem 01.01.{year} innerhalb von sechs Monaten nach Ende des Bewilligungszeitraums, "
        "ausschließlich elektronisch über das Förderportal. Eine Fristverlängerung ist vor "
        "Fristablauf schriftlich zu begründen.",
    ),
    (
        "Bleibt der Zwischennachweis für mehrjährige Projekte bestehen?",
        IB,
        "Ja. Er ist jährlich bis zum 31. März für das Vorjahr einzureichen, künftig mit "
        "Belegliste statt Einzelbelegen.",
    ),
    (
        "Müssen Originalbelege eingereicht werden?",
        IB,
        "Nein. Eingereicht wird die Belegliste nach Vorlage. Originalbelege sind zehn Jahre "
        "aufzubewahren und werden nur bei Stichproben angefordert.",
    ),
    (
        "Wie verbindlich ist der Kostenplan?",
        LVWA,
        "Abweichungen bis zu 20 Prozent je Kostenposition sind ohne Änderungsantrag zulässig, "
        "solange die Gesamtsumme gleich bleibt. Größere Verschiebungen sind vorher zu beantragen.",
    ),
)


def build_protokoll_docx(event_date: datetime.date, next_year: int) -> bytes:
    """The documentation of the question round with the funding bodies (python-docx)."""
    import docx

    doc = docx.Document()
    doc.add_heading("Dokumentation der Fragerunde mit den Fördermittelgebern", level=1)
    doc.add_paragraph(
        f"13. IKOE-Ideenwerkstatt, Halle (Saale), {event_date:%d.%m.%Y}. Beteiligt: die "
        "Integrationskoordinatorinnen und -koordinatoren der Landkreise und kreisfreien Städte, "
        f"das {LVWA}, die {IB} und die {FSIKOE} (Moderation und Dokumentation)."
    )
    doc.add_heading("Fragen und Antworten", level=2)
    for number, (question, body, answer) in enumerate(PROTOKOLL_QA, start=1):
        doc.add_heading(f"Frage {number}: {question}", level=3)
        doc.add_paragraph(f"Antwort ({body}): {answer.format(year=next_year)}")
    doc.add_heading("Vereinbarungen", level=2)
    for line in (
        f"Das {LVWA} stellt den Leitfaden zu den neuen Antragsformalitäten im Netzwerk bereit.",
        f"Die {IB} bietet eine Online-Schulung zum Förderportal an.",
        "Offene Fragen sammelt die Fachstelle bis zur nächsten Ideenwerkstatt.",
    ):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_paragraph(SAMPLE_NOTE)
    return _save_docx(doc, "Dokumentation der Fragerunde mit den Fördermittelgebern", FSIKOE)


def build_belegliste_docx() -> bytes:
    """A form template: the Belegliste as a Word table to fill in."""
    import docx

    doc = docx.Document()
    doc.add_heading("Belegliste zum Zwischen- und Verwendungsnachweis", level=1)
    doc.add_paragraph(
        "Bitte je Ausgabe eine Zeile ausfüllen und die Kostenposition aus dem bewilligten "
        "Kostenplan angeben. Originalbelege verbleiben beim Zuwendungsempfänger."
    )
    header = (
        "Lfd. Nr.",
        "Belegdatum",
        "Empfänger",
        "Zweck der Ausgabe",
        "Kostenposition",
        "Betrag",
    )
    table = doc.add_table(rows=6, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for number, row in enumerate(table.rows[1:], start=1):
        row.cells[0].text = str(number)
    doc.add_paragraph(SAMPLE_NOTE)
    return _save_docx(doc, "Vorlage Belegliste", IB)


def _save_docx(doc: DocxDocument, title: str, author: str) -> bytes:
    """Set organisation metadata (no personal names) and serialise."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


LEITFADEN_SECTIONS: tuple[tuple[str, tuple[str | tuple[str, ...], ...]], ...] = (
    (
        "1. Worum es geht",
        (
            "Ab dem 01.01.{year} gelten für Anträge und Nachweise in den Förderprogrammen der "
            "Integrationsarbeit, die das Landesverwaltungsamt Sachsen-Anhalt bewilligt und die "
            "Investitionsbank Sachsen-Anhalt abwickelt, neue Formalitäten. Das betrifft auch "
            "Projekte mit Mitteln aus dem Asyl-, Migrations- und Integrationsfonds (AMIF).",
            "Dieser Leitfaden fasst die Änderungen zusammen. Maßgeblich bleiben die "
            "Förderrichtlinie und der Zuwendungsbescheid.",
        ),
    ),
    (
        "2. Elektronische Antragstellung über das Förderportal",
        (
            "Anträge, Änderungsanträge und Nachweise werden nur noch elektronisch angenommen.",
            (
                "Benutzerkonto der Organisation im Förderportal anlegen",
                "Vertretungsberechtigung hinterlegen (Satzung, Vollmacht)",
                "Antrag online ausfüllen und elektronisch bestätigen",
                "Papieranträge werden ab dem 01.01.{year} zurückgesandt",
            ),
        ),
    ),
    (
        "3. Kostenplan",
        (
            "Der Kostenplan gliedert die Ausgaben nach Personalkosten, Sachkosten, Honoraren, "
            "Reisekosten und Pauschalen. Eigenanteil und Drittmittel sind gesondert auszuweisen.",
            "Abweichungen bis zu 20 Prozent je Kostenposition sind ohne Änderungsantrag zulässig, "
            "wenn die Gesamtsumme unverändert bleibt.",
        ),
    ),
    (
        "4. Zwischennachweis",
        (
            "Mehrjährige Projekte reichen jährlich bis zum 31. März einen Zwischennachweis für "
            "das Vorjahr ein: kurzer Sachbericht, zahlenmäßiger Nachweis und Belegliste.",
        ),
    ),
    (
        "5. Verwendungsnachweis",
        (
            "Der Verwendungsnachweis ist innerhalb von sechs Monaten nach Ende des "
            "Bewilligungszeitraums einzureichen. Er besteht aus dem Sachbericht (Ziele, "
            "Maßnahmen, Ergebnisse, Teilnehmende) und dem zahlenmäßigen Nachweis mit Belegliste.",
        ),
    ),
    (
        "6. Belegliste",
        (
            "Statt Einzelbelegen wird eine Belegliste nach Vorlage eingereicht: laufende Nummer, "
            "Belegdatum, Empfänger, Zweck, Kostenposition und Betrag. Originalbelege sind zehn "
            "Jahre aufzubewahren und auf Anforderung vorzulegen.",
        ),
    ),
)

LEITFADEN_FRISTEN = (
    ("Antrag für das Förderjahr {year}", "bis 30. September des Vorjahres"),
    ("Mittelabruf", "höchstens alle zwei Monate; Verwendung binnen sechs Wochen"),
    ("Änderungsantrag zum Kostenplan", "vor der Ausgabe, spätestens drei Monate vor Projektende"),
    ("Zwischennachweis", "jährlich bis 31. März für das Vorjahr"),
    ("Verwendungsnachweis", "sechs Monate nach Ende des Bewilligungszeitraums"),
    ("Aufbewahrung der Originalbelege", "zehn Jahre nach Abschluss des Projekts"),
)

LEITFADEN_CHECKLISTE = (
    "Benutzerkonto im Förderportal angelegt und Vertretungsberechtigung hinterlegt",
    "Kostenplan nach Kostenpositionen gegliedert, Eigenanteil ausgewiesen",
    "Termine für Zwischennachweis und Verwendungsnachweis im Kalender eingetragen",
    "Belegliste nach Vorlage laufend geführt",
    "Originalbelege geordnet abgelegt (Aufbewahrung zehn Jahre)",
    "Sachbericht mit Zielen, Maßnahmen und Ergebnissen vorbereitet",
)

LEITFADEN_CSS = """
@page { size: A4; margin: 22mm 20mm;
  @bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 8pt; } }
html { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10.5pt; }
h1 { font-size: 18pt; color: #0b3d66; } h2 { font-size: 13pt; color: #0b3d66; margin-top: 8mm; }
.gilt { border: 1pt solid #0b3d66; padding: 3mm; font-weight: bold; }
.neue-seite { break-before: page; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #999; padding: 2mm; text-align: left; vertical-align: top; }
ul.check { list-style: none; padding-left: 0; } ul.check li::before { content: "☐  "; }
.hinweis { font-size: 8.5pt; color: #555; margin-top: 10mm; }
"""


#: What the previous edition (the year before) said instead: the real change between the two
#: generations of the demo guidance (paper allowed, three months, single receipts, 15 %).
#: The old edition describes the formalities of its year, not changes, and knows no Belegliste
#: (the question round says the Zwischennachweis takes one only "künftig").
PREVIOUS_EDITION = {
    "Dieser Leitfaden fasst die Änderungen zusammen. Maßgeblich bleiben die "
    "Förderrichtlinie und der Zuwendungsbescheid.": (
        "Dieser Leitfaden fasst die Formalitäten zusammen. Maßgeblich bleiben die "
        "Förderrichtlinie und der Zuwendungsbescheid."
    ),
    "2. Elektronische Antragstellung über das Förderportal": (
        "2. Antragstellung schriftlich oder über das Förderportal"
    ),
    "Mehrjährige Projekte reichen jährlich bis zum 31. März einen Zwischennachweis für "
    "das Vorjahr ein: kurzer Sachbericht, zahlenmäßiger Nachweis und Belegliste.": (
        "Mehrjährige Projekte reichen jährlich bis zum 31. März einen Zwischennachweis für "
        "das Vorjahr ein: kurzer Sachbericht, zahlenmäßiger Nachweis und Kopien der "
        "Einzelbelege."
    ),
    "6. Belegliste": "6. Belege",
    "Belegliste nach Vorlage laufend geführt": "Kopien der Einzelbelege laufend gesammelt",
    "Anträge, Änderungsanträge und Nachweise werden nur noch elektronisch angenommen.": (
        "Anträge und Nachweise können schriftlich oder elektronisch eingereicht werden."
    ),
    "Papieranträge werden ab dem 01.01.{year} zurückgesandt": (
        "Papieranträge mit Originalunterschrift per Post an die Investitionsbank"
    ),
    "Abweichungen bis zu 20 Prozent je Kostenposition sind ohne Änderungsantrag zulässig, "
    "wenn die Gesamtsumme unverändert bleibt.": (
        "Abweichungen bis zu 15 Prozent je Kostenposition sind ohne Änderungsantrag zulässig, "
        "wenn die Gesamtsumme unverändert bleibt."
    ),
    "Der Verwendungsnachweis ist innerhalb von sechs Monaten nach Ende des "
    "Bewilligungszeitraums einzureichen. Er besteht aus dem Sachbericht (Ziele, "
    "Maßnahmen, Ergebnisse, Teilnehmende) und dem zahlenmäßigen Nachweis mit Belegliste.": (
        "Der Verwendungsnachweis ist innerhalb von drei Monaten nach Ende des "
        "Bewilligungszeitraums einzureichen. Er besteht aus dem Sachbericht und dem "
        "zahlenmäßigen Nachweis mit Kopien aller Einzelbelege."
    ),
    "Statt Einzelbelegen wird eine Belegliste nach Vorlage eingereicht: laufende Nummer, "
    "Belegdatum, Empfänger, Zweck, Kostenposition und Betrag. Originalbelege sind zehn "
    "Jahre aufzubewahren und auf Anforderung vorzulegen.": (
        "Dem zahlenmäßigen Nachweis sind Kopien aller Einzelbelege beizufügen. Originalbelege "
        "sind zehn Jahre aufzubewahren."
    ),
    "sechs Monate nach Ende des Bewilligungszeitraums": (
        "drei Monate nach Ende des Bewilligungszeitraums"
    ),
}


def build_leitfaden_pdf(next_year: int, previous: bool = False) -> bytes:
    """The guidance sheet as a tagged PDF (WeasyPrint, imported here, not at module import).

    ``previous`` builds the edition of the year before (see :data:`PREVIOUS_EDITION`).
    The HTML references no external resource, so WeasyPrint never fetches anything.
    """
    from weasyprint import HTML

    page = _leitfaden_html(next_year, previous)
    return HTML(string=page).write_pdf(pdf_variant="pdf/ua-1")


def leitfaden_checkliste(previous: bool = False) -> list[str]:
    """The checklist of an edition: the earlier one had no portal duty and no Belegliste."""
    if not previous:
        return list(LEITFADEN_CHECKLISTE)
    return [PREVIOUS_EDITION.get(c, c) for c in LEITFADEN_CHECKLISTE if "Förderportal" not in c]


def leitfaden_title(year: int, previous: bool = False) -> str:
    if previous:
        return f"Leitfaden: Antragsformalitäten {year}"
    return f"Leitfaden: Neue Antragsformalitäten ab 01.01.{year}"


def _leitfaden_html(year: int, previous: bool = False) -> str:
    esc = html.escape

    def text(value: str) -> str:
        if previous:
            value = PREVIOUS_EDITION.get(value, value)
            value = value.replace("Ab dem 01.01.{year} gelten", "Im Jahr {year} gelten")
            value = value.replace("neue Formalitäten", "diese Formalitäten")
        return esc(value.format(year=year))

    title = leitfaden_title(year, previous)
    validity = (
        f"Gilt vom 01.01.{year} bis 31.12.{year}."
        if previous
        else f"Gilt ab 01.01.{year} für alle neuen Anträge und Nachweise."
    )
    parts = [
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{esc(title)}</title>',
        f'<meta name="author" content="{esc(LVWA)}"><style>{LEITFADEN_CSS}</style></head><body>',
        f"<h1>{esc(title)}</h1>",
        f'<p class="gilt">{validity}</p>',
        f"<p>Herausgegeben vom {esc(LVWA)} in Abstimmung mit der {esc(IB)}.</p>",
    ]
    for heading, blocks in LEITFADEN_SECTIONS:
        parts.append(f"<h2>{text(heading)}</h2>")
        for block in blocks:
            if isinstance(block, str):
                parts.append(f"<p>{text(block)}</p>")
            else:
                items = "".join(f"<li>{text(b)}</li>" for b in block)
                parts.append(f"<ul>{items}</ul>")
    rows = "".join(
        f"<tr><td>{esc(what.format(year=year))}</td><td>{text(when)}</td></tr>"
        for what, when in LEITFADEN_FRISTEN
    )
    parts.append(
        "<h2>7. Fristen im Überblick</h2><table><thead><tr>"
        f'<th scope="col">Was</th><th scope="col">Frist</th></tr></thead><tbody>{rows}</tbody>'
        "</table>"
    )
    checks = "".join(f"<li>{esc(c)}</li>" for c in leitfaden_checkliste(previous))
    parts.append(f'<h2 class="neue-seite">8. Checkliste</h2><ul class="check">{checks}</ul>')
    parts.append(f'<p class="hinweis">{esc(SAMPLE_NOTE)}</p></body></html>')
    return "".join(parts)
