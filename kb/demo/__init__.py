"""Demo content for ``kb demo``: a workshop with its materials, built entirely by code.

A fresh clone must be able to show a realistic knowledge base without any file from outside
the repository, so every demo file (PPTX, DOCX, PDF) is generated here from German text
written for the demo. The text is plausible but invented: every file says it is sample content,
so nobody mistakes the demo guidance for binding rules. No person is named anywhere (also not
in file metadata); documents refer to roles and organisations only.

Dates are relative to ``today`` (the caller's injectable clock): the workshop took place
``days_offset`` days ago and the guidance applies from 1 January of ``today.year + 1``. Only
the series' 1st workshop is anchored in 2016, whatever today is (:mod:`kb.demo.history`).

The distinctive word on slide 3 of the impulse talk is :data:`SLIDE3_WORD`
(``"Patenschaftsmodell"``). It appears on that slide (title, text and notes) and in no other
slide or demo file, so "search a word from slide 3 and land on Folie 3" can be shown with the
demo too. Keep it that way when editing the texts in ``kb/demo/slides.py``.

WeasyPrint is imported inside ``kb.demo.documents.build_leitfaden_pdf`` only (never before
a server forks).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from kb.demo.documents import build_belegliste_docx, build_leitfaden_pdf, build_protokoll_docx
from kb.demo.orgs import EUMD, FSIKOE, IB, LVWA, SAMPLE_NOTE
from kb.demo.slides import SLIDE3_WORD, build_eumd_pptx, build_impuls_pptx

logger = logging.getLogger(__name__)

__all__ = [
    "DEMO_EVENT_TITLE",
    "SAMPLE_NOTE",
    "SLIDE3_WORD",
    "DemoEvent",
    "DemoFile",
    "DemoItem",
    "build_demo",
    "build_demo_items",
]


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
    topics: tuple[str, ...] = ()
    programme: str = ""


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


EVENT_OFFSET = -45
#: The demo's workshop; ``kb demo`` checks for it before building any file.
DEMO_EVENT_TITLE = "13. IKOE-Ideenwerkstatt"


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
        DEMO_EVENT_TITLE,
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
            topics=("Förderverfahren", "Verwendungsnachweis"),
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
        topics=("Arbeitsmarktintegration", "Zusammenarbeit mit Arbeitgebern"),
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
        topics=("Förderverfahren", "Verwendungsnachweis"),
        programme="AMIF",
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
        topics=("Förderverfahren", "Verwendungsnachweis"),
        programme="AMIF",
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
        topics=("EU-Zuwanderung", "Beratung"),
    )
