"""The issue's user path through the web client: upload, search, open, download, handout."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from kb.services import jobs

SLIDES = [
    "Kooperation mit Arbeitgebern\nWarum Verwaltungen Partner suchen",
    "Ausgangslage\nFachkräftebedarf in den Landkreisen",
    "Das Patenschaftsmodell\nBetriebliche Lotsen begleiten neue Beschäftigte",
    "Ausblick\nNächste Schritte im Netzwerk",
]


def test_upload_search_open_download_handout(client, upload, make_pptx):
    deck = make_pptx(SLIDES)
    response = upload([("Arbeitgeber_Übersicht.pptx", deck)], title="Impuls Arbeitgeber")
    assert response.status_code == 201
    assert "Arbeitgeber_Übersicht.pptx" in response.get_data(as_text=True)

    page = client.get("/search", query_string={"q": "Patenschaftsmodell"}).get_data(as_text=True)
    assert "1 Treffer" in page
    assert "Folie 3" in page
    assert "<mark>Patenschaftsmodell</mark>" in page
    link = re.search(r'href="(/items/(\d+))#page-3"', page)
    assert link, page
    item_url, item_id = link.group(1), link.group(2)

    item_page = client.get(item_url).get_data(as_text=True)
    assert 'id="page-3"' in item_page
    assert "Patenschaftsmodell" in item_page
    file_link = re.search(r'href="(/items/\d+/files/\d+)"', item_page).group(1)

    with client.get(file_link) as download:
        assert download.status_code == 200
        assert download.data == deck
        assert "Arbeitgeber_%C3%9Cbersicht.pptx" in download.headers["Content-Disposition"]

    handout = client.get(f"/items/{item_id}/handout.pdf")
    assert handout.status_code == 200
    reader = PdfReader(io.BytesIO(handout.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Impuls Arbeitgeber" in text
    assert "Patenschaftsmodell" in text


def test_word_on_other_slide_is_not_reported_as_slide_3(client, upload, make_pptx, kb):
    upload([("deck.pptx", make_pptx(SLIDES))])
    page = client.get("/search", query_string={"q": "Fachkräftebedarf"}).get_data(as_text=True)
    assert "Folie 2" in page and "Folie 3" not in page
    assert jobs.pending_jobs(kb) == 0
