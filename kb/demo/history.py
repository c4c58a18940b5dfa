"""The demo's history: earlier workshops of the series since 2016 and the next one.

Dates and host districts are invented but plausible; the series runs about every ten
months from its 1st workshop in 2016 (whatever today is), the 13th took place
:data:`kb.demo.EVENT_OFFSET` days before ``today`` in Halle (Saale), and the 14th is
planned. Speakers are roles of organisations, never personal names ("Team
Integrationskoordination Harz"). Each earlier workshop has one talk with a
short deck built here with python-pptx, and a programme.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from kb.demo.orgs import EUMD, FSIKOE, IB, LVWA
from kb.demo.slides import Slide, build_pptx

#: Days between two workshops of the series in the demo (about ten months).
INTERVAL_DAYS = 300
#: The series began in 2016 (the issue, README, design): the 1st workshop stays in that year
#: whatever today is. While ``INTERVAL_DAYS`` counted back from the 13th lands in this window
#: it is used as is; otherwise the 1st is pinned to the window's nearer end and the workshops
#: in between are spread evenly (about eleven months apart a year later, still plausible).
FIRST_EARLIEST = datetime.date(2016, 3, 1)
FIRST_LATEST = datetime.date(2016, 12, 8)


def first_workshop(thirteenth: datetime.date) -> datetime.date:
    """The day of the series' 1st workshop, in 2016 whatever the 13th's date.

    >>> first_workshop(datetime.date(2026, 10, 11))  # 3,600 days before: in 2016 already
    datetime.date(2016, 12, 2)
    >>> first_workshop(datetime.date(2027, 10, 11))  # would be December 2017: pinned
    datetime.date(2016, 12, 8)
    """
    natural = thirteenth - datetime.timedelta(days=12 * INTERVAL_DAYS)
    return min(max(natural, FIRST_EARLIEST), FIRST_LATEST)


@dataclass(frozen=True)
class DemoAgendaEntry:
    """One programme line; ``talk`` names the demo item (by key) presented there."""

    starts_at: str
    ends_at: str
    title: str
    speakers: str = ""
    talk: str = ""


@dataclass(frozen=True)
class DemoTalk:
    key: str
    title: str
    kind: str
    summary: str
    organisation: str
    speaker: str
    topics: tuple[str, ...]
    filename: str
    slides: tuple[Slide, ...]

    def deck(self) -> bytes:
        return build_pptx(self.title, self.organisation, self.slides, author=self.organisation)


@dataclass(frozen=True)
class DemoWorkshop:
    number: int
    theme: str
    city: str
    venue: str
    host_district_ags: str
    description: str
    talks: tuple[DemoTalk, ...] = ()

    def title(self) -> str:
        return f"{self.number}. IKOE-Ideenwerkstatt: {self.theme}"

    def starts_on(self, thirteenth: datetime.date) -> datetime.date:
        """Evenly spaced from the 1st (:func:`first_workshop`, in 2016) to the 13th.

        That is :data:`INTERVAL_DAYS` apart as long as the 1st falls in 2016 that way.
        """
        first = first_workshop(thirteenth)
        span = (thirteenth - first).days
        return first + datetime.timedelta(days=span * (self.number - 1) // 12)


def programme(talk: DemoTalk | None, host: str) -> list[DemoAgendaEntry]:
    """The usual day of an Ideenwerkstatt: welcome, impulse, groups, lunch, round, close."""
    entries = [
        DemoAgendaEntry("09:30", "10:00", f"Ankommen und Begrüßung in {host}", f"Leitung {FSIKOE}"),
    ]
    if talk is not None:
        entries.append(DemoAgendaEntry("10:00", "11:00", talk.title, talk.speaker, talk.key))
    entries += [
        DemoAgendaEntry("11:15", "12:30", "Austausch in Arbeitsgruppen"),
        DemoAgendaEntry("12:30", "13:30", "Mittagspause"),
        DemoAgendaEntry("13:30", "14:45", "Projektnachrichten aus den Landkreisen"),
        DemoAgendaEntry("14:45", "15:00", "Abschluss und Ausblick", f"Leitung {FSIKOE}"),
    ]
    return entries


HARZ_TEAM = "Team Integrationskoordination Harz"

WORKSHOPS: tuple[DemoWorkshop, ...] = (
    DemoWorkshop(
        1,
        "Integrationskoordination im Aufbau",
        "Magdeburg",
        "Landeshaus, Domplatz",
        "15003",
        "Auftakt der Reihe: Aufgaben der neuen kommunalen Integrationskoordination, "
        "erste Netzwerke und ein gemeinsames Verständnis der Rolle.",
        (
            DemoTalk(
                "talk-aufbau",
                "Integrationskoordination im Aufbau: Aufgaben und Netzwerke",
                "impulsvortrag",
                "Welche Aufgaben die kommunale Integrationskoordination übernimmt, mit wem sie "
                "zusammenarbeitet und wie ein lokales Integrationsnetzwerk entsteht.",
                FSIKOE,
                f"Leitung {FSIKOE}",
                ("Netzwerkarbeit",),
                "Impuls_Integrationskoordination_im_Aufbau.pptx",
                (
                    Slide(
                        "Warum Integrationskoordination?",
                        (
                            "Viele Zuständigkeiten, wenig Überblick",
                            "Koordination statt Parallelstrukturen",
                        ),
                    ),
                    Slide(
                        "Aufgaben",
                        (
                            "Bestandsaufnahme der Angebote im Landkreis",
                            "Integrationskonzept mit Politik und Verwaltung abstimmen",
                            "Netzwerktreffen moderieren",
                        ),
                    ),
                    Slide(
                        "Erste Schritte",
                        ("Ansprechstellen sammeln", "Lenkungsrunde einrichten"),
                    ),
                ),
            ),
        ),
    ),
    DemoWorkshop(
        4,
        "Sprache als Schlüssel",
        "Dessau-Roßlau",
        "Rathaus, Zerbster Straße",
        "15001",
        "Sprachkursangebote koordinieren: Integrationskurse, Berufssprachkurse und "
        "ehrenamtliche Angebote ohne Lücken und Doppelungen.",
        (
            DemoTalk(
                "talk-sprachkurse",
                "Integrationskurse und Berufssprachkurse im Überblick",
                "praesentation",
                "Wer Anspruch auf welchen Kurs hat, wie Wartezeiten entstehen und wie die "
                "Kommune Kursträger und Jobcenter an einen Tisch bringt.",
                FSIKOE,
                f"Referat Sprache ({FSIKOE})",
                ("Sprachförderung",),
                "Sprachkurse_Überblick.pptx",
                (
                    Slide(
                        "Kursarten",
                        ("Integrationskurs mit Orientierungskurs", "Berufssprachkurse B1 bis C1"),
                    ),
                    Slide(
                        "Wartezeiten verkürzen",
                        ("Kursplanung im Netzwerk abstimmen", "Kinderbetreuung mitdenken"),
                    ),
                    Slide(
                        "Kursträgerrunde",
                        ("Zweimal im Jahr, moderiert von der Integrationskoordination",),
                    ),
                ),
            ),
        ),
    ),
    DemoWorkshop(
        7,
        "Ehrenamt stärken",
        "Stendal",
        "Kreisverwaltung, Hospitalstraße",
        "15090",
        "Wie Kommunen ehrenamtliche Sprach- und Alltagspatenschaften gewinnen, begleiten "
        "und wertschätzen.",
        (
            DemoTalk(
                "talk-ehrenamt",
                "Ehrenamtliche Sprachpaten gewinnen und begleiten",
                "impulsvortrag",
                "Erfahrungen mit Sprachpatenschaften: Gewinnung, Schulung, Versicherung und "
                "Anerkennung der Ehrenamtlichen.",
                FSIKOE,
                "Team Integrationskoordination Stendal",
                ("Ehrenamt", "Sprachförderung"),
                "Impuls_Sprachpaten.pptx",
                (
                    Slide("Gewinnen", ("Aufrufe über Vereine und Kirchengemeinden",)),
                    Slide("Begleiten", ("Einführungsschulung", "Supervision in Gruppen")),
                    Slide("Wertschätzen", ("Ehrenamtskarte", "Jährliches Dankesfest")),
                ),
            ),
        ),
    ),
    DemoWorkshop(
        9,
        "Aufnahme Geflüchteter aus der Ukraine",
        "Wernigerode",
        "Harzer Kultur- und Kongresshotel",
        "15085",
        "Erfahrungen der Landkreise mit der Aufnahme Geflüchteter aus der Ukraine: "
        "Unterbringung, Leistungen, Schule und Arbeit.",
        (
            DemoTalk(
                "talk-ukraine-harz",
                "Aufnahme Geflüchteter aus der Ukraine: Erfahrungen aus dem Landkreis Harz",
                "praesentation",
                "Wie der Landkreis Harz Unterbringung, Registrierung und Beratung in wenigen "
                "Wochen organisiert hat, und was davon bleibt.",
                "Landkreis Harz",
                HARZ_TEAM,
                ("Aufnahme", "Netzwerkarbeit"),
                "Ukraine_Aufnahme_Harz.pptx",
                (
                    Slide("Die ersten Wochen", ("Registrierung im Bürgerbüro", "Hotline")),
                    Slide("Unterbringung", ("Private Unterkünfte vermitteln",)),
                    Slide("Was bleibt", ("Krisenstab als Netzwerk erhalten",)),
                ),
            ),
        ),
    ),
    DemoWorkshop(
        11,
        "Förderung richtig beantragen",
        "Naumburg (Saale)",
        "Kreisverwaltung, Schönburger Straße",
        "15084",
        "Antrag, Kostenplan und Nachweise in den Förderprogrammen der Integrationsarbeit, "
        "mit der Investitionsbank.",
        (
            DemoTalk(
                "talk-amif-praxis",
                "AMIF in der Praxis: Antrag, Kostenplan, Nachweis",
                "praesentation",
                "Typische Fehler in Anträgen und Nachweisen und wie man sie vermeidet: "
                "Kostenplan, Mittelabruf, Zwischennachweis und Belegliste.",
                IB,
                f"Förderberatung ({IB})",
                ("Förderverfahren",),
                "AMIF_in_der_Praxis.pptx",
                (
                    Slide("Antrag", ("Vollständige Unterlagen sparen Rückfragen",)),
                    Slide("Kostenplan", ("Nach Kostenpositionen gliedern",)),
                    Slide("Nachweise", ("Belegliste laufend führen",)),
                ),
            ),
        ),
    ),
    DemoWorkshop(
        12,
        "Interkulturelle Öffnung der Verwaltung",
        "Lutherstadt Wittenberg",
        "Landratsamt, Breitscheidstraße",
        "15091",
        "Wie Ausländerbehörden, Bürgerbüros und Jobcenter interkulturell offener werden: "
        "Schulungen, Sprachmittlung, verständliche Bescheide.",
        (
            DemoTalk(
                "talk-ikoe-verwaltung",
                "Interkulturelle Öffnung der Ausländerbehörde",
                "impulsvortrag",
                "Schritte der interkulturellen Öffnung einer Ausländerbehörde: Terminvergabe, "
                "Sprachmittlung, Bescheide in einfacher Sprache.",
                FSIKOE,
                f"Leitung {FSIKOE}",
                ("Interkulturelle Öffnung",),
                "Impuls_Interkulturelle_Öffnung.pptx",
                (
                    Slide("Ausgangslage", ("Lange Wartezeiten, viele Rückfragen",)),
                    Slide("Maßnahmen", ("Online-Termine", "Videodolmetschen")),
                    Slide("Wirkung", ("Weniger Rückfragen, zufriedenere Kundschaft",)),
                ),
            ),
        ),
    ),
)

#: The next workshop: planned, no materials yet.
NEXT_WORKSHOP = DemoWorkshop(
    14,
    "Wohnen und Integration",
    "Bernburg (Saale)",
    "Kreisverwaltung, Karlsplatz",
    "15089",
    "Wohnraum für Zugewanderte: Zusammenarbeit mit Wohnungsunternehmen, Wohnsitzauflage und "
    f"Beratung. Mit einem Beitrag des {EUMD}es; Fragen an das {LVWA} bitte vorab einsenden.",
)
