"""New formats through the whole path: upload -> worker -> item page and search hit labels."""

from __future__ import annotations

import shutil

import pytest
from extract_files import text_image, xlsx


def test_spreadsheet_sheets_are_tables(client, upload):
    book = xlsx({"Kosten": [["Posten", "Betrag"], ["Dolmetschkosten", 120]], "Zeitplan": [["Q1"]]})
    assert upload([("plan.xlsx", book)], title="Kostenplan").status_code == 201
    page = client.get("/items/1").get_data(as_text=True)
    assert "Tabelle 1" in page and "Tabelle 2" in page
    hits = client.get("/search?q=Dolmetschkosten").get_data(as_text=True)
    assert "Tabelle 1" in hits


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_scanned_image_says_its_text_came_from_ocr(client, upload):
    image = text_image(["Verwendungsnachweis", "Integrationskurs"])
    assert upload([("scan.png", image)], title="Eingescannt", alt="Tafel").status_code == 201
    page = client.get("/items/1").get_data(as_text=True)
    assert "Texterkennung" in page
    assert "1 Treffer" in client.get("/search?q=Verwendungsnachweis").get_data(as_text=True)
