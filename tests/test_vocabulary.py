"""Topics and programmes as controlled vocabularies; free tags created on first use."""

from __future__ import annotations

import io

import pytest
from conftest import login, post_multipart
from sqlalchemy import select

from kb.errors import Forbidden, ValidationError
from kb.models import Item, Programme, Tag, Topic
from kb.services import jobs, vocabulary
from kb.services.access import ANONYMOUS, Viewer
from kb.services.items import ItemMeta, UploadFile, upload_files
from kb.services.search import run_search

EDITOR = Viewer(roles=("redaktion",), name="red")


def _item(kb, item_id):
    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        return [t.slug for t in item.topics], [t.name for t in item.tags], item.programme


def test_known_topics_by_name_or_slug_unknown_ones_become_tags(kb, make_item):
    item_id = make_item(
        "Text", topics=["Förderverfahren", "sprache", "Fachkräftesicherung"], tags=["Ehrenamt"]
    )
    topics, tags, _ = _item(kb, item_id)
    assert sorted(topics) == ["foerderverfahren", "sprache"]
    assert tags == ["Ehrenamt", "Fachkräftesicherung"]
    with kb.db.reading() as session:
        assert session.scalar(select(Topic).where(Topic.slug == "fachkraeftesicherung")) is None


def test_tags_are_searchable_and_shown_on_the_item_page(kb, client, make_item):
    item_id = make_item("Nichts Besonderes", tags=["Quartiersarbeit"])
    assert [h.item_id for h in run_search(kb, "Quartiersarbeit", ANONYMOUS).hits] == [item_id]
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "<dt>Tags</dt>" in page and "Quartiersarbeit" in page


def test_an_unknown_programme_is_refused_with_the_known_ones(kb):
    meta = ItemMeta(title="T", programme="Bundesprogramm X")
    with pytest.raises(ValidationError) as caught:
        upload_files(kb, [UploadFile("t.txt", io.BytesIO(b"t"))], meta, ANONYMOUS)
    message = caught.value.message("de")
    assert "„Bundesprogramm X“ ist nicht in der Liste" in message
    assert "AMIF, ESF Plus, Landesmittel" in message
    with kb.db.reading() as session:
        assert session.scalars(select(Item)).all() == []


def test_programme_names_take_the_vocabularys_spelling(kb, make_item):
    assert _item(kb, make_item("Text", programme="amif"))[2] == "AMIF"


def test_the_upload_form_offers_the_vocabularies(client):
    page = client.get("/upload").get_data(as_text=True)
    assert 'name="topics" value="arbeitsmarktintegration"' in page
    assert '<option value="AMIF">AMIF</option>' in page
    assert "Tags, durch Komma getrennt" in page
    response = post_multipart(
        client, "/upload",
        {"files": [(io.BytesIO(b"x"), "a.txt")], "programme": "Unbekannt", "kind": "sonstiges"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "ist nicht in der Liste" in response.get_data(as_text=True)


def test_the_edit_form_sets_topics_programme_and_tags(kb, client, make_item, add_user):
    item_id = make_item("Text", topics=["Beratung"])
    add_user("red", "redaktion")
    login(client, "red")
    page = client.get(f"/items/{item_id}/edit").get_data(as_text=True)
    assert 'value="beratung" checked' in page
    form = {
        "title": "Neu", "kind": "leitfaden", "access": "public",
        "topics": ["sprache", "netzwerkarbeit"], "programme": "ESF Plus",
        "tags": "Ehrenamt, Quartier, ehrenamt",
    }  # fmt: skip
    assert client.post(f"/items/{item_id}/edit", data=form).status_code == 302
    assert _item(kb, item_id) == (
        ["netzwerkarbeit", "sprache"],
        ["Ehrenamt", "Quartier"],
        "ESF Plus",
    )
    bad = client.post(f"/items/{item_id}/edit", data={**form, "programme": "Nein"})
    assert bad.status_code == 400 and "Bekannt sind: AMIF" in bad.get_data(as_text=True)
    assert _item(kb, item_id)[2] == "ESF Plus"  # nothing half-written


def test_old_forms_with_typed_topics_still_work(kb, client, make_item, add_user):
    item_id = make_item("Text")
    add_user("red", "redaktion")
    login(client, "red")
    form = {"title": "T", "kind": "sonstiges", "access": "public", "topics": "Beratung, Neuland"}
    assert client.post(f"/items/{item_id}/edit", data=form).status_code == 302
    assert _item(kb, item_id)[:2] == (["beratung"], ["Neuland"])


def test_kb_import_topic_outside_the_vocabulary_becomes_a_tag(kb, runner, tmp_path):
    (tmp_path / "a.txt").write_text("Inhalt", encoding="utf-8")
    result = runner.invoke(args=["import", str(tmp_path / "a.txt"), "--topic", "Beratung",
                                 "--topic", "Stadtteil", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with kb.db.reading() as session:
        item = session.scalars(select(Item)).one()
        assert ([t.name for t in item.topics], [t.name for t in item.tags]) == (
            ["Beratung"], ["Stadtteil"],
        )  # fmt: skip


def _entry(kb, which, name):
    return next(e for e in vocabulary.entries(kb, which, EDITOR) if e.name == name)


def test_renaming_a_programme_carries_its_items_along(kb, make_item):
    item_id = make_item("Fondsmittel", programme="AMIF")
    entry = _entry(kb, "programme", "AMIF")
    vocabulary.update_entry(kb, "programme", entry.id, "AMIF 2021–2027", "EU-Fonds", EDITOR)
    assert _item(kb, item_id)[2] == "AMIF 2021–2027"
    jobs.run_until_idle(kb)
    facets = run_search(kb, "Fondsmittel", ANONYMOUS).facets
    assert {v.value for f in facets if f.name == "programme" for v in f.values} == {
        "AMIF 2021–2027"
    }


def test_renaming_a_topic_keeps_its_slug(kb, make_item):
    item_id = make_item("Text", topics=["Sprache"])
    entry = _entry(kb, "topic", "Sprache")
    vocabulary.update_entry(kb, "topic", entry.id, "Sprachförderung", "", EDITOR)
    assert _item(kb, item_id)[0] == ["sprache"]
    assert _entry(kb, "topic", "Sprachförderung").slug == "sprache"
    with pytest.raises(ValidationError, match="steht schon in der Liste"):
        vocabulary.update_entry(kb, "topic", entry.id, "Beratung", "", EDITOR)


def test_deleting_an_entry_in_use_is_refused_with_the_count(kb, make_item):
    make_item("eins", topics=["Beratung"])
    make_item("zwei", topics=["Beratung"])
    entry = _entry(kb, "topic", "Beratung")
    with pytest.raises(ValidationError, match="von 2 Einträgen verwendet"):
        vocabulary.delete_entry(kb, "topic", entry.id, EDITOR)
    unused = _entry(kb, "programme", "Landesmittel")
    vocabulary.delete_entry(kb, "programme", unused.id, EDITOR)
    with kb.db.reading() as session:
        assert session.get(Programme, unused.id) is None
        assert session.get(Topic, entry.id) is not None


def test_adding_entries_and_refusing_twins(kb):
    vocabulary.add_entry(kb, "topic", "Wohnen", "Wohnraum und Unterbringung", EDITOR)
    assert _entry(kb, "topic", "Wohnen").description == "Wohnraum und Unterbringung"
    for name in ("wohnen", "  ", "AMIF"):
        which = "programme" if name == "AMIF" else "topic"
        with pytest.raises(ValidationError):
            vocabulary.add_entry(kb, which, name, "", EDITOR)
    with pytest.raises(Forbidden):
        vocabulary.add_entry(kb, "topic", "Anderes", "", Viewer(5, ("autor",)))


def test_seeding_fills_only_empty_lists(kb):
    entry = _entry(kb, "topic", "Netzwerkarbeit")
    vocabulary.delete_entry(kb, "topic", entry.id, EDITOR)
    vocabulary.seed_vocabularies(kb)  # as on the next `kb init`
    assert "Netzwerkarbeit" not in {e.name for e in vocabulary.entries(kb, "topic", EDITOR)}


def test_the_vocabulary_page_is_for_redaktion(client, kb, add_user, make_item):
    make_item("Text", topics=["Beratung"], tags=["Ehrenamt"])
    add_user("red", "redaktion")
    add_user("les", "leser")
    assert client.get("/admin/vocabulary").status_code == 302
    login(client, "les")
    assert client.get("/admin/vocabulary").status_code == 403
    client.post("/logout")
    login(client, "red")
    page = client.get("/admin/vocabulary").get_data(as_text=True)
    assert "Name (1 Eintrag)" in page and 'value="Beratung"' in page
    assert "Ehrenamt" in page
    entry = _entry(kb, "topic", "Beratung")
    refused = client.post(
        "/admin/vocabulary",
        data={"vocabulary": "topic", "action": "delete", "id": entry.id},
        follow_redirects=True,
    )
    assert "von 1 Eintrag verwendet" in refused.get_data(as_text=True)
    added = client.post(
        "/admin/vocabulary",
        data={"vocabulary": "programme", "action": "add", "name": "Bundesmittel"},
        follow_redirects=True,
    )
    assert "Das Vokabular ist gespeichert." in added.get_data(as_text=True)
    with kb.db.reading() as session:
        assert session.scalar(select(Programme).where(Programme.name == "Bundesmittel"))
        assert session.scalar(select(Tag).where(Tag.name == "Ehrenamt"))
