"""Alternative text on image uploads (issue #10: "alt text required on image uploads").

A PNG or JPEG sent through the upload form or the API needs a text that says what it
shows; without one it is refused (nothing stored, the message names the file) while its
siblings are stored. The text is the ``alt`` of every ``<img>`` of the image and can be
changed on the item's edit page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from api_helpers import bearer, token_for
from conftest import login, post_multipart

from kb.models import FileVersion, Item
from kb.services import events, jobs
from kb.services.access import SYSTEM
from kb.services.alt_text import MAX_ALT, clean_alt, looks_like_image

ALT = "Vier Gruppentische mit Stühlen und ein Flipchart, von oben gezeichnet"


def _image(fmt: str = "PNG", colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, fmt)
    return out.getvalue()


def _files(kb):
    with kb.db.reading() as session:
        return {f.filename: (f.alt_text, f.item_id) for f in session.query(FileVersion).all()}


def test_web_upload_without_alt_is_refused_and_siblings_are_stored(kb, upload):
    png = _image()
    response = upload([("gruppen.png", png), ("protokoll.txt", b"Protokoll")])
    assert response.status_code == 201  # the text file is stored
    html = response.get_data(as_text=True)
    assert "nicht gespeichert: Für das Bild „gruppen.png“ fehlt der Alternativtext" in html
    assert set(_files(kb)) == {"protokoll.txt"}
    assert not kb.store.exists(hashlib.sha256(png).hexdigest())  # no orphan blob


@pytest.mark.parametrize("name,fmt", [("foto.jpg", "JPEG"), ("bild-als.txt", "PNG")])
def test_the_bytes_decide_what_is_an_image(kb, upload, name, fmt):
    response = upload([(name, _image(fmt))])
    assert response.status_code == 400
    assert f"Für das Bild „{name}“ fehlt der Alternativtext" in response.get_data(as_text=True)


def test_blank_alt_counts_as_missing(kb, upload):
    assert upload([("a.png", _image())], alt="   ").status_code == 400


def test_web_upload_with_alt_is_stored_and_rendered(kb, client, upload):
    day = dt.date(2026, 3, 14)
    slug = events.create_event(kb, events.EventData("Werkstatt", day), SYSTEM)
    response = upload([("gruppen.png", _image())], alt=ALT, event=slug, title="Gruppenarbeit")
    assert response.status_code == 201
    alt, item_id = _files(kb)["gruppen.png"]
    assert alt == ALT
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert f'<img class="photo" src="/items/{item_id}/files/' in page
    assert f'alt="{ALT}"' in page and f"Alternativtext: {ALT}" in page
    event = client.get(f"/events/{slug}").get_data(as_text=True)
    assert f'alt="{ALT}"' in event


def test_several_images_take_their_own_alt_fields(kb, upload):
    files = [("a.txt", b"Text"), ("b.png", _image()), ("c.jpg", _image("JPEG", (1, 2, 3)))]
    response = upload(files, alt_1="Bild B", alt_2="Bild C", alt="gilt nicht für mehrere")
    assert response.status_code == 201
    stored = _files(kb)
    assert stored["b.png"][0] == "Bild B" and stored["c.jpg"][0] == "Bild C"
    assert stored["a.txt"][0] == ""  # only images carry one


def test_duplicate_image_keeps_its_alt_for_a_twin(kb, client, upload):
    png = _image()
    assert upload([("a.png", png)], alt="Erstes Bild").status_code == 201
    again = upload([("b.png", png)], alt="Zweites Bild").get_data(as_text=True)
    assert 'name="alt" value="Zweites Bild"' in again
    twin = client.post(
        "/upload/twin",
        data={"sha256": hashlib.sha256(png).hexdigest(), "filename": "b.png", "alt": "Zweites"},
    )
    assert twin.status_code == 201
    assert _files(kb)["b.png"][0] == "Zweites"


def _api_create(client, headers, files, **fields):
    data = {"kind": "sonstiges", **fields, "files": [(io.BytesIO(b), n) for n, b in files]}
    return post_multipart(client, "/api/v1/items", data, headers)


def test_api_upload_needs_alt_per_image(kb, client, add_user):
    headers = bearer(token_for(kb, add_user("autorin", "autor"), "write", "autor"))
    refused = _api_create(client, headers, [("p.txt", b"Text"), ("g.png", _image())])
    outcomes = refused.get_json()["outcomes"]
    assert [o["status"] for o in outcomes] == ["queued", "rejected"]
    assert "Für das Bild „g.png“ fehlt der Alternativtext" in outcomes[1]["message"]
    english = _api_create(
        client, {**headers, "Accept-Language": "en"}, [("g.png", _image())]
    ).get_json()["outcomes"][0]
    assert "has no alternative text" in english["message"]
    created = _api_create(client, headers, [("q.txt", b"T"), ("h.png", _image())], alt=["", ALT])
    second = created.get_json()["outcomes"][1]
    assert second["status"] == "queued"
    versions = client.get(f"/api/v1/items/{second['item_id']}/versions", headers=headers)
    assert versions.get_json()["versions"][0]["alt_text"] == ALT


def test_api_refuses_an_overlong_alt(kb, client, add_user):
    headers = bearer(token_for(kb, add_user("autorin", "autor"), "write", "autor"))
    response = _api_create(client, headers, [("g.png", _image())], alt=["x" * (MAX_ALT + 1)])
    assert response.status_code == 400


def test_alt_is_edited_on_the_edit_page(kb, client, upload, add_user):
    add_user("autorin", "autor")
    login(client, "autorin")  # the owner edits her own upload
    assert upload([("g.png", _image())], alt="Alt").status_code == 201
    _, item_id = _files(kb)["g.png"]
    with kb.db.reading() as session:
        item = session.get(Item, item_id)
        fid, title = item.files[0].id, item.title
    form = client.get(f"/items/{item_id}/edit").get_data(as_text=True)
    assert f'name="alt_file_{fid}"' in form and "Alternativtext für das Bild „g.png“" in form
    fields = {"title": title, "kind": "sonstiges", "access": "internal"}
    empty = client.post(f"/items/{item_id}/edit", data={**fields, f"alt_file_{fid}": " "})
    assert empty.status_code == 400
    assert "Für das Bild „g.png“ fehlt der Alternativtext" in empty.get_data(as_text=True)
    saved = client.post(f"/items/{item_id}/edit", data={**fields, f"alt_file_{fid}": ALT})
    assert saved.status_code == 302
    assert _files(kb)["g.png"][0] == ALT
    # A form without the field (or naming another item's file) leaves the text alone.
    client.post(f"/items/{item_id}/edit", data={**fields, "alt_file_99999": "x"})
    assert _files(kb)["g.png"][0] == ALT


def test_a_new_image_version_keeps_or_needs_an_alt(kb, client, upload, make_item):
    upload([("g.png", _image())], alt=ALT)
    _, image_item = _files(kb)["g.png"]
    new = {"file": (io.BytesIO(_image(colour=(9, 9, 9))), "g2.png")}
    assert post_multipart(client, f"/items/{image_item}/versions", new).status_code == 302
    assert _files(kb)["g2.png"][0] == ALT  # kept from the version before
    text_item = make_item("Nur Text", title="Notiz")
    refused = post_multipart(
        client, f"/items/{text_item}/versions", {"file": (io.BytesIO(_image()), "neu.png")}
    )
    assert refused.status_code == 400
    assert "Für das Bild „neu.png“ fehlt der Alternativtext" in refused.get_data(as_text=True)
    given = {"file": (io.BytesIO(_image()), "neu.png"), "alt": "Neues Bild"}
    assert post_multipart(client, f"/items/{text_item}/versions", given).status_code == 302
    assert _files(kb)["neu.png"][0] == "Neues Bild"
    jobs.run_until_idle(kb)


def test_helpers():
    assert clean_alt(" a\n  b ") == "a b" and len(clean_alt("x" * 900)) == MAX_ALT
    stream = io.BytesIO(_image("JPEG"))
    stream.seek(0)
    assert looks_like_image(stream) and stream.tell() == 0
    assert not looks_like_image(io.BytesIO(b"%PDF-1.7"))
