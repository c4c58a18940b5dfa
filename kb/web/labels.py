"""The German labels that services and models hand to the pages, for the catalogue.

Kinds, states, facet names, validity, workflow steps, audit actions and units are
German data from fixed tables (``kb.models``, ``kb.services``); the pages translate them
with the ``tl`` filter or :class:`kb.web.filters.LabelTable`. ``pybabel extract``
only sees literal strings, so this module lists every one of them; the i18n test
(``tests/test_i18n.py``) fails when a table gains a label missing here.
"""

from __future__ import annotations


def label_tables() -> dict[str, list[str]]:
    """Every label table whose values the pages show, by name."""
    from kb.models import (
        ACCESS,
        KINDS,
        LICENCES,
        ORGANISATION_KINDS,
        ROLES,
        STATES,
        TOKEN_SCOPES,
        UNITS,
    )
    from kb.services.audit import ACTIONS
    from kb.services.search import FACET_LABELS, OBJECT_KINDS
    from kb.services.validity import VALIDITY_LABELS
    from kb.services.vocabulary import VOCABULARIES
    from kb.services.workflow import TRANSITIONS

    tables = {
        "KINDS": KINDS,
        "STATES": STATES,
        "ACCESS": ACCESS,
        "LICENCES": LICENCES,
        "ROLES": ROLES,
        "UNITS": UNITS,
        "ORGANISATION_KINDS": ORGANISATION_KINDS,
        "ACTIONS": ACTIONS,
        "FACET_LABELS": FACET_LABELS,
        "OBJECT_KINDS": OBJECT_KINDS,
        "TOKEN_SCOPES": TOKEN_SCOPES,
    }
    result = {name: list(t.values()) for name, t in tables.items()}
    result["VALIDITY_LABELS"] = [
        v for label in VALIDITY_LABELS.values() for v in (label, label.capitalize())
    ]
    result["TRANSITIONS"] = [t.label for t in TRANSITIONS]
    result["VOCABULARIES"] = [label for _, label in VOCABULARIES.values()]
    return result


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    return text


#: The validity sentences of kb.services.guidance ("Gültig seit %(a)s" …) are msgids in
#: kb/services/translation.py, which babel.cfg extracts as well.

LABELS = (
    N_("Gültig"),
    N_("Ersetzt durch eine neuere Fassung"),
    N_("Meine Mappe"),
    N_("Präsentation"),
    N_("Impulsvortrag"),
    N_("Leitfaden"),
    N_("Protokoll/Dokumentation"),
    N_("Formular/Vorlage"),
    N_("Sonstiges"),
    N_("Entwurf"),
    N_("Zur Prüfung"),
    N_("Veröffentlicht"),
    N_("Archiviert"),
    N_("öffentlich"),
    N_("intern"),
    N_("nicht angegeben"),
    N_("CC BY 4.0"),
    N_("CC BY-SA 4.0"),
    N_("CC BY-ND 4.0"),
    N_("CC0 1.0 (gemeinfrei)"),
    N_("Alle Rechte vorbehalten"),
    N_("Leser"),
    N_("Autor"),
    N_("Redaktion"),
    N_("Admin"),
    N_("Seite"),
    N_("Folie"),
    N_("Abschnitt"),
    N_("Tabelle"),
    N_("Fachstelle"),
    N_("Landesbehörde"),
    N_("Förderbank"),
    N_("Beratungsdienst"),
    N_("Kommune / Landkreis"),
    N_("Träger / Verein"),
    N_("Sonstige"),
    N_("Hochgeladen"),
    N_("Bearbeitet"),
    N_("Neue Dateiversion"),
    N_("Version als aktuell gesetzt"),
    N_("Status geändert"),
    N_("Interne Datei heruntergeladen"),
    N_("Angemeldet"),
    N_("Anmeldung fehlgeschlagen"),
    N_("Abgemeldet"),
    N_("Benutzer angelegt"),
    N_("Benutzer deaktiviert"),
    N_("Benutzer aktiviert"),
    N_("Rolle geändert"),
    N_("Veranstaltungsgruppen geändert"),
    N_("Profil geändert"),
    N_("Passwort geändert"),
    N_("Link zum Zurücksetzen erstellt"),
    N_("Passwort per Link gesetzt"),
    N_("Veranstaltung angelegt"),
    N_("Veranstaltung bearbeitet"),
    N_("Veranstaltung gelöscht"),
    N_("Person geändert"),
    N_("Person gelöscht"),
    N_("Personen zusammengeführt"),
    N_("Organisation angelegt/geändert"),
    N_("Organisation gelöscht"),
    N_("Organisationen zusammengeführt"),
    N_("Vokabular geändert"),
    N_("Leitfaden-Angaben oder Fristen geändert"),
    N_("Frage und Antwort angelegt"),
    N_("Frage und Antwort geändert"),
    N_("Frage und Antwort gelöscht"),
    N_("Persönlicher Kalender-Link erstellt"),
    N_("Persönlicher Kalender-Link widerrufen"),
    N_("In den Papierkorb gelegt"),
    N_("Aus dem Papierkorb wiederhergestellt"),
    N_("Endgültig gelöscht"),
    N_("API-Schlüssel erstellt"),
    N_("API-Schlüssel widerrufen"),
    N_("Impressum, Datenschutz- oder Barrierefreiheitserklärung geändert"),
    N_("Art"),
    N_("Veranstaltung"),
    N_("Landkreis/Stadt"),
    N_("Thema"),
    N_("Jahr"),
    N_("Vortragende"),
    N_("Organisation"),
    N_("Förderprogramm"),
    N_("Dateityp"),
    N_("Veranstaltungsreihe"),
    N_("Gültigkeit"),
    N_("Frage und Antwort"),
    N_("gültig"),
    N_("Gültig"),
    N_("künftig gültig"),
    N_("Künftig gültig"),
    N_("ersetzt"),
    N_("Ersetzt"),
    N_("abgelaufen"),
    N_("Abgelaufen"),
    N_("Zur Prüfung einreichen"),
    N_("Veröffentlichen"),
    N_("Zurück an Entwurf"),
    N_("Zurückziehen (Entwurf)"),
    N_("Archivieren"),
    N_("Wieder veröffentlichen"),
    N_("nur lesen"),
    N_("lesen und schreiben"),
    # the plurals of UNITS, for counted labels ("12 Folien")
    N_("Seiten"),
    N_("Folien"),
    N_("Abschnitte"),
    N_("Tabellen"),
)
