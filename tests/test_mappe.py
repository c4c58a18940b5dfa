"""The Mappe: collect, order, title, print as one PDF with contents and bookmarks, ZIP originals;
access is decided at print time."""

from __future__ import annotations

import io
import re
import zipfile

import pypdf
import pytest
from conftest import login

from kb.services import mappe


def _pdf(client, path="/mappe.pdf") -> pypdf.PdfReader:
    with client.get(path) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/pdf"
        return pypdf.PdfReader(io.BytesIO(response.get_data()))


def _text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _add(client, item_id):
    return client.post("/mappe/items", data={"item_id": item_id, "next": f"/items/{item_id}"})


def test_collect_order_title_and_print(client, make_item):
    first = make_item("Erste Seite über Verwendungsnachweise", title="Leitfaden Nachweis")
    second = make_item("Folie über Arbeitgeberkooperation", title="Impuls Arbeitgeber")
    assert _add(client, first).headers["Location"] == f"/items/{first}"
    _add(client, second)
    again = _add(client, second)
    assert again.status_code == 302
    page = client.get("/mappe").get_data(as_text=True)
    assert "Dieser Eintrag ist schon in der Mappe." in page
    assert page.index("Leitfaden Nachweis") < page.index("Impuls Arbeitgeber")
    assert 'Mappe <span class="count">(2)</span>' in page
    entries = mappe.view(client.application.extensions["kb"], _owner(client), _anon()).entries
    client.post(f"/mappe/entries/{entries[1].id}/move", data={"direction": "up"})
    client.post("/mappe", data={"title": "Workshop Halle", "introduction": "Für die Runde."})
    page = client.get("/mappe").get_data(as_text=True)
    assert page.index("Impuls Arbeitgeber") < page.index("Leitfaden Nachweis")

    reader = _pdf(client)
    text = _text(reader)
    assert "Workshop Halle" in text and "Für die Runde." in text and "Inhalt" in text
    assert text.index("Impuls Arbeitgeber") < text.index("Leitfaden Nachweis")
    assert "Seite 1 von" in text
    outline = _outline(reader.outline)
    assert outline[0] == (0, "Workshop Halle")
    assert (1, "Impuls Arbeitgeber") in outline and (1, "Leitfaden Nachweis") in outline
    assert (2, "Seite 1") in outline  # the pages of each item, one level down
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "de"


def _outline(entries, level=0):
    """PDF bookmarks as (level, title), depth first."""
    out = []
    for entry in entries:
        if isinstance(entry, list):
            out.extend(_outline(entry, level + 1))
        else:
            out.append((level, entry.title))
    return out


def _first_page_with(reader: pypdf.PdfReader, title: str) -> int:
    """1-based number of the first page after the contents that shows ``title``."""
    for number, page in enumerate(reader.pages[1:], start=2):
        if title in page.extract_text():
            return number
    raise AssertionError(title)


def _owner(client):
    with client.session_transaction() as session:
        return session["owner_key"]


def _anon():
    from kb.services.access import ANONYMOUS

    return ANONYMOUS


def test_table_of_contents_has_page_numbers_and_running_headers(client, make_item):
    long_text = "\n\n".join(f"Absatz {n} " + "Förderung " * 120 for n in range(6))
    first = make_item(long_text, title="Langer Bericht")
    second = make_item("Kurz", title="Kurze Notiz")
    _add(client, first)
    _add(client, second)
    reader = _pdf(client)
    toc_page = reader.pages[0].extract_text()
    # "Kurze Notiz ........ 5": the contents line names the page the item starts on.
    toc = dict(re.findall(r"^(.+?) \.{5,} (\d+)$", toc_page, re.MULTILINE))
    starts = {title: _first_page_with(reader, title) for title in ("Langer Bericht", "Kurze Notiz")}
    assert {k: int(v) for k, v in toc.items()} == starts
    assert starts["Kurze Notiz"] > starts["Langer Bericht"] + 1
    assert "Langer Bericht" in reader.pages[2].extract_text()  # running header on a later page


def test_each_item_contributes_at_most_the_page_limit(client, kb, make_pdf, upload):
    pdf = make_pdf([f"Seite {n} Inhalt Nummer{n}" for n in range(1, mappe.PAGES_PER_ITEM + 4)])
    upload([("bericht.pdf", pdf)], title="Dicker Bericht")
    client.post("/mappe/items", data={"item_id": 1})
    text = _text(_pdf(client))
    assert f"Nummer{mappe.PAGES_PER_ITEM}" in text
    assert f"Nummer{mappe.PAGES_PER_ITEM + 1}" not in text
    assert "Weitere 3 Seiten stehen im Original" in text


def test_a_saved_search_contributes_its_visible_hits(client, make_item):
    make_item("Streuobstwiese öffentlich", title="Obst öffentlich")
    make_item("Streuobstwiese Entwurf", title="Obst Entwurf", state="draft")
    response = client.post("/mappe/searches", data={"qs": "q=Streuobstwiese", "label": "Obst"})
    assert response.status_code == 302
    text = _text(_pdf(client))
    assert "Obst öffentlich" in text and "Obst Entwurf" not in text


def test_item_moved_to_draft_drops_out_for_others(app, kb, add_user, make_item, set_item):
    item_id = make_item("Geheime Zahlen", title="Bald zurückgezogen")
    visitor = app.test_client()
    _add(visitor, item_id)
    add_user("leser")
    member = app.test_client()
    login(member, "leser")
    _add(member, item_id)
    set_item(item_id, state="draft")
    for client in (visitor, member):
        page = client.get("/mappe").get_data(as_text=True)
        assert "Bald zurückgezogen" not in page
        assert "1 Eintrag ist nicht mehr verfügbar" in page
        text = _text(_pdf(client))
        assert "Bald zurückgezogen" not in text and "Geheime Zahlen" not in text
        with client.get("/mappe.zip") as response:
            names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
        assert names == []


def test_zip_holds_the_originals_under_their_names(client, make_item):
    item_id = make_item("Inhalt", title="Protokoll Runde")
    _add(client, item_id)
    with client.get("/mappe.zip") as response:
        assert response.headers["Content-Disposition"].startswith("attachment")
        archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.namelist() == ["01_Protokoll Runde/Protokoll Runde.txt"]
    assert archive.read(archive.namelist()[0]) == b"Inhalt"
    # The temporary ZIP is gone once it has been sent (it used to stay behind).
    assert list((client.application.config["KB_INSTANCE_DIR"] / "tmp").glob("kb-mappe-*")) == []


def test_bad_input(client, make_item):
    hidden = make_item("x", title="Entwurf", state="draft")
    assert client.post("/mappe/items", data={"item_id": hidden}).status_code == 404
    assert client.post("/mappe/items", data={"item_id": "abc"}).status_code == 404
    assert client.post("/mappe/entries/999/remove").status_code == 404
    visible = make_item("y", title="Sichtbar")
    _add(client, visible)
    entry = mappe.view(client.application.extensions["kb"], _owner(client), _anon()).entries[0]
    bad_move = client.post(f"/mappe/entries/{entry.id}/move", data={"direction": "links"})
    assert bad_move.status_code == 400 and "Unbekannte Richtung" in bad_move.get_data(as_text=True)
    assert client.post("/mappe", data={"title": "  "}).status_code == 400
    bad_search = client.post("/mappe/searches", data={"qs": "evil=1"})
    assert bad_search.status_code == 400
    xss = make_item("z", title="<script>alert(1)</script>")
    _add(client, xss)
    assert "<script>alert(1)" not in client.get("/mappe").get_data(as_text=True)
    assert "<script>alert(1)</script>" in _text(_pdf(client))  # printed as text, not run


def test_another_browser_cannot_touch_my_mappe(app, make_item):
    mine, theirs = app.test_client(), app.test_client()
    _add(mine, make_item("a", title="Meins"))
    entry = mappe.view(app.extensions["kb"], _owner(mine), _anon()).entries[0]
    theirs.get("/")
    assert theirs.post(f"/mappe/entries/{entry.id}/remove").status_code == 404
    assert "Meins" not in theirs.get("/mappe").get_data(as_text=True)


def test_cli_handout_of_several_items_is_a_mappe(runner, make_item, tmp_path):
    a = make_item("Text A", title="Erster")
    b = make_item("Text B", title="Zweiter")
    out = tmp_path / "m.pdf"
    result = runner.invoke(args=["handout", str(a), str(b), "-o", str(out), "--title", "Runde"])
    assert result.exit_code == 0, result.output
    text = _text(pypdf.PdfReader(out))
    assert "Runde" in text and "Erster" in text and "Zweiter" in text


@pytest.mark.parametrize("count", [mappe.MAX_ENTRIES])
def test_entries_are_limited(kb, count):
    from kb.errors import ValidationError

    for n in range(count):
        mappe.add_search(kb, "k", f"q=wort{n}", "s")
    with pytest.raises(ValidationError, match="höchstens"):
        mappe.add_search(kb, "k", "q=eins-zu-viel", "s")
