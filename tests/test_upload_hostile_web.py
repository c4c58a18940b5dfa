"""Hostile files through the whole path: one /upload request with a good sibling, the worker,
the live status, search and `kb check`.

The files are the constructed ones of tests/test_extract_hostile.py, which reads them
with the extractor alone; here they travel as a browser sends them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from extract_files import docx_bomb
from sqlalchemy import select
from test_extract_hostile import ENCRYPTED_OOXML

from kb.models import FileVersion

WORD = "Apfelernteprotokoll"


@pytest.fixture
def hostile(make_pdf, make_pptx) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {
        "folien.pptx": Path(sys.executable).resolve().read_bytes()[: 256 * 1024],  # a program
        "protokoll.docx": docx_bomb(100),
        "geheim.docx": ENCRYPTED_OOXML,
        "bericht.docx": make_pdf(["Ein PDF im Word-Kostüm über Streuobst"]),  # the name lies
        "gut.pptx": make_pptx(["Ernte", f"Das {WORD} der Gemeinde"]),
    }


def test_hostile_files_end_in_a_clear_status_and_the_sibling_is_searchable(
    client, kb, upload, runner, hostile
):
    response = upload(list(hostile.items()))
    assert response.status_code == 201
    with kb.db.reading() as session:
        rows = session.execute(
            select(FileVersion.filename, FileVersion.status, FileVersion.status_message_de)
        ).all()
    by_name = {name: (state, message) for name, state, message in rows}
    assert set(by_name) == set(hostile), "every file is kept, none lost"
    assert by_name["folien.pptx"][0] == "failed"
    assert "wird nicht unterstützt" in by_name["folien.pptx"][1]
    assert by_name["protokoll.docx"][0] == "failed"
    assert "ZIP-Bombe" in by_name["protokoll.docx"][1]
    assert by_name["geheim.docx"][0] == "failed"
    assert "verschlüsselt oder passwortgeschützt" in by_name["geheim.docx"][1]
    assert by_name["bericht.docx"] == ("done", "")  # read as what its bytes are: a PDF
    assert by_name["gut.pptx"] == ("done", "")

    # The live status says the same, per file, without a reload.
    ids = ",".join(str(n) for n in range(1, len(hostile) + 1))
    status = {f["name"]: f for f in client.get(f"/upload/status?ids={ids}").get_json()["files"]}
    assert status["protokoll.docx"]["state"] == "failed"
    assert "ZIP-Bombe" in status["protokoll.docx"]["message"]
    assert status["gut.pptx"]["state"] == status["bericht.docx"]["state"] == "searchable"

    assert "Folie 2" in client.get(f"/search?q={WORD}").get_data(as_text=True)
    assert "1 Treffer" in client.get("/search?q=Streuobst").get_data(as_text=True)
    check = runner.invoke(args=["check"])
    assert check.exit_code == 0, check.output
