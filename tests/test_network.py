"""Districts (map, pages, the data file), topics and organisations as browse pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import login
from sqlalchemy import func, select

from kb.models import District, Event, Item
from kb.services.reference import DEFAULT_DISTRICTS
from kb.web.network import label_lines


def test_the_map_has_fourteen_tile_links_with_names(client):
    page = client.get("/districts").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' not in svg
    tiles = re.findall(
        r'<a href="/districts/(\d+)" class="tile[^"]*">\s*<title>([^<]+)</title>', svg
    )
    assert len(tiles) == 14
    names = dict(tiles)
    assert names["15002"] == "Halle (Saale) – kreisfreie Stadt, Gebietsschlüssel 15002"
    assert "Altmarkkreis" in svg and "Salzwedel" in svg  # visible label, in two lines
    listed = page[page.index('class="district-list"') :]
    assert len(re.findall(r'href="/districts/\d+"', listed)) == 14
    assert "Landkreis · AGS 15081" in listed
    assert 'href="/districts">Landkreise</a>' in page  # the navigation


def test_label_lines_split_long_names():
    assert label_lines("Altmarkkreis Salzwedel") == ["Altmarkkreis", "Salzwedel"]
    assert label_lines("Halle (Saale)") == ["Halle (Saale)"]


def _event(kb, slug: str, access: str, ags: str = "15002") -> None:
    with kb.db.writing() as session:
        session.add(Event(slug=slug, title=f"Werkstatt {slug}", host_district_ags=ags,
                          access=access, city="Halle (Saale)"))  # fmt: skip


def test_the_district_page_lists_only_what_the_viewer_may_see(
    kb, client, make_item, set_item, add_user
):
    public = make_item("eins", "Öffentlicher Bericht", districts=["15002"])
    internal = make_item("zwei", "Interner Vermerk", districts=["15002"])
    draft = make_item("drei", "Entwurfsnotiz", districts=["15002"])
    make_item("vier", "Harzer Bericht", districts=["15085"])
    set_item(internal, access="internal")
    set_item(draft, state="draft")
    _event(kb, "offen", "public")
    _event(kb, "geschlossen", "internal")
    page = client.get("/districts/15002").get_data(as_text=True)
    assert "<h1>Halle (Saale)</h1>" in page and "kreisfreie Stadt" in page and "15002" in page
    assert f'href="/items/{public}"' in page
    for hidden in ("Interner Vermerk", "Entwurfsnotiz", "Harzer Bericht", "Werkstatt geschlossen"):
        assert hidden not in page
    assert "Werkstatt offen" in page
    assert 'href="/search?district=15002"' in page
    add_user("les", "leser")
    from conftest import login

    login(client, "les")
    member = client.get("/districts/15002").get_data(as_text=True)
    assert "Interner Vermerk" in member and "Werkstatt geschlossen" in member
    assert "Entwurfsnotiz" not in member


def test_the_district_page_lists_the_materials_of_events_it_hosted(
    kb, client, make_item, set_item, add_user
):
    _event(kb, "offen", "public")
    _event(kb, "geschlossen", "internal")
    _event(kb, "harz", "public", ags="15085")
    talk = make_item("eins", "Impuls aus der Werkstatt", event_slug="offen")
    both = make_item("zwei", "Bericht doppelt", event_slug="offen", districts=["15002"])
    make_item("drei", "Folien der geschlossenen Runde", event_slug="geschlossen")
    draft = make_item("vier", "Entwurf aus der Werkstatt", event_slug="offen")
    set_item(draft, state="draft")
    make_item("fünf", "Vortrag im Harz", event_slug="harz")
    page = client.get("/districts/15002").get_data(as_text=True)
    assert f'href="/items/{talk}"' in page
    assert page.count(f'href="/items/{both}"') == 1  # tagged and hosted: listed once
    for hidden in ("geschlossenen Runde", "Entwurf aus der Werkstatt", "Vortrag im Harz"):
        assert hidden not in page
    assert '<a href="/events/offen">Werkstatt offen</a>' in page  # the event's own page
    assert "/search?event=" not in page
    add_user("les", "leser")
    from conftest import login

    login(client, "les")
    member = client.get("/districts/15002").get_data(as_text=True)
    assert "Folien der geschlossenen Runde" in member  # members see the internal event
    assert "Entwurf aus der Werkstatt" not in member


def test_the_district_page_names_the_coordinators_organisation(kb, client):
    from kb.models import Organisation

    with kb.db.writing() as session:
        session.add(Organisation(slug="ik-harz", name="Integrationskoordination Harz",
                                 kind="kommune", district_ags="15085"))  # fmt: skip
    page = client.get("/districts/15085").get_data(as_text=True)
    assert '<a href="/organisations/ik-harz">Integrationskoordination Harz</a>' in page


def test_the_district_list_is_bounded_with_a_link_to_the_search(kb, client, make_item):
    for n in range(22):
        make_item(f"Text {n}", f"Bericht {n}", districts=["15003"], wait=False)
    page = client.get("/districts/15003").get_data(as_text=True)
    assert page.count('href="/items/') == 20
    assert "Alle Materialien in der Suche" in page


def test_an_unknown_district_is_a_german_404(client):
    for path in ("/districts/99999", "/districts/abc"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Gebietsschlüssel" in response.get_data(as_text=True)


def test_topic_pages(kb, client, make_item, set_item):
    shown = make_item("eins", "Beratung im Landkreis", topics=["Beratung"])
    hidden = make_item("zwei", "Beratungsentwurf", topics=["Beratung"])
    set_item(hidden, state="draft")
    listing = client.get("/topics").get_data(as_text=True)
    assert 'href="/topics/beratung"' in listing
    page = client.get("/topics/beratung").get_data(as_text=True)
    assert f'href="/items/{shown}"' in page and "Beratungsentwurf" not in page
    assert 'href="/search?topic=beratung"' in page
    assert "Migrationsberatung" in page  # the description
    assert client.get("/topics/gibt-es-nicht").status_code == 404


def test_organisation_pages_hide_names_typed_only_on_hidden_items(kb, client, make_item, set_item):
    draft = make_item("eins", "Entwurf", organisation="Verein Geheimnis")
    set_item(draft, state="draft")
    shown = make_item("zwei", "Leitfaden", organisation="Investitionsbank Sachsen-Anhalt")
    listing = client.get("/organisations").get_data(as_text=True)
    assert "Verein Geheimnis" not in listing
    assert "Landesverwaltungsamt Sachsen-Anhalt" in listing  # reference list, kind set
    assert client.get("/organisations/verein-geheimnis").status_code == 404
    page = client.get("/organisations/ib").get_data(as_text=True)
    assert f'href="/items/{shown}"' in page and "(IB)" in page
    set_item(draft, state="published")
    assert client.get("/organisations/verein-geheimnis").status_code == 200


# -- the district data file -----------------------------------------------------------------


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "kreise.csv"
    path.write_text("ags,name,kind,state,map_row,map_col\n" + "\n".join(lines) + "\n", "utf-8")
    return path


def _count(kb) -> int:
    with kb.db.reading() as session:
        return session.scalar(select(func.count()).select_from(District))


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["09162,München,kreisfreie Stadt,Bayern,0,0", "0916X,Bad,Landkreis,Bayern,,"],
         "Zeile 3: Der Gebietsschlüssel „0916X“ besteht nicht aus"),
        (["09162,München,Stadt,Bayern,0,0"], "Zeile 2: Die Art „Stadt“ ist weder"),
        (["09162,München,kreisfreie Stadt,Bayern,0,0", "09162,Zwei,Landkreis,Bayern,1,1"],
         "Zeile 3: Der Gebietsschlüssel 09162 kommt doppelt vor"),
        (["09162,,Landkreis,Bayern,0,0"], "Zeile 2: Der Name fehlt"),
        (["09162,München,Landkreis,Bayern,x,0"], "Zeile 2: Die Kartenposition „x“"),
        ([], "keine Landkreise"),
    ],
)  # fmt: skip
def test_bad_district_files_are_refused_whole(kb, runner, tmp_path, lines, message):
    before = _count(kb)
    result = runner.invoke(args=["districts", "load", str(_csv(tmp_path, *lines))])
    assert result.exit_code == 1
    assert message in result.output and "nichts geladen" in result.output
    assert _count(kb) == before


def test_a_file_without_the_columns_is_refused(runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("schluessel,name\n1,A\n", "utf-8")
    result = runner.invoke(args=["districts", "load", str(path)])
    assert result.exit_code == 1 and "Es fehlen die Spalten ags, kind" in result.output


def test_another_states_districts_load_and_list(kb, runner, tmp_path):
    path = _csv(
        tmp_path, "09162,München,kreisfreie Stadt,Bayern,0,0", "09184,München,Landkreis,Bayern,1,0"
    )
    result = runner.invoke(args=["districts", "load", str(path)])
    assert result.exit_code == 0 and "2 Landkreise" in result.output
    listed = runner.invoke(args=["districts", "list"]).output
    assert "09184\tMünchen\tLandkreis\tBayern" in listed and "15002\tHalle (Saale)" in listed
    assert runner.invoke(args=["districts", "load", str(DEFAULT_DISTRICTS)]).exit_code == 0


def test_a_configured_second_state_gets_a_map_of_only_its_tiles(app, kb, client, runner, tmp_path):
    path = _csv(tmp_path, "09162,München,kreisfreie Stadt,Bayern,0,1",
                "09184,München (Landkreis),Landkreis,Bayern,1,0")  # fmt: skip
    app.config["KB_DISTRICTS_FILE"] = kb.config["KB_DISTRICTS_FILE"] = path
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    page = client.get("/districts").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert re.findall(r'<a href="/districts/(\d+)" class="tile', svg) == ["09162", "09184"]
    assert 'viewBox="0 0 ' in svg and "Halle" not in page  # Sachsen-Anhalt's tiles are gone
    listed = page[page.index('class="district-list"') :]
    assert re.findall(r'href="/districts/(\d+)"', listed) == ["09162", "09184"]
    api = client.get("/api/v1/districts").get_json()["districts"]
    assert [d["ags"] for d in api] == ["09162", "09184"]
    # The old state's rows stay (items may name them); the console still lists every state.
    every = runner.invoke(args=["districts", "list"]).output
    assert "15002\tHalle (Saale)" in every and "09162\tMünchen" in every


def test_editing_keeps_a_district_of_another_state(app, kb, client, runner, tmp_path,
                                                    make_item, add_user):  # fmt: skip
    item_id = make_item("Sprachcafé in Halle", title="Halle", districts=["15002"])
    path = _csv(tmp_path, "09162,München,kreisfreie Stadt,Bayern,0,1")
    app.config["KB_DISTRICTS_FILE"] = kb.config["KB_DISTRICTS_FILE"] = path
    assert runner.invoke(args=["init"]).exit_code == 0
    add_user("red", "redaktion")
    login(client, "red")
    form = client.get(f"/items/{item_id}/edit").get_data(as_text=True)
    # The item's own district stays a (checked) choice beside the configured state's.
    assert re.search(r'value="15002" checked', form) and 'value="09162"' in form
    chosen = re.findall(r'name="districts" value="(\d+)" checked', form)
    fields = {"title": "Halle", "kind": "sonstiges", "access": "public", "districts": chosen}
    assert client.post(f"/items/{item_id}/edit", data=fields).status_code == 302
    with kb.db.reading() as session:
        assert [d.ags for d in session.get(Item, item_id).districts] == ["15002"]


def test_a_bad_configured_district_file_stops_init_but_not_the_pages(app, kb, client, runner,
                                                                    tmp_path):  # fmt: skip
    bad = _csv(tmp_path, "0916X,Bad,Landkreis,Bayern,0,0")
    app.config["KB_DISTRICTS_FILE"] = kb.config["KB_DISTRICTS_FILE"] = bad
    result = runner.invoke(args=["init"])
    assert result.exit_code == 1 and "Gebietsschlüssel „0916X“" in result.output
    page = client.get("/districts").get_data(as_text=True)  # logged; every district is shown
    assert len(re.findall(r'class="tile', page)) == 14
