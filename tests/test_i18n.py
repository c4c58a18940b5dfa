"""The UI in German (source) and English: the catalogue is complete, the language switch
works and no German UI text is left on the English pages.

How "no German left" is checked (a heuristic, documented in docs/architecture.md): the
pages are rendered in English over content with English titles only, so any German
word in the visible text is a UI string that was not wrapped or not translated. The
visible text (no ``<script>``/``<style>``, attribute texts ``alt``/``title``/
``aria-label``/``placeholder`` included) is searched for a list of common German words
that never occur in English UI text; reference data that stays German by nature
(district names, the network's organisations) is removed first.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import login

from kb.services import events
from kb.services.access import SYSTEM
from kb.services.events import EventData
from kb.web.i18n import TRANSLATIONS_DIR, compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"

#: Words of German UI text that English UI text never contains.
GERMAN_WORDS = (
    "und der die das nicht Sie Ihr Ihre ist sind für mit keine kein oder Bitte bitte "
    "Seite Suche suchen Hochladen hochladen Veranstaltung Veranstaltungen Speichern "
    "Zurück Eintrag Einträge Datei Dateien Fristen Frist Leitfaden Leitfäden Anmelden "
    "Abmelden Mappe Themen Thema Verwaltung Papierkorb Vokabular Personen Schlüssel "
    "Noch noch Alle alle Neue neue Zur zur zum Zum Treffer Titel Gültig gültig Programm "
    "Herunterladen herunterladen löschen Löschen Kalender abonnieren Konto Passwort"
).split()
GERMAN = re.compile(r"\b(" + "|".join(GERMAN_WORDS) + r")\b")

#: Reference data that is German by nature, removed before the check.
GERMAN_DATA = re.compile(
    r"Fachstelle Interkulturelle Öffnung|Landesverwaltungsamt[^<\n]*|Investitionsbank[^<\n]*"
    r"|EU-Migrationsdienst|Sachsen-Anhalt|Halle \(Saale\)|Dessau-Roßlau|Jerichower Land"
    r"|Mansfeld-Südharz|Altmarkkreis Salzwedel|Anhalt-Bitterfeld|Burgenlandkreis"
)


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes and the texts of a few attributes."""

    ATTRS = ("alt", "title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(v for k, v in attrs if k in self.ATTRS and v)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str, data: tuple[str, ...] = ()) -> str:
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in data:
        text = text.replace(value, " ")
    return GERMAN_DATA.sub(" ", text)


def reference_data(kb) -> tuple[str, ...]:
    """Names and descriptions ``kb init`` loads (German data, not UI text), longest first."""
    from sqlalchemy import select

    from kb.models import Organisation, Programme, Topic

    values = set()
    with kb.db.reading() as session:
        for model in (Topic, Programme, Organisation):
            for row in session.scalars(select(model)):
                values.update(v for v in (row.name, row.description) if v)
    return tuple(sorted(values, key=len, reverse=True))


def extract(tmp_path: Path) -> Path:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + ["-k", "_l", "-k", "N_", "--no-location", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return pot


def test_every_msgid_has_an_english_translation(tmp_path):
    with extract(tmp_path).open("rb") as f:
        template = read_po(f)
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="en")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        strings = translated.string if translated else None
        forms = strings if isinstance(strings, tuple | list) else (strings,)
        if translated is None or translated.fuzzy or not all(forms):
            missing.append(message.id)
    assert not missing, f"untranslated: {missing}"


def test_every_label_of_the_tables_is_in_the_catalogue():
    from kb.web.labels import LABELS, label_tables

    missing = [v for values in label_tables().values() for v in values if v not in LABELS]
    assert not missing, f"add to kb/web/labels.py: {missing}"


def test_a_stale_catalogue_is_compiled(tmp_path):
    po_dir = tmp_path / "en" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "messages.po").write_bytes(PO.read_bytes())
    assert compile_catalogues(tmp_path) == [po_dir / "messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: nothing to do


@pytest.fixture
def english_site(app, kb, client, make_item, add_user):
    """Content with English titles only, an account, and a client that asked for English."""
    item_id = make_item("Cooperation with employers", title="Employer talk", kind="leitfaden")
    add_user("admin", "admin")
    events.create_event(
        kb,
        EventData("Workshop Thirteen", dt.date(2026, 12, 3), new_series_title="Workshops"),
        SYSTEM,
    )
    login(client, "admin")
    assert client.get("/?lang=en").status_code == 200
    return item_id


def _event_slug(kb) -> str:
    from sqlalchemy import select

    from kb.models import Event

    with kb.db.reading() as session:
        return session.scalars(select(Event.slug)).one()


def test_main_pages_in_english_show_no_german_ui_text(kb, client, english_site):
    pages = [
        "/",
        "/search?q=employers",
        "/search?q=zzzznothing",
        f"/items/{english_site}",
        f"/items/{english_site}/edit",
        "/upload",
        "/mappe",
        "/events",
        f"/events/{_event_slug(kb)}",
        "/guidance",
        "/deadlines",
        "/districts",
        "/districts/15002",
        "/topics",
        "/organisations",
        "/persons",
        "/account",
        "/account/tokens",
        "/admin/users",
        "/admin/trash",
        "/admin/vocabulary",
        "/review",
        "/items/999999",
    ]
    found = {}
    data = reference_data(kb)
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert response.headers["Content-Language"] == "en"
        words = sorted(set(GERMAN.findall(visible_text(response.get_data(as_text=True), data))))
        if words:
            text = visible_text(response.get_data(as_text=True), data)
            found[path] = [
                m.group(0)
                for m in re.finditer(r".{0,40}\b(" + "|".join(words) + r")\b.{0,40}", text)
            ]
    assert not found, f"German words on English pages: {found}"


def test_the_switch_is_remembered_and_german_is_the_default(client):
    assert '<html lang="de">' in client.get("/").get_data(as_text=True)
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Search" in page
    client.get("/?lang=en")
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in page  # the session wins over the browser
    assert 'href="/?lang=de"' in page and ">Deutsch<" in page
    client.get("/?lang=de")
    assert '<html lang="de">' in client.get("/").get_data(as_text=True)


def test_german_wins_a_tie_and_unknown_languages_fall_back(client):
    tie = client.get("/", headers={"Accept-Language": "en;q=0.8,de;q=0.8"})
    assert '<html lang="de">' in tie.get_data(as_text=True)
    french = client.get("/?lang=fr", headers={"Accept-Language": "fr"})
    assert '<html lang="de">' in french.get_data(as_text=True)


def test_dates_and_numbers_follow_the_language(app):
    from kb.web.filters import date_de, filesize, number

    day = dt.date(2027, 1, 1)
    with app.test_request_context("/?lang=de"):
        assert (date_de(day), number(1234), filesize(1536)) == ("01.01.2027", "1.234", "1,5 KB")
        assert date_de(dt.datetime(2027, 1, 1, 10, 30)) == "01.01.2027, 10:30 Uhr"
    with app.test_request_context("/?lang=en"):
        assert (date_de(day), number(1234), filesize(1536)) == ("Jan 1, 2027", "1,234", "1.5 KB")


def test_service_errors_and_flashes_come_in_the_ui_language(client, add_user):
    add_user("anna", "autor")
    wrong = client.post("/login?lang=en", data={"username": "anna", "password": "falsch"})
    assert wrong.status_code in (400, 401, 403)
    text = wrong.get_data(as_text=True)
    assert "Bitte" not in text and "Sign in" in text
    login(client, "anna")
    assert "Welcome, anna." in client.get("/").get_data(as_text=True)
    client.get("/?lang=de")
    client.post("/logout")
    assert "Sie sind abgemeldet." in client.get("/").get_data(as_text=True)
