"""Demo content for ``kb demo``: a workshop with its materials, built entirely by code.

A fresh clone must be able to show a realistic knowledge base without any file from outside
the repository, so every demo file (PPTX, DOCX, PDF) is generated here from German text
written for the demo. The text is plausible but invented: every file says it is sample content,
so nobody mistakes the demo guidance for binding rules. No person is named anywhere (also not
in file metadata); documents refer to roles and organisations only.

Dates are relative to ``today`` (the caller's injectable clock): the workshop took place
``days_offset`` days ago and the guidance applies from 1 January of ``today.year + 1``.

The distinctive word on slide 3 of the impulse talk is :data:`SLIDE3_WORD`
(``"Patenschaftsmodell"``). It appears on that slide (title, text and notes) and in no other
slide or demo file, so "search a word from slide 3 and land on Folie 3" can be shown with the
demo too. Keep it that way when editing the texts below.

WeasyPrint is imported inside :func:`build_leitfaden_pdf` only (never before a server forks).
"""

from __future__ import annotations

import datetime
import html
import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

logger = logging.getLogger(__name__)

SLIDE3_WORD = "Patenschaftsmodell"
FSIKOE = "Fachstelle Interkulturelle Öffnung"
LVWA = "Landesverwaltungsamt Sachsen-Anhalt"
IB = "Investitionsbank Sachsen-Anhalt"
EUMD = "EU-Migrationsdienst"
SAMPLE_NOTE = "Beispielinhalt für die Demo von kb – keine verbindliche Auskunft."


@dataclass(frozen=True)
class DemoFile:
    """One file of a demo item: original name (umlauts where natural) and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class DemoItem:
    """A demo item; ``valid_from`` is set for guidance only (an addition with a default)."""

    key: str
    title: str
    kind: str
    summary: str
    organisation: str
    files: list[DemoFile]
    days_offset: int
    valid_from: datetime.date | None = None


@dataclass(frozen=True)
class DemoEvent:
    """A demo workshop with the items presented or handed out there."""

    series: str
    number: int
    title: str
    city: str
    host_district_ags: str
    days_offset: int
    description: str
    items: list[DemoItem]


@dataclass(frozen=True)
class Slide:
    """One slide: a title, bullet lines, speaker notes and an optional table (rows of cells)."""

    title: str
    bullets: tuple[str, ...] = ()
    notes: str = ""
    table: tuple[tuple[str, ...], ...] = ()


EVENT_OFFSET = -45

IMPULS_SLIDES = (
    Slide(
        "Ausgangslage in Sachsen-Anhalt",
        (
            "Arbeitsmarktintegration gelingt nur gemeinsam mit den Betrieben",
            "Fachkräftebedarf in Pflege, Handwerk, Logistik und Gastronomie",
            "Viele Zugewanderte bringen Berufserfahrung, aber keinen anerkannten Abschluss mit",
            "Betriebe kennen Förderwege und Ansprechstellen oft nicht",
            "Zuständigkeiten verteilt: Jobcenter, Agentur für Arbeit, Ausländerbehörde, Kammern",
        ),
        "Die Kommunen sind nicht Arbeitgeberservice, aber sie kennen alle Beteiligten vor Ort. "
        "Genau dort setzt die Arbeitgeberkooperation an.",
    ),
    Slide(
        f"Das {SLIDE3_WORD}: Betriebe begleiten Betriebe",
        (
            f"Im {SLIDE3_WORD} berät ein erfahrener Ausbildungsbetrieb einen Betrieb, "
            "der erstmals Zugewanderte einstellt",
            "Die Integrationskoordination vermittelt die Tandems und hält den Kontakt",
            "Kammern stellen eine feste Ansprechstelle für Rückfragen",
            "Erfahrung aus dem Landkreis: nach einem Jahr zwölf Tandems, kaum Abbrüche",
        ),
        f"Das {SLIDE3_WORD} kostet wenig und überzeugt Betriebe, weil andere Betriebe "
        "sprechen, nicht die Verwaltung.",
    ),
    Slide(
        "Wer macht was? Rollen in der Arbeitgeberkooperation",
        notes="Die Tabelle dient als Vorlage für eine eigene Übersicht je Landkreis.",
        table=(
            ("Akteur", "Beitrag", "Typische Frage der Betriebe"),
            ("Integrationskoordination", "Netzwerk, Überblick, Lotsenfunktion", "Wen rufe ich an?"),
            ("Jobcenter", "Arbeitgeberservice, Eingliederungszuschuss", "Gibt es Zuschüsse?"),
            (
                "Agentur für Arbeit",
                "Vermittlung, Zustimmung zur Beschäftigung",
                "Darf sie arbeiten?",
            ),
            ("Kammern (IHK, HWK)", "Anerkennung, Ausbildungsberatung", "Gilt der Abschluss?"),
            ("Ausländerbehörde", "Aufenthalt, Beschäftigungserlaubnis", "Wie lange bleibt er?"),
        ),
    ),
    Slide(
        "Anerkennung ausländischer Berufsabschlüsse",
        (
            "Anerkennungsberatung früh einbinden, noch vor dem Arbeitsvertrag",
            "Anpassungsqualifizierung berufsbegleitend planen",
            "Kosten klären: Übernahme durch Jobcenter oder Agentur für Arbeit prüfen",
            "Reglementierte Berufe (Pflege, Erziehung) brauchen die Anerkennung zwingend",
        ),
        "Ohne Anerkennung landen Fachkräfte dauerhaft in Helfertätigkeiten.",
    ),
    Slide(
        "Sprache im Betrieb: Integrationskurse und Berufssprachkurse",
        (
            "Integrationskurse mit Schichtplänen abstimmen, Teilzeitmodule nutzen",
            "Berufssprachkurse berufsbegleitend, auch direkt im Betrieb",
            "Sprachmittlung für Einstellungs- und Einarbeitungsgespräche",
            "Arbeitsanweisungen in einfacher Sprache und mit Bildern",
        ),
        "Sprachförderung ist Aufgabe aller Beteiligten, nicht nur der Kursträger.",
    ),
    Slide(
        "Willkommenskultur im Betrieb",
        (
            "Einarbeitungsplan und feste Ansprechperson im Team",
            "Kurze interkulturelle Schulung für die Belegschaft",
            "Hilfe bei Wohnungssuche, Kinderbetreuung und Behördengängen",
            "Betriebliche Gepflogenheiten offen erklären",
        ),
        "Wer sich willkommen fühlt, bleibt: Bindung ist günstiger als Neubesetzung.",
    ),
    Slide(
        "Nächste Schritte für die Kommunen",
        (
            "Arbeitgeberfrühstück in jedem Landkreis und jeder kreisfreien Stadt",
            "Gemeinsame Liste der Ansprechstellen im Netzwerk pflegen",
            "Erfahrungen in der nächsten IKOE-Ideenwerkstatt teilen",
            f"Kontakt: {FSIKOE}",
        ),
        "Bitte bringen Sie zur nächsten Ideenwerkstatt ein Beispiel aus Ihrem Landkreis mit.",
    ),
)

EUMD_SLIDES = (
    Slide(
        "Wen wir beraten",
        (
            "Zugewanderte aus den Mitgliedstaaten der Europäischen Union und ihre Familien",
            "Saisonbeschäftigte und Beschäftigte in der Fleisch- und Logistikbranche",
            "Kommunale Stellen, die EU-Bürgerinnen und EU-Bürger weitervermitteln",
        ),
        "Die Beratung ist kostenlos, vertraulich und mehrsprachig.",
    ),
    Slide(
        "Häufige Anliegen",
        (
            "Arbeitsverträge, Lohnabrechnung und Mindestlohn",
            "Krankenversicherung, Anmeldung und Kindergeld",
            "Anerkennung von Berufsabschlüssen aus dem Herkunftsland",
        ),
        "Viele Fälle beginnen mit einer Kündigung der Unterkunft durch den Arbeitgeber.",
    ),
    Slide(
        "Zusammenarbeit mit den Kommunen",
        (
            "Verweisberatung: kurze Wege zwischen Integrationskoordination und Beratungsstelle",
            "Sprechstunden vor Ort in den Landkreisen nach Absprache",
            "Mehrsprachige Infoblätter auf Polnisch, Rumänisch und Bulgarisch",
        ),
        "Ansprechstellen in den Landkreisen werden im Netzwerk bekannt gegeben.",
    ),
)


def build_demo(today: datetime.date) -> list[DemoEvent]:
    """Return the demo workshop (13th IKOE-Ideenwerkstatt) with its items and files."""
    next_year = today.year + 1
    event_date = today + datetime.timedelta(days=EVENT_OFFSET)
    items = [
        _impuls_item(),
        _leitfaden_item(next_year),
        _protokoll_item(event_date, next_year),
        _eumd_item(),
    ]
    description = (
        "Arbeitstreffen des Netzwerks der kommunalen Integrationskoordination Sachsen-Anhalt: "
        "Impuls zur Zusammenarbeit von Verwaltung und Arbeitgebern, Beratungsangebote des "
        f"{EUMD}es und eine Fragerunde mit dem {LVWA} und der {IB} zu den neuen "
        f"Antragsformalitäten ab 01.01.{next_year}."
    )
    event = DemoEvent(
        "IKOE-Ideenwerkstatt",
        13,
        "13. IKOE-Ideenwerkstatt",
        "Halle (Saale)",
        "15002",
        EVENT_OFFSET,
        description,
        items,
    )
    return [event]


def build_demo_items(today: datetime.date) -> list[DemoItem]:
    """Return demo items that belong to no event (a form template)."""
    return [
        DemoItem(
            key="vorlage-belegliste",
            title="Vorlage Belegliste zum Verwendungsnachweis",
            kind="formular",
            summary="Tabellenvorlage für die Belegliste, die dem Verwendungsnachweis und dem "
            "Zwischennachweis beizufügen ist.",
            organisation=IB,
            files=[DemoFile("Vorlage_Belegliste.docx", build_belegliste_docx())],
            days_offset=-20,
        )
    ]


def _impuls_item() -> DemoItem:
    return DemoItem(
        key="impuls-arbeitgeber",
        title="Arbeitgeberkooperation: Wie Kommunen und Betriebe gemeinsam Fachkräfte gewinnen",
        kind="impulsvortrag",
        summary="Impuls zur Zusammenarbeit von Kommunalverwaltungen und Arbeitgebern bei der "
        "Arbeitsmarktintegration: Rollen von Jobcenter, Kammern und Ausländerbehörde, "
        "Anerkennung ausländischer Berufsabschlüsse, Sprachförderung im Betrieb und "
        "Willkommenskultur.",
        organisation=FSIKOE,
        files=[DemoFile("Impuls_Arbeitgeberkooperation.pptx", build_impuls_pptx())],
        days_offset=EVENT_OFFSET,
    )


def _leitfaden_item(next_year: int) -> DemoItem:
    return DemoItem(
        key="leitfaden-antragsformalitaeten",
        title=f"Leitfaden: Neue Antragsformalitäten ab 01.01.{next_year}",
        kind="leitfaden",
        summary="Was sich bei Antrag, Kostenplan, Zwischennachweis, Verwendungsnachweis und "
        f"Belegliste ändert; elektronische Antragstellung über das Förderportal; Fristen und "
        f"Checkliste. Gilt ab 01.01.{next_year}.",
        organisation=LVWA,
        files=[
            DemoFile(
                f"Leitfaden_Antragsformalitäten_{next_year}.pdf", build_leitfaden_pdf(next_year)
            )
        ],
        days_offset=EVENT_OFFSET,
        valid_from=datetime.date(next_year, 1, 1),
    )


def _protokoll_item(event_date: datetime.date, next_year: int) -> DemoItem:
    return DemoItem(
        key="protokoll-fragerunde",
        title="Dokumentation der Fragerunde mit den Fördermittelgebern",
        kind="protokoll",
        summary=f"Fragen und Antworten mit dem {LVWA} und der {IB} zur AMIF-Förderperiode, "
        "zum Verwendungsnachweis und zu den neuen Antragsformalitäten.",
        organisation=FSIKOE,
        files=[
            DemoFile(
                "Dokumentation_Fragerunde_Fördermittelgeber.docx",
                build_protokoll_docx(event_date, next_year),
            )
        ],
        days_offset=EVENT_OFFSET + 7,
    )


def _eumd_item() -> DemoItem:
    return DemoItem(
        key="eu-migrationsdienst",
        title="Der EU-Migrationsdienst stellt sich vor",
        kind="praesentation",
        summary="Beratung für Zugewanderte aus der EU: Zielgruppen, häufige Anliegen und "
        "Zusammenarbeit mit den Kommunen.",
        organisation=EUMD,
        files=[DemoFile("EU-Migrationsdienst_Beratungsangebote.pptx", build_eumd_pptx())],
        days_offset=EVENT_OFFSET,
    )


# --- PowerPoint -------------------------------------------------------------------------------


def build_impuls_pptx() -> bytes:
    """The impulse talk: title slide plus :data:`IMPULS_SLIDES` (8 slides in all)."""
    return build_pptx(
        "Arbeitgeberkooperation in der kommunalen Integrationsarbeit",
        f"Impuls zur 13. IKOE-Ideenwerkstatt, Halle (Saale)\n{FSIKOE}",
        IMPULS_SLIDES,
        author=FSIKOE,
    )


def build_eumd_pptx() -> bytes:
    """The short presentation of the EU-Migrationsdienst (4 slides)."""
    return build_pptx(
        "Der EU-Migrationsdienst stellt sich vor",
        f"Beratung für Zugewanderte aus der Europäischen Union\n{EUMD}",
        EUMD_SLIDES,
        author=EUMD,
    )


def build_pptx(title: str, subtitle: str, slides: tuple[Slide, ...], *, author: str) -> bytes:
    """Build a presentation with python-pptx; the author is an organisation, never a person.

    The default template names its own creator in ``last_modified_by``; it is overwritten so
    the demo carries no personal name.
    """
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = title
    first.placeholders[1].text = f"{subtitle}\n{SAMPLE_NOTE}"
    for spec in slides:
        if spec.table:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            rows, cols = len(spec.table), len(spec.table[0])
            shape = slide.shapes.add_table(
                rows, cols, Inches(0.4), Inches(1.6), Inches(9.2), Inches(4)
            )
            for r, row in enumerate(spec.table):
                for c, text in enumerate(row):
                    shape.table.cell(r, c).text = text
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            body = slide.placeholders[1].text_frame
            body.text = spec.bullets[0]
            for line in spec.bullets[1:]:
                body.add_paragraph().text = line
        slide.shapes.title.text = spec.title
        if spec.notes:
            slide.notes_slide.notes_text_frame.text = spec.notes
    props = prs.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- Word -------------------------------------------------------------------------------------

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


# --- PDF (WeasyPrint) -------------------------------------------------------------------------

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


def build_leitfaden_pdf(next_year: int) -> bytes:
    """The guidance sheet as a tagged PDF (WeasyPrint, imported here, not at module import).

    The HTML references no external resource, so WeasyPrint never fetches anything.
    """
    from weasyprint import HTML

    return HTML(string=_leitfaden_html(next_year)).write_pdf(pdf_variant="pdf/ua-1")


def _leitfaden_html(year: int) -> str:
    esc = html.escape
    title = f"Leitfaden: Neue Antragsformalitäten ab 01.01.{year}"
    parts = [
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{esc(title)}</title>',
        f'<meta name="author" content="{esc(LVWA)}"><style>{LEITFADEN_CSS}</style></head><body>',
        f"<h1>{esc(title)}</h1>",
        f'<p class="gilt">Gilt ab 01.01.{year} für alle neuen Anträge und Nachweise.</p>',
        f"<p>Herausgegeben vom {esc(LVWA)} in Abstimmung mit der {esc(IB)}.</p>",
    ]
    for heading, blocks in LEITFADEN_SECTIONS:
        parts.append(f"<h2>{esc(heading)}</h2>")
        for block in blocks:
            if isinstance(block, str):
                parts.append(f"<p>{esc(block.format(year=year))}</p>")
            else:
                items = "".join(f"<li>{esc(b.format(year=year))}</li>" for b in block)
                parts.append(f"<ul>{items}</ul>")
    rows = "".join(
        f"<tr><td>{esc(what.format(year=year))}</td><td>{esc(when)}</td></tr>"
        for what, when in LEITFADEN_FRISTEN
    )
    parts.append(
        "<h2>7. Fristen im Überblick</h2><table><thead><tr>"
        f'<th scope="col">Was</th><th scope="col">Frist</th></tr></thead><tbody>{rows}</tbody>'
        "</table>"
    )
    checks = "".join(f"<li>{esc(c)}</li>" for c in LEITFADEN_CHECKLISTE)
    parts.append(f'<h2 class="neue-seite">8. Checkliste</h2><ul class="check">{checks}</ul>')
    parts.append(f'<p class="hinweis">{esc(SAMPLE_NOTE)}</p></body></html>')
    return "".join(parts)
