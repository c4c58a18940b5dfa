"""The demo guidance's structured parts: the Markdown body with its checklist, and deadlines.

The two editions differ for real (see ``PREVIOUS_EDITION`` in kb/demo/documents.py): paper
applications, three months for the proof of use and copies of every receipt in the earlier
edition; electronic only, six months and the list of receipts in the new one.
"""

from __future__ import annotations

import datetime

from kb.demo.documents import leitfaden_checkliste
from kb.demo.orgs import SAMPLE_NOTE


def body_markdown(year: int, previous: bool = False) -> str:
    """The guidance text shown on its page: what applies, then the checklist (a task list)."""
    if previous:
        rules = [
            "Anträge und Nachweise **schriftlich oder elektronisch** einreichen.",
            "Verwendungsnachweis innerhalb von **drei Monaten** nach Ende des "
            "Bewilligungszeitraums, mit Kopien aller Einzelbelege.",
            "Abweichungen im Kostenplan bis **15 Prozent** je Kostenposition ohne Änderungsantrag.",
        ]
    else:
        rules = [
            f"Ab dem 01.01.{year} nur noch **elektronisch** über das Förderportal.",
            "Verwendungsnachweis innerhalb von **sechs Monaten** nach Ende des "
            "Bewilligungszeitraums, mit **Belegliste** statt Einzelbelegen.",
            "Abweichungen im Kostenplan bis **20 Prozent** je Kostenposition ohne Änderungsantrag.",
        ]
    checks = leitfaden_checkliste(previous)
    lines = ["## Das gilt", "", *(f"- {rule}" for rule in rules), "", "## Checkliste", ""]
    lines += [f"- [ ] {check}" for check in checks]
    lines += ["", f"*{SAMPLE_NOTE}*"]
    return "\n".join(lines)


def deadlines(year: int) -> list[tuple[str, datetime.date, str]]:
    """(title, due date, note) of the new edition's deadlines: the switch to the portal
    before it applies, then the first year's proofs and the next application."""
    return [
        (
            "Benutzerkonto im Förderportal anlegen",
            datetime.date(year - 1, 12, 15),
            "vor der Umstellung auf die elektronische Antragstellung",
        ),
        (f"Zwischennachweis für {year - 1}", datetime.date(year, 3, 31), "für das Vorjahr"),
        (
            f"Verwendungsnachweis für Projekte bis 31.12.{year - 1}",
            datetime.date(year, 6, 30),
            "sechs Monate nach Ende des Bewilligungszeitraums",
        ),
        (f"Antrag für das Förderjahr {year + 1}", datetime.date(year, 9, 30), "im Förderportal"),
    ]
