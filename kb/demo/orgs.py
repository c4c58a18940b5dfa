"""Organisations named in the demo (never persons) and the sample-content note."""

from __future__ import annotations

SAMPLE_NOTE = "Beispielinhalt für die Demo von kb – keine verbindliche Auskunft."
FSIKOE = "Fachstelle Interkulturelle Öffnung"
LVWA = "Landesverwaltungsamt Sachsen-Anhalt"
IB = "Investitionsbank Sachsen-Anhalt"
EUMD = "EU-Migrationsdienst"
