"""The demo's slide decks: their text and the python-pptx builder.

The distinctive word on slide 3 of the impulse talk is ``SLIDE3_WORD`` (see kb/demo/__init__.py);
it must stay on that slide only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from kb.demo.orgs import EUMD, FSIKOE, SAMPLE_NOTE

SLIDE3_WORD = "Patenschaftsmodell"


@dataclass(frozen=True)
class Slide:
    """One slide: a title, bullet lines, speaker notes and an optional table (rows of cells)."""

    title: str
    bullets: tuple[str, ...] = ()
    notes: str = ""
    table: tuple[tuple[str, ...], ...] = ()


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
